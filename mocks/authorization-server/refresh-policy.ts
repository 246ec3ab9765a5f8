// How the authorization server judges a presented refresh token that is still in a live family
// and not revoked on its own (the grant refuses those before asking). A policy only decides; the
// grant applies the decision, so each policy is a few lines that read like the server it imitates.
import type { RefreshPolicyName } from '../knobs.js';
import type { AuthorizationServerState, RefreshTokenRecord } from './state.js';

export type RefreshVerdict =
  /** Mint a child of the presented token; `supersede` marks the presented one used. */
  | { accept: true; successor: 'mint'; supersede: boolean; revokeEarlierSuccessors?: boolean }
  /** Answer with the pair that was issued for `record` before, byte for byte. */
  | { accept: true; successor: 'replay'; record: RefreshTokenRecord }
  | { accept: false; revokeFamily: boolean; description: string };

export interface RefreshContext {
  now: number;
  graceMs: number;
  state: AuthorizationServerState;
}

export interface RefreshTokenPolicy {
  judge(record: RefreshTokenRecord, context: RefreshContext): RefreshVerdict;
}

const rotate: RefreshVerdict = { accept: true, successor: 'mint', supersede: true };

/** Reuse of a superseded token: the server cannot tell thief from owner, so the family dies (RFC 9700 §4.14.2). */
const reuse: RefreshVerdict = { accept: false, revokeFamily: true, description: 'refresh token already used; family revoked' };

/**
 * Grace covers only the immediate predecessor: a token whose successor is still unused, presented
 * within the window of its first use. A grandparent (its successor has been used in turn) is reuse.
 */
function inGrace(record: RefreshTokenRecord, context: RefreshContext): boolean {
  if (record.supersededAt === undefined || context.now - record.supersededAt > context.graceMs) return false;
  return context.state.liveChildren(record).length > 0;
}

/** Strict single use (OAuth 2.1 §4.3.1): presenting a superseded token is treated as theft. */
export const strictRotation: RefreshTokenPolicy = {
  judge: (record) => (record.supersededAt === undefined ? rotate : reuse),
};

/** Idempotent grace (Supabase GoTrue, Better Auth): a retry after a lost response gets the same answer. */
export const idempotentGrace: RefreshTokenPolicy = {
  judge(record, context) {
    if (record.supersededAt === undefined) return rotate;
    if (!inGrace(record, context)) return reuse;
    return { accept: true, successor: 'replay', record: context.state.liveChildren(record)[0] };
  },
};

/** Sibling grace (Auth0 leeway, Ory grace period): several successors of one token are valid at once. */
export const siblingGrace: RefreshTokenPolicy = {
  judge(record, context) {
    if (record.supersededAt === undefined) return rotate;
    return inGrace(record, context) ? { accept: true, successor: 'mint', supersede: true } : reuse;
  },
};

/** Latest-wins grace (WSO2/Asgardeo): a replay mints a new pair and revokes the successor issued before. */
export const latestWinsGrace: RefreshTokenPolicy = {
  judge(record, context) {
    if (record.supersededAt === undefined) return rotate;
    return inGrace(record, context) ? { accept: true, successor: 'mint', supersede: true, revokeEarlierSuccessors: true } : reuse;
  },
};

/** No invalidation (Entra ID): each use mints a new token and nothing old is ever revoked. */
export const noInvalidation: RefreshTokenPolicy = {
  judge: () => ({ accept: true, successor: 'mint', supersede: false }),
};

export const refreshPolicies: Record<RefreshPolicyName, RefreshTokenPolicy> = {
  strict: strictRotation,
  'grace-same': idempotentGrace,
  'grace-sibling': siblingGrace,
  'latest-wins': latestWinsGrace,
  'no-invalidation': noInvalidation,
};
