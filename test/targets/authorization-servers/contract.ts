// What the authorization-server targets in this folder share: the environment the kit gives a server
// it starts (PORT, HOST, MCP_CONFORMANCE_ISSUER, MCP_CONFORMANCE_RESOURCE, MCP_CONFORMANCE_REDIRECT_URI),
// the user every target logs in as, the loopback rule of redirect URIs, and the start/stop protocol
// of the server targets (print `listening on <url>` to stderr when ready, exit 0 on SIGTERM, 2 when
// the environment is unusable).
//
// Nothing here answers an OAuth request: each target serves the library's own endpoints, and says in
// its top comment what it wrote itself where the library leaves something to the deployment.
import type { Server } from 'node:http';
import { closeServer, exitOnSignal, fail, need } from '../servers/contract.js';

/** The scopes of the MCP server every target is configured for; the kit asks for the first. */
export const MCP_SCOPES = ['mcp:read', 'mcp:write'];

/** The one account of every target: the person the kit's user agent plays. */
export const USER = { id: 'mcp-conformance-user', username: 'mcp-user@mcp-auth-conformance.example', password: 'mcp-conformance-password' };

export interface AuthorizationServerContract {
  port: number;
  host: string;
  /** Exactly the issuer identifier the kit compares the metadata's `issuer` with. */
  issuer: string;
  /** The MCP server tokens are asked for (the `resource` of RFC 8707). */
  resource: string;
  redirectUri: string;
  /** MCP_CONFORMANCE_CLIENT_ID: the client the kit acts as, for a server that registers none itself. */
  clientId?: string;
}

export function readContract(env: NodeJS.ProcessEnv = process.env): AuthorizationServerContract {
  const port = Number(need(env, 'PORT'));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`PORT is not a port number: ${env.PORT}`);
  return {
    port,
    host: need(env, 'HOST'),
    issuer: need(env, 'MCP_CONFORMANCE_ISSUER'),
    resource: need(env, 'MCP_CONFORMANCE_RESOURCE'),
    redirectUri: need(env, 'MCP_CONFORMANCE_REDIRECT_URI'),
    ...(env.MCP_CONFORMANCE_CLIENT_ID?.trim() ? { clientId: env.MCP_CONFORMANCE_CLIENT_ID.trim() } : {}),
  };
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The redirect URI with the port of a loopback host left out (RFC 8252 §7.3: any port); other URIs as they are. */
export function withoutLoopbackPort(uri: string): string {
  const url = URL.parse(uri);
  if (!url || url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) return uri;
  url.port = '';
  return url.href;
}

/** An HTTPS URI, or an http one on a loopback host: what MCP "Communication Security" allows a redirect URI to be. */
export function allowedRedirectUri(uri: unknown): boolean {
  const url = typeof uri === 'string' ? URL.parse(uri) : null;
  return url !== null && !url.hash && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
}

/** Listens at the contract's host and port, says so, and closes cleanly on SIGTERM or SIGINT. */
export function serve(server: Server, contract: AuthorizationServerContract): void {
  server.listen(contract.port, contract.host, () => process.stderr.write(`listening on ${contract.issuer}\n`));
  exitOnSignal(() => closeServer(server));
}
