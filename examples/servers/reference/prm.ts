// Protected resource metadata (RFC 9728): how a client finds the authorization server.
import type { ServerResponse } from 'node:http';
import type { Config } from './config.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export class ProtectedResourceMetadata {
  /**
   * Path-inserted (RFC 9728 §3.1): the resource is `<origin>/mcp`, and only a document at the
   * origin's root may name the bare origin (§3.3), so no root document is served at all.
   */
  readonly path: string;
  readonly url: string;

  constructor(
    protected readonly config: Config,
    protected readonly scopesSupported: string[],
  ) {
    const resource = new URL(config.resource);
    this.path = WELL_KNOWN + (resource.pathname === '/' ? '' : resource.pathname);
    this.url = resource.origin + this.path;
  }

  document(): Record<string, unknown> {
    return {
      // Exactly the identifier tokens carry as aud, character for character (§3.3).
      resource: this.config.resource,
      authorization_servers: [this.config.issuer],
      scopes_supported: this.scopesSupported,
      // Never query: a token in the URI leaks through logs and Referer (RFC 6750 §5.3).
      bearer_methods_supported: ['header'],
      resource_name: 'mcp-auth-conformance reference server',
    };
  }

  protected mediaType(): string {
    return 'application/json';
  }

  send(res: ServerResponse, method: string): void {
    const text = JSON.stringify(this.document());
    res.writeHead(200, { 'Content-Type': this.mediaType(), 'Content-Length': Buffer.byteLength(text) });
    res.end(method === 'HEAD' ? undefined : text);
  }
}
