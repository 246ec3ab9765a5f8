// Opaque access tokens validated by asking the authorization server (RFC 7662).
import { REQUEST_TIMEOUT_MS, type Config, type IntrospectionClient } from './config.js';
import { authInfo, Unavailable, type Verdict, type Verifier } from './verifier.js';

/** RFC 7662 §2.2: only `active` is required; the rest is there when the AS says so. */
export interface IntrospectionAnswer {
  active?: unknown;
  scope?: unknown;
  client_id?: unknown;
  sub?: unknown;
  aud?: unknown;
  iss?: unknown;
  exp?: unknown;
  [member: string]: unknown;
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are Basic-encoded. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

export class IntrospectionVerifier implements Verifier {
  protected readonly client: IntrospectionClient;

  constructor(protected readonly config: Config) {
    if (!config.introspection) throw new Error('IntrospectionVerifier needs config.introspection');
    this.client = config.introspection;
  }

  async verify(token: string): Promise<Verdict> {
    const answer = await this.introspect(token);
    if (!this.active(answer)) return { valid: false, description: 'the authorization server says the token is not active ("active": false)' };
    if (!this.issuerAccepted(answer)) return { valid: false, description: 'the "iss" of the introspection answer does not name the trusted authorization server' };
    if (!this.audienceAccepted(answer)) return { valid: false, description: 'the "aud" claim does not name this resource' };
    return { valid: true, auth: authInfo(token, answer, this.config) };
  }

  /** Only a literal true: "active": "false" or 1 is an AS bug, not a yes. */
  protected active(answer: IntrospectionAnswer): boolean {
    return answer.active === true;
  }

  protected issuerAccepted(answer: IntrospectionAnswer): boolean {
    return answer.iss === undefined || answer.iss === this.config.issuer;
  }

  /**
   * An `aud` that does not name this resource is refused: the token was issued for another one
   * (MCP: servers MUST validate the audience). An answer without `aud` is taken on the AS's word —
   * RFC 7662 makes the member optional, and the AS knows who is asking, since the request is
   * authenticated as this resource. The kit's AS always sends `aud` for an active token, so the
   * strict reading is what it exercises.
   */
  protected audienceAccepted(answer: IntrospectionAnswer): boolean {
    const { aud } = answer;
    if (aud === undefined) return true;
    return typeof aud === 'string' ? aud === this.config.resource : Array.isArray(aud) && aud.includes(this.config.resource);
  }

  /** The AS's answer; Unavailable when there is none to judge by (no connection, not 200, not a JSON object). */
  protected async introspect(token: string): Promise<IntrospectionAnswer> {
    const { endpoint, clientId, clientSecret } = this.client;
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Unavailable(`introspection at ${endpoint} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Unavailable(`introspection at ${endpoint} answered ${response.status}`);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new Unavailable(`introspection at ${endpoint} answered something that is not JSON`);
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new Unavailable(`introspection at ${endpoint} answered JSON that is not an object`);
    return answer as IntrospectionAnswer;
  }
}
