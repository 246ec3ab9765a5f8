// Server-side revocation on demand: the resource server treats the first N distinct valid tokens it
// sees as revoked, as if the user had logged out elsewhere. A client must then obtain a new token,
// which is how a scenario forces a second authorization attempt within one run.
import type { TokenVerifier } from './bearer.js';

export function revokeFirstTokens(count: number, verify: TokenVerifier): TokenVerifier {
  if (count <= 0) return verify;
  const revoked = new Set<string>();
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
