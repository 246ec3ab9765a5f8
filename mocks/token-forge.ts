// Access tokens made to order for probing a resource server: the valid one, and each way a token can
// be wrong that a resource server must notice (RFC 9068 §4, RFC 8725 §2-3, RFC 7519 §4.1). Every
// token is built with jose from the issuer's real keys, so a wrong one differs from the valid one in
// exactly the part its name says.
import { base64url, randomBytes } from '../core/bytes.js';
import { SignJWT, UnsecuredJWT, exportSPKI, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_ALG, generateSigningKey, randomToken, type SigningKey } from './tokens.js';

/** The claims of a token, before the forge adds its defaults; `null` leaves a claim out. */
export interface ClaimSet {
  iss?: string | null;
  sub?: string;
  aud?: string | string[] | null;
  client_id?: string;
  scope?: string | null;
  /** Seconds from now; `null` leaves `exp` out. */
  expiresIn?: number | null;
  /** Seconds from now for `nbf`, when given. */
  notBeforeIn?: number;
}

/**
 * How the token is signed: with the issuer's current key, a key the JWKS does not publish, the
 * public key's bytes as an HMAC secret (the algorithm-confusion attack, RFC 8725 §2.1), not at all
 * (`alg: none`), with a key of its own that the token carries in its header (`jwk`, the header
 * injection RFC 8725 §3.10 warns of), or correctly and then with its signature altered.
 */
export type Signing = 'valid' | 'unknown-key' | 'embedded-jwk' | 'hs256-public-pem' | 'hs256-public-jwk' | 'none' | 'bad-signature';

export interface TokenSpec {
  claims: ClaimSet;
  signing?: Signing;
  /** The key to sign with (a rotated key); the issuer's current one when absent. */
  key?: SigningKey;
}

/** The payload a claim set stands for, defaults filled in; left-out claims are absent, not null. */
export function payloadOf(claims: ClaimSet, defaults: { issuer: string; audience: string }): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload & Record<string, unknown> = {
    iss: claims.iss === undefined ? defaults.issuer : claims.iss ?? undefined,
    sub: claims.sub ?? 'conformance-user',
    aud: claims.aud === undefined ? defaults.audience : claims.aud ?? undefined,
    client_id: claims.client_id ?? 'conformance-client',
    scope: claims.scope ?? undefined,
    iat: now,
    exp: claims.expiresIn === null ? undefined : now + (claims.expiresIn ?? 300),
    ...(claims.notBeforeIn !== undefined ? { nbf: now + claims.notBeforeIn } : {}),
    jti: randomToken(16),
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return payload;
}

/** Alters a signature in its middle: the last characters of base64url may carry unused bits. */
function spoilSignature(token: string): string {
  const [head, body, signature] = token.split('.');
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === 'A' ? 'B' : 'A';
  return `${head}.${body}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
}

export class TokenForge {
  /** A key the issuer never publishes, made once per forge. */
  private stranger: Promise<SigningKey> | undefined;

  constructor(private readonly defaults: { issuer: string; audience: string; key: () => SigningKey }) {}

  async jwt(spec: TokenSpec): Promise<string> {
    const payload = payloadOf(spec.claims, this.defaults);
    const key = spec.key ?? this.defaults.key();
    switch (spec.signing ?? 'valid') {
      case 'valid':
        return this.sign(payload, key);
      case 'bad-signature':
        return spoilSignature(await this.sign(payload, key));
      case 'unknown-key': {
        this.stranger ??= generateSigningKey();
        return this.sign(payload, await this.stranger);
      }
      case 'embedded-jwk': {
        this.stranger ??= generateSigningKey();
        const stranger = await this.stranger;
        return new SignJWT(payload).setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: stranger.kid, typ: 'at+jwt', jwk: stranger.publicJwk }).sign(stranger.privateKey);
      }
      case 'none':
        return new UnsecuredJWT(payload).encode().replace(/^[^.]+/, () => base64url(new TextEncoder().encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))));
      case 'hs256-public-pem': {
        const pem = await exportSPKI(key.publicKey);
        return this.mac(payload, key.kid, new TextEncoder().encode(pem));
      }
      case 'hs256-public-jwk': {
        // The document exactly as the JWKS serves it: what a verifier that feeds "the key" to HMAC has.
        return this.mac(payload, key.kid, new TextEncoder().encode(JSON.stringify(key.publicJwk)));
      }
    }
  }

  private sign(payload: JWTPayload, key: SigningKey): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
  }

  private mac(payload: JWTPayload, kid: string, secret: Uint8Array): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' }).sign(secret);
  }
}

/** An opaque access token: nothing in it but randomness, so only introspection can say what it is. */
export function opaqueToken(): string {
  return `opaque-${base64url(randomBytes(24))}`;
}
