// How the authorization server judges a presented refresh token. Rotation always happens on
// success; what a policy decides is whether a token is still acceptable and what reuse costs.
import type { RefreshTokenRecord } from './state.js';

export type RefreshVerdict = { accept: true } | { accept: false; revokeFamily: boolean; description: string };

export interface RefreshTokenPolicy {
  judge(record: RefreshTokenRecord, now: number): RefreshVerdict;
}

/** Strict single use (OAuth 2.1 §4.3.1): presenting a superseded token is treated as theft. */
export const strictRotation: RefreshTokenPolicy = {
  judge(record) {
    if (record.family.revoked) return { accept: false, revokeFamily: false, description: 'refresh token family revoked' };
    if (record.supersededAt !== undefined) return { accept: false, revokeFamily: true, description: 'refresh token already used; family revoked' };
    return { accept: true };
  },
};
