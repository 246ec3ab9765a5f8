// What client checks need to have happened before they can judge, and whether a correct client may
// leave it out. A check reports a precondition that never happened with `notExercised`; the engine
// makes the check not applicable where the behaviour is optional and the scenario does not require
// it (core/verdicts.ts), and the checks named in `judgedBy` carry the verdict on the behaviour.
import type { Precondition } from '../../core/check.js';

/**
 * Refreshing a token. Optional: it needs the refresh token kept past the process that got it
 * (persisting credentials is not required), or a token that expires while the client runs. Whether
 * the client should have refreshed instead of authorizing again is RT-C-08.
 */
export const REFRESHED: Precondition = {
  id: 'refresh',
  behaviour: 'refreshing a token',
  optional: true,
  judgedBy: ['refresh-instead-of-reauthorization', 'refresh-no-reauthorization'],
};

/** Starting with the credentials an earlier start kept (a warm start). Optional for the same reason. */
export const KEPT_CREDENTIALS: Precondition = {
  id: 'kept-credentials',
  behaviour: 'keeping credentials between starts',
  optional: true,
  judgedBy: ['refresh-instead-of-reauthorization', 'refresh-no-reauthorization'],
};

/** Using a client ID metadata document URL as client_id: a SHOULD (C-REG-03), ranked by C-REG-02. */
export const USED_CIMD: Precondition = { id: 'cimd', behaviour: 'using a client ID metadata document', optional: true, judgedBy: ['registration-priority'] };

/** Answering 403 insufficient_scope with a new authorization: a SHOULD (C-STP-01). */
export const STEPPED_UP: Precondition = {
  id: 'step-up',
  behaviour: 'authorizing again on 403 insufficient_scope',
  optional: true,
  judgedBy: ['step-up-escalation', 'step-up-reauthorizes'],
};

/**
 * Calling a tool. The contract asks a client to call test-tool, but a client that only lists tools
 * (as several example clients do) breaks no requirement; it just never meets a tool's step-up.
 */
export const CALLED_TOOL: Precondition = { id: 'tool-call', behaviour: 'calling a tool', optional: true };

/** Authorizing more than once: only a world that refuses or outgrows the first grant asks for it. */
export const AUTHORIZED_AGAIN: Precondition = { id: 'second-authorization', behaviour: 'authorizing more than once', optional: true };

/** Sending MCP requests after the world changed under a running client (a second authorization server). */
export const REQUESTED_AFTER_CHANGE: Precondition = { id: 'request-after-change', behaviour: 'sending another request after the first authorized one', optional: true };

/** Several MCP requests in flight at once when a token expires: nothing requires a client to overlap requests. */
export const OVERLAPPED_REQUESTS: Precondition = { id: 'overlapping-requests', behaviour: 'having several MCP requests in flight at once', optional: true };

/** Fetching PRM again while a cached copy is stale: a client may refresh at the authorization server it knew without it. */
export const REVALIDATED: Precondition = { id: 'revalidation', behaviour: 'revalidating cached discovery documents', optional: true };
