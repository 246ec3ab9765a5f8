// Access tokens of the mock world: one ES256 key per world, so a token minted by one world (or by
// a test with another key) never verifies in another.
import { base64url, randomBytes } from '../core/bytes.js';
import { SignJWT, decodeProtectedHeader, errors, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const ACCESS_TOKEN_ALG = 'ES256';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public half as published on the JWKS endpoint. */
  readonly publicJwk: JWK;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const kid = randomToken(12);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

/** Unguessable URL-safe value for codes, refresh tokens, client ids and secrets. */
export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** Absent when the client named no resource: the resource server then refuses the token. */
  aud?: string;
  client_id: string;
  scope?: string;
  ttlSeconds: number;
}

export function mintAccessToken(key: SigningKey, claims: AccessTokenClaims): Promise<string> {
  const { ttlSeconds, ...payload } = claims;
  const iat = Math.floor(Date.now() / 1000);
  const body: JWTPayload = { ...payload, iat, exp: iat + ttlSeconds, jti: randomToken(16) };
  if (body.aud === undefined) delete body.aud;
  if (body.scope === undefined) delete body.scope;
  // RFC 9068 media type, so token-type confusion with ID tokens is impossible.
  return new SignJWT(body).setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}

export type AccessTokenPayload = JWTPayload & { scope?: string; client_id?: string };

export type TokenVerification =
  | { valid: true; claims: AccessTokenPayload }
  | { valid: false; /** Which part of the token was wrong, for error_description. */ reason: string };

export interface AccessTokenExpectations {
  issuer: string;
  /** The identifiers the resource server answers to: a token naming any of them is for it. */
  audience: string | string[];
  /**
   * 2025-03-26 servers predate resource indicators: they accept a token without `aud`, though a
   * token whose `aud` names another resource is still refused.
   */
  audienceOptional?: boolean;
}

/**
 * The published key a token names by `kid`: after a rotation the old key stays published, and
 * tokens it signed stay valid until it is withdrawn. A token naming no published key is checked
 * against the current one (and fails its signature check, as it should).
 */
function keyFor(token: string, keys: readonly SigningKey[]): SigningKey {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    kid = undefined; // not a JWT at all: jwtVerify says so
  }
  return keys.find((key) => key.kid === kid) ?? keys[0];
}

export async function verifyAccessToken(token: string, key: SigningKey | readonly SigningKey[], expected: AccessTokenExpectations): Promise<TokenVerification> {
  const keys = Array.isArray(key) ? (key as readonly SigningKey[]) : [key as SigningKey];
  try {
    const { payload } = await jwtVerify(token, keyFor(token, keys).publicKey, {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: expected.issuer,
      ...(expected.audienceOptional ? {} : { audience: expected.audience }),
    });
    const audiences = payload.aud === undefined ? [] : [payload.aud].flat();
    const accepted = [expected.audience].flat();
    if (expected.audienceOptional && audiences.length > 0 && !audiences.some((aud) => accepted.includes(aud))) {
      return { valid: false, reason: 'aud: the token is not for this resource' };
    }
    return { valid: true, claims: payload as AccessTokenPayload };
  } catch (error) {
    return { valid: false, reason: rejectionReason(error) };
  }
}

// The descriptions end up inside a quoted-string of WWW-Authenticate, so they carry no quotes.
function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'exp: the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'aud: the token is not for this resource';
    if (error.claim === 'iss') return 'iss: the token was not issued by the trusted authorization server';
    return `${error.claim}: claim check failed`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature: the token signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg: the token is not signed with ES256';
  return 'the token is not a valid JWT';
}
