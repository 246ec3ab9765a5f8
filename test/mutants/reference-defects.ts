// The single defects the reference-client mutant (reference-mutant.ts) can carry, each with what it
// changes. Kept apart from the mutant so tests can name defects with type checking without starting it.
export const REFERENCE_DEFECTS = {
  // The refresh transaction (RT-C-01, RT-C-02, RT-C-11)
  'no-lock': 'refreshes with no lock at all: no lock file, no in-process queue, no single flight',
  'in-process-lock-only': 'takes turns within its own process only; other processes refresh at the same time',
  'lock-write-only': 'holds the lock only while writing the result; the decision and the refresh request run unlocked',
  'refresh-unlocked-on-lock-timeout': 'gives up waiting for the lock at once (0 ms) and then goes on without it',
  // The store (RT-C-04, RT-C-05, RT-C-07, RT-C-09, RT-C-12)
  'clear-on-invalid-grant-without-reread': 'presents the refresh token it loaded at start instead of re-reading the store inside the lock, and deletes whatever the store holds when that token is rejected',
  'whole-store-overwrite': 'writes the whole store from the copy it read at start, with its change applied, instead of re-reading it under the lock',
  'refresh-at-every-start': 'refreshes at every start that finds tokens stored, valid or not',
  'clear-on-5xx': 'treats 5xx and 429 from the token endpoint as a rejection: deletes the tokens and authorizes again',
  'keep-old-refresh-token': 'stores the new access token but keeps the old refresh token after a rotation',
  'give-up-on-refused-refresh': 'when the server refuses its refresh token, forgets it and ends with an error instead of authorizing again',
  'drop-refresh-token-when-not-rotated': 'stores a refresh response as it came: one without refresh_token leaves the client with none',
  // Step-up (C-STP-01..04, C-SCP-05, RT-C-13)
  'step-up-via-refresh': 'answers 403 insufficient_scope with a refresh, which cannot widen scope, instead of an authorization',
  'step-up-without-union': 'on step-up asks only for the challenged scopes, dropping those asked for and granted before',
  'step-up-on-any-403': 'treats every 403 as insufficient_scope, a bare one without a Bearer challenge included',
  'step-up-keeps-old-refresh-token': 'stores the access token a step-up brings but keeps the refresh token of the narrower grant before it',
  'no-retry-limit': 'authorizes up to 10 times per run and steps up up to 10 times per operation (instead of 3 and 2)',
  // Discovery and registration (DC-C-01..08)
  'no-discovery-cache': 'never keeps discovery documents: fetches PRM and metadata again whenever it needs them',
  'discover-every-start': 'fetches PRM and authorization server metadata again at every start, even with valid tokens stored',
  'origin-fallback-on-outage': 'when PRM cannot be fetched, takes the MCP server origin for the authorization server, as if the server predated PRM',
  'cache-ignores-no-store': 'keeps discovery documents for an hour whatever their Cache-Control says, no-store included',
  'client-keyed-by-resource': 'keeps one client registration per MCP server and presents it to whichever authorization server the server names',
  'cache-auth-failure': 'remembers in the state directory that a server refused every token, and later runs give up on it without a request',
  'register-every-run': 'registers a new client at every start with stored tokens, never reusing a registration from an earlier run (so a later refresh finds its client gone and authorizes)',
  'register-every-authorization': 'registers a new client for every authorization it makes, though it keeps and reuses its tokens',
} as const;

export type ReferenceDefect = keyof typeof REFERENCE_DEFECTS;
