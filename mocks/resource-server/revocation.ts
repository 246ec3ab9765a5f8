// Server-side revocation on demand: the resource server treats the first N distinct valid tokens it
// sees as revoked, as if the user had logged out elsewhere. A client must then obtain a new token,
// which is how a scenario forces a second authorization attempt within one run. Expiry on demand
// works the same way for tokens the world was told to treat as expired.
import type { TokenVerifier } from './bearer.js';

/** `revoked` is passed in when the set must outlive the handlers (World.reconfigure). */
export function revokeFirstTokens(count: number, verify: TokenVerifier, revoked = new Set<string>()): TokenVerifier {
  if (count <= 0) return verify;
  return async (token) => {
    const verification = await verify(token);
    if (!verification.valid) return verification;
    const id = String(verification.claims.jti ?? token);
    if (revoked.has(id)) return { valid: false, reason: 'the token was revoked' };
    if (revoked.size < count) {
      revoked.add(id);
      return { valid: false, reason: 'the token was revoked' };
    }
    return verification;
  };
}

/**
 * Expiry on demand (World.expireAccessTokens): a token whose id is in `expired` is refused exactly
 * as a token past its `exp` is, so a scenario can run a client, expire its tokens and run it again
 * without waiting out a lifetime or shortening it for the first run.
 */
export function expireOnDemand(expired: ReadonlySet<string>, verify: TokenVerifier): TokenVerifier {
  return async (token) => {
    const verification = await verify(token);
    if (verification.valid && expired.has(String(verification.claims.jti))) return { valid: false, reason: 'exp: the token has expired' };
    return verification;
  };
}
