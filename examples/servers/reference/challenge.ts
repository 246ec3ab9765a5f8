// The answers that refuse a request: status, WWW-Authenticate: Bearer challenge (RFC 6750 §3,
// RFC 9728 §5.1) and a small JSON body saying the same.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export type ChallengeParameter = [name: string, value: string];

export interface Challenge {
  status: 400 | 401 | 403;
  parameters: ChallengeParameter[];
}

export class Challenger {
  /** @param resourceMetadata the PRM URL every challenge names, so a client can find the AS from any refusal. */
  constructor(protected readonly resourceMetadata: string) {}

  /** RFC 6750 §3.1: a request with no token learns what to get, and gets no error code. */
  noToken(scopes: string[]): Challenge {
    return { status: 401, parameters: [...this.withMetadata([]), ...this.scopeParameter(scopes)] };
  }

  invalidToken(description: string): Challenge {
    return { status: 401, parameters: this.withMetadata([['error', 'invalid_token'], ['error_description', description]]) };
  }

  /** `needed` is every scope the refused operation needs, so one authorization is enough for it. */
  insufficientScope(needed: string[], description: string): Challenge {
    return {
      status: 403,
      parameters: this.withMetadata([['error', 'insufficient_scope'], ...this.scopeParameter(needed), ['error_description', description]]),
    };
  }

  invalidRequest(description: string): Challenge {
    return { status: 400, parameters: this.withMetadata([['error', 'invalid_request'], ['error_description', description]]) };
  }

  protected withMetadata(parameters: ChallengeParameter[]): ChallengeParameter[] {
    return [...parameters, ['resource_metadata', this.resourceMetadata]];
  }

  protected scopeParameter(scopes: string[]): ChallengeParameter[] {
    return scopes.length ? [['scope', scopes.join(' ')]] : [];
  }

  header(challenge: Challenge): string {
    return `Bearer ${challenge.parameters.map(([name, value]) => `${name}=${this.quote(value)}`).join(', ')}`;
  }

  /**
   * A quoted-string that needs no escaping: RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E in
   * error_description (no `"`, no `\`, not even escaped), and the same keeps every other value
   * readable by parsers that do not unescape. A double quote becomes a single one; anything else
   * outside the set is dropped.
   */
  quote(value: string): string {
    return `"${this.text(value)}"`;
  }

  /** The value as it may appear: in the header, and in the body too, where RFC 6749 §5.2 sets the same limits. */
  protected text(value: string): string {
    return value.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  }

  protected headers(challenge: Challenge): OutgoingHttpHeaders {
    return { 'WWW-Authenticate': this.header(challenge), 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  }

  send(res: ServerResponse, challenge: Challenge): void {
    const said = challenge.parameters.filter(([name]) => name === 'error' || name === 'error_description' || name === 'scope');
    const body = Object.fromEntries(said.map(([name, value]) => [name, this.text(value)]));
    const text = JSON.stringify(body);
    res.writeHead(challenge.status, { ...this.headers(challenge), 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
