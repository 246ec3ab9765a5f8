// The world's testimony about refresh tokens. Checks judge only the trace, and a refresh token is
// an opaque string there: these two response headers tell what the authorization server did with
// it, so properties such as "reuse detection never fired" or "the store kept the newest
// generation" can be decided from the trace alone. Clients ignore unknown headers, and the
// recorder keeps every response header.
//
//   x-mcp-auth-conformance-refresh-generation: family=<id>; generation=<n>; outcome=<outcome>
//     On every successful token response in which a refresh token is involved (the code
//     redemption that starts a family as well as every refresh). `family` and `generation` name
//     the refresh token the response leaves the client holding: generation 0 is the one the code
//     redemption issued, a successor has its parent's generation + 1 (siblings share one).
//     `outcome` is
//       issued   - a new refresh token is in the body (the root of a family, or a successor);
//       replayed - the same pair as an earlier response, again (idempotent grace);
//       kept     - no refresh token in the body: the presented one stays valid (no rotation).
//     With `issued`, `; revoked-siblings=<k>` says a latest-wins replay revoked k earlier successors.
//
//   x-mcp-auth-conformance-family-revoked: reuse; family=<id>; detected=<now|earlier>
//     On a refused refresh whose token belongs to a family revoked by reuse detection: `now` on
//     the response to the very request that set detection off (a superseded token presented
//     outside grace), `earlier` on every later refusal of a token of that family. Absent on
//     refusals that revoke nothing (unknown token, another client's token, a sibling revoked by a
//     latest-wins replay).
import type { RefreshTokenRecord } from './state.js';

export const REFRESH_GENERATION_HEADER = 'x-mcp-auth-conformance-refresh-generation';
export const FAMILY_REVOKED_HEADER = 'x-mcp-auth-conformance-family-revoked';

export type RefreshOutcome = 'issued' | 'replayed' | 'kept';

export function refreshGenerationHeader(record: RefreshTokenRecord, outcome: RefreshOutcome, revokedSiblings = 0): Record<string, string> {
  const value = `family=${record.family.id}; generation=${record.generation}; outcome=${outcome}`;
  return { [REFRESH_GENERATION_HEADER]: revokedSiblings > 0 ? `${value}; revoked-siblings=${revokedSiblings}` : value };
}

export function familyRevokedHeader(record: RefreshTokenRecord, detected: 'now' | 'earlier'): Record<string, string> {
  return { [FAMILY_REVOKED_HEADER]: `reuse; family=${record.family.id}; detected=${detected}` };
}
