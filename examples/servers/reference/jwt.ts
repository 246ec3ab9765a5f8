// JWT access tokens validated locally (RFC 9068 profile, RFC 8725 practices) with jose.
import { errors, jwtVerify, type CryptoKey, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Config } from './config.js';
import type { KeySet } from './keys.js';
import { authInfo, Unavailable, type Verdict, type Verifier } from './verifier.js';

/**
 * Signature algorithms with a public verification key. Which of them can verify a given token is
 * narrowed further by the JWKS: jose only picks a key whose kty, crv and alg fit the token's alg.
 * No HMAC (the only keys here are public, so a MAC "keyed" with one can be made by anyone) and no
 * `none` (jose never takes it in jwtVerify).
 */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];

export class JwtVerifier implements Verifier {
  constructor(
    protected readonly config: Config,
    protected readonly keys: KeySet,
  ) {}

  async verify(token: string): Promise<Verdict> {
    let payload: JWTPayload;
    try {
      payload = await this.decode(token);
    } catch (error) {
      if (error instanceof Unavailable) throw error;
      return { valid: false, description: describe(error) };
    }
    return { valid: true, auth: authInfo(token, payload, this.config) };
  }

  /** The claims of a token that passes every check; otherwise throws what refused it. */
  protected async decode(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, (header, input) => this.keyFor(header, input), this.options());
    return payload;
  }

  /**
   * No `typ` requirement: RFC 9068 is not what MCP asks of an AS, and a token of another kind (an
   * ID token, say) is refused anyway, by its `aud`. No clock tolerance: the AS that issued the token
   * shares this machine's clock.
   */
  protected options(): JWTVerifyOptions {
    return {
      algorithms: ASYMMETRIC_ALGORITHMS,
      issuer: this.config.issuer,
      audience: this.config.resource,
      // A token without exp would be good forever (RFC 9068 §2.2 makes exp REQUIRED).
      requiredClaims: ['exp'],
      clockTolerance: 0,
    };
  }

  /**
   * The key the token names. A failure to fetch or read the JWKS says nothing about the token, so
   * it is not reported as invalid_token.
   */
  protected async keyFor(header: JWSHeaderParameters, input: FlattenedJWSInput): Promise<CryptoKey> {
    try {
      return await this.keys(header, input);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error;
      throw new Unavailable(`the JWKS at ${this.config.jwksUri} cannot be used: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * error_description for a refused JWT. Fixed texts, so nothing from the token (least of all the
 * token itself) is repeated; claim names are quoted as RFC 7519 writes them, and the challenge
 * builder makes that safe for a quoted-string.
 */
export function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired (its "exp" is past)';
  if (error instanceof errors.JWTClaimValidationFailed) {
    const missing = error.reason === 'missing';
    switch (error.claim) {
      case 'aud':
        return missing ? 'the token has no "aud" claim' : 'the "aud" claim does not name this resource';
      case 'iss':
        return missing ? 'the token has no "iss" claim' : 'the "iss" claim does not name the trusted authorization server';
      case 'exp':
        return missing ? 'the token has no "exp" claim' : 'the "exp" claim is not a NumericDate';
      case 'nbf':
        return 'the token is not valid yet (its "nbf" is in the future)';
      default:
        return missing ? `the token has no "${error.claim}" claim` : `the "${error.claim}" claim is not acceptable`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an algorithm this resource accepts (its "alg")';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the authorization server matches the token (its "kid")';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'the token names no key ("kid") and the authorization server has several';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JOSENotSupported) return 'the token uses a signing algorithm this resource does not support';
  return 'the token is not a well-formed signed JWT';
}
