// What a token verifier answers, whichever way it validates (JWT locally, or introspection).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Config } from './config.js';

export type Verdict =
  | { valid: true; auth: AuthInfo }
  /** `description` goes into error_description: it says what was wrong and never repeats the token. */
  | { valid: false; description: string };

export interface Verifier {
  verify(token: string): Promise<Verdict>;
}

/**
 * The token could not be judged at all (the JWKS or the introspection endpoint did not answer
 * usably). Not the client's fault, so not invalid_token: a client told its token is invalid would
 * throw away a good one.
 */
export class Unavailable extends Error {}

/** The claims both ways of validating yield, as the JWT or the introspection answer carried them. */
export interface TokenClaims {
  scope?: unknown;
  client_id?: unknown;
  sub?: unknown;
  exp?: unknown;
  iss?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * The request's authorization as the MCP SDK hands it to tool handlers. `issuer` is no member of
 * the SDK's AuthInfo, but mcp-auth (a devDependency, for the kit's own targets) makes it a required
 * one program-wide; built as a variable rather than returned as a literal, this compiles either way.
 */
export function authInfo(token: string, claims: TokenClaims, config: Pick<Config, 'resource' | 'issuer'>): AuthInfo {
  const subject = text(claims.sub);
  const issuer = text(claims.iss) ?? config.issuer;
  const info = {
    token,
    clientId: text(claims.client_id) ?? '(unknown client)',
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
    ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp } : {}),
    resource: new URL(config.resource),
    issuer,
    extra: { ...(subject ? { sub: subject } : {}), iss: issuer },
  };
  return info;
}

/** Who a session belongs to: the resource owner, or the client when the token names no subject. */
export function principalOf(auth: AuthInfo): string {
  const subject = auth.extra?.sub;
  return typeof subject === 'string' ? `sub:${subject}` : `client:${auth.clientId}`;
}
