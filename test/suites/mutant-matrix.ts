// For every check: the scenario that exercises it and the one-defect mutant that must fail it.
// The reference client passes every one of these checks; the defect-free mutant those of every
// scenario that needs no store.
import { clientScenarios } from '../../suites/client/index.js';
import type { ClientDefect } from '../mutants/client-defects.js';
import type { ReferenceDefect } from '../mutants/reference-defects.js';

export interface MutantCase {
  check: string;
  scenario: string;
  defect: ClientDefect;
  /** What the check's message must say: it failed because of this defect, not for some other reason. */
  reason?: RegExp;
  /**
   * The other checks of the scenario this defect legitimately breaks (fail, warn, or not reached:
   * steps the defect left undone); every check not named here must pass or not apply, so a mutant
   * fails for exactly its defect and these consequences.
   */
  alsoFails?: string[];
  /**
   * Checks a race may or may not break besides, depending on the interleaving the processes took:
   * neither required to fail nor to pass. Only for scenarios with copies running at once.
   */
  mayAlsoFail?: string[];
}

// Consequences shared by many rows. A defect that stops the flow leaves later checks without anything
// to judge: they are not reached (the verdict sits on the defect's own check), and still fail the run.

/** The client never holds an access token, so it exits non-zero and no use of a token can be judged. */
const NO_TOKEN = ['client-process', 'authorized-after-401', 'token-sent-as-bearer', 'token-on-every-request', 'token-not-in-query', 'token-only-to-its-resource'];

/** The client never sends a token request (or never a successful one), so the redemption checks have nothing either. */
const NO_REDEMPTION = ['token-endpoint-auth-method', 'pkce-code-verifier-sent', 'pkce-verifier-matches-challenge', 'resource-in-token-request', 'resource-consistent', ...NO_TOKEN];

/** The client never reaches the authorization endpoint. */
const NO_AUTHORIZATION = ['pkce-code-challenge-sent', 'pkce-s256', 'resource-in-authorization-request', 'state-sent', 'client-id-used', 'resource-is-canonical-server-uri', 'resource-no-trailing-slash', ...NO_REDEMPTION];

/** Of these, the checks a 2025-03-26 world judges: its flow is not held to requirements that came later. */
const atWire2025 = (ids: string[]): string[] => {
  const defined = new Map(clientScenarios.flatMap((s) => s.checks).map((c) => [c.id, c]));
  return ids.filter((id) => id === 'client-process' || defined.get(id)?.specVersions.includes('2025-03-26'));
};

/** Ignoring resource_metadata where PRM is only at a custom URL: no PRM, so the client takes the server for a 2025-03-26 one. */
const NO_PRM = ['as-metadata-discovered', 'as-metadata-discovery-order', ...NO_AUTHORIZATION];

/** The access token travels in the query, which the resource server does not accept. */
const TOKEN_IN_QUERY = ['client-process', 'authorized-after-401', 'token-sent-as-bearer', 'token-on-every-request', 'token-not-in-query'];

const others = (all: string[], check: string) => all.filter((id) => id !== check);


export const MUTANT_MATRIX: MutantCase[] = [
  // discovery
  {
    check: 'prm-discovered',
    scenario: 'auth/metadata-var3',
    defect: 'ignore-resource-metadata',
    reason: /no PRM request got the document/,
    alsoFails: ['prm-discovery-order', ...NO_PRM],
  },
  // Probing order only shows where the client probes: in auth/metadata-default the challenge names the PRM URL.
  {
    check: 'prm-discovery-order',
    scenario: 'auth/metadata-var1',
    defect: 'root-prm-first',
    reason: /oauth-protected-resource \(choice 2\) before \S+\/oauth-protected-resource\/mcp \(choice 1\)/,
  },
  {
    check: 'prm-discovery-order',
    scenario: 'auth/metadata-var3',
    defect: 'ignore-resource-metadata',
    reason: /oauth-protected-resource\/mcp, which is not one of the locations to try \(\S+\/custom\//,
    alsoFails: ['prm-discovered', ...NO_PRM],
  },
  {
    check: 'prm-resource-validated',
    scenario: 'auth/resource-mismatch',
    defect: 'skip-prm-resource-check',
    reason: /PRM named resource https:\/\/evil\.example\.com\/mcp for \S+, yet the client went on/,
  },
  {
    check: 'as-metadata-discovered',
    scenario: 'auth/metadata-var1',
    defect: 'oauth-metadata-only',
    reason: /no metadata request reached a document the server publishes/,
    // Giving up after the RFC 8414 location is also a discovery-order violation (C-ASM-04).
    alsoFails: [...NO_AUTHORIZATION, 'as-metadata-discovery-order'],
  },
  {
    check: 'as-metadata-discovery-order',
    scenario: 'auth/metadata-default',
    defect: 'oidc-before-oauth',
    reason: /openid-configuration \(choice 2\) before \S+\/oauth-authorization-server \(choice 1\)/,
  },
  {
    check: 'as-metadata-discovery-order',
    scenario: 'auth/metadata-var2',
    defect: 'wrong-asm-order-path-issuer',
    reason: /requested \S+\/\.well-known\/oauth-authorization-server, which is not one of the locations to try/,
  },
  {
    check: 'as-metadata-issuer-validated',
    scenario: 'auth/metadata-issuer-mismatch',
    defect: 'skip-issuer-check',
    reason: /metadata said issuer https:\/\/honest-as\.example for \S+, yet the client went on/,
  },
  // registration
  {
    check: 'dcr-request-valid',
    scenario: 'auth/dynamic-client-registration',
    defect: 'dcr-no-redirect-uris',
    reason: /registration names no redirect_uris/,
    alsoFails: ['registration-priority', ...NO_AUTHORIZATION],
  },
  {
    check: 'dcr-application-type',
    scenario: 'auth/dynamic-client-registration',
    defect: 'no-application-type',
    reason: /application_type is absent/,
    // Absent means web (OIDC Registration), which loopback redirect URIs should not be.
    alsoFails: ['dcr-application-type-native'],
  },
  {
    check: 'dcr-application-type-native',
    scenario: 'auth/dynamic-client-registration',
    defect: 'application-type-web',
    reason: /loopback redirect URI \S+ registered with application_type "web"/,
  },
  {
    check: 'dcr-grant-types-refresh-token',
    scenario: 'auth/dynamic-client-registration',
    defect: 'no-refresh-grant-type',
    reason: /grant_types = \["authorization_code"\]/,
  },
  {
    check: 'client-id-used',
    scenario: 'auth/dynamic-client-registration',
    defect: 'ignore-issued-client-id',
    reason: /client_id mutant-client is none the client held at that point: \S+ \(registration response/,
    // The authorization server does not know the made-up client, so no code is issued.
    alsoFails: NO_REDEMPTION,
  },
  {
    check: 'registration-priority',
    scenario: 'auth/registration-priority',
    defect: 'dcr-even-if-preregistered',
    // Without its pre-registration the mutant takes the next option this world offers, CIMD.
    reason: /used client_id \S+ instead of the pre-registered pre-registered-client/,
  },
  {
    check: 'registration-priority',
    scenario: 'auth/basic-cimd',
    defect: 'dcr-even-if-cimd',
    // It never uses a URL client_id, so cimd-client-id-url does not apply, and this check carries the verdict.
    reason: /registered dynamically although the server supports client ID metadata documents/,
  },
  {
    check: 'cimd-client-id-url',
    scenario: 'auth/basic-cimd',
    defect: 'cimd-http-url',
    reason: /client_id http:\/\/conformance-test\.local\/client-metadata\.json is not https/,
    // The http URL is not the document URL either, and the authorization server does not know it.
    alsoFails: ['registration-priority', 'client-id-used', ...NO_REDEMPTION],
  },
  {
    check: 'token-endpoint-auth-method',
    scenario: 'auth/token-endpoint-auth-basic',
    defect: 'basic-as-post',
    reason: /client_secret_basic: no Authorization: Basic header/,
    alsoFails: NO_TOKEN,
  },
  {
    check: 'token-endpoint-auth-method',
    scenario: 'auth/token-endpoint-auth-post',
    defect: 'post-as-basic',
    reason: /client_secret_post: used a Basic header/,
    alsoFails: NO_TOKEN,
  },
  {
    check: 'token-endpoint-auth-method',
    scenario: 'auth/pre-registration',
    defect: 'basic-as-post',
    reason: /client_secret_basic: no Authorization: Basic header/,
    alsoFails: NO_TOKEN,
  },
  // PKCE
  {
    check: 'pkce-code-challenge-sent',
    scenario: 'auth/metadata-default',
    defect: 'no-pkce',
    reason: /authorization request without code_challenge/,
    // The authorization server answers with an error instead of a code.
    alsoFails: ['pkce-s256', ...NO_REDEMPTION],
  },
  {
    check: 'pkce-s256',
    scenario: 'auth/metadata-default',
    defect: 'pkce-plain',
    reason: /code_challenge_method was plain/,
    alsoFails: NO_REDEMPTION,
  },
  {
    check: 'pkce-code-verifier-sent',
    scenario: 'auth/metadata-default',
    defect: 'no-verifier',
    reason: /token request without a valid code_verifier/,
    alsoFails: ['pkce-verifier-matches-challenge', ...NO_TOKEN],
  },
  {
    check: 'pkce-verifier-matches-challenge',
    scenario: 'auth/metadata-default',
    defect: 'wrong-verifier',
    reason: /S256\(code_verifier\) = \S+, but the authorization request's challenge was \S+/,
    alsoFails: NO_TOKEN,
  },
  {
    check: 'pkce-fresh-per-attempt',
    scenario: 'auth/pkce-fresh-per-attempt',
    defect: 'reuse-verifier',
    reason: /the same code_challenge was sent in two authorization attempts/,
  },
  {
    check: 'pkce-refuses-without-support',
    scenario: 'auth/pkce-not-advertised',
    defect: 'proceed-without-pkce-support',
    reason: /metadata has no code_challenge_methods_supported, yet the client went on to authorize/,
  },
  {
    check: 'pkce-refuses-without-support-oidc',
    scenario: 'auth/pkce-not-advertised-oidc',
    defect: 'proceed-without-pkce-support',
    reason: /metadata has no code_challenge_methods_supported, yet the client went on to authorize/,
  },
  // resource indicators
  {
    check: 'resource-in-authorization-request',
    scenario: 'auth/metadata-default',
    defect: 'no-resource-authorize',
    reason: /authorization request without resource/,
    alsoFails: ['resource-consistent'],
  },
  {
    check: 'resource-in-token-request',
    scenario: 'auth/metadata-default',
    defect: 'no-resource-token',
    reason: /token request without resource/,
    alsoFails: ['resource-consistent'],
  },
  {
    check: 'resource-is-canonical-server-uri',
    scenario: 'auth/metadata-default',
    defect: 'resource-origin-only',
    reason: /resource was http:\/\/127\.0\.0\.1:\d+; the canonical server URI is http:\/\/127\.0\.0\.1:\d+\/mcp/,
    // The authorization server refuses the token request with invalid_target.
    alsoFails: NO_TOKEN,
  },
  {
    check: 'resource-is-canonical-server-uri',
    scenario: 'auth/metadata-default',
    defect: 'resource-with-fragment',
    reason: /resource was \S+\/mcp#frag; the canonical server URI is/,
    // The authorization server refuses the authorization request with invalid_target (RFC 8707 §2).
    alsoFails: NO_REDEMPTION,
  },
  {
    check: 'resource-no-trailing-slash',
    scenario: 'auth/metadata-var2',
    defect: 'prm-resource-with-slash',
    reason: /resource was http:\/\/127\.0\.0\.1:\d+\/; MCP asks for http:\/\/127\.0\.0\.1:\d+, without the trailing slash/,
  },
  {
    check: 'resource-consistent',
    scenario: 'auth/metadata-default',
    defect: 'no-resource-token',
    reason: /authorized for \S+\/mcp but redeemed for \(none\)/,
    alsoFails: ['resource-in-token-request'],
  },
  // scope
  {
    check: 'scope-from-www-authenticate',
    scenario: 'auth/scope-from-www-authenticate',
    defect: 'scope-all-supported',
    reason: /requested "mcp:profile mcp:admin"; the challenge named "mcp:basic"/,
    alsoFails: ['scope-covers-challenge'],
  },
  {
    check: 'scope-covers-challenge',
    scenario: 'auth/scope-from-www-authenticate',
    defect: 'no-scope',
    reason: /requested \(none\), without the challenged mcp:basic/,
    alsoFails: ['scope-from-www-authenticate'],
  },
  {
    check: 'scope-from-scopes-supported',
    scenario: 'auth/scope-from-scopes-supported',
    defect: 'scope-from-supported-ignored',
    reason: /requested \(none\); scopes_supported is "mcp:basic mcp:read mcp:write"/,
  },
  {
    check: 'scope-omitted-when-undefined',
    scenario: 'auth/scope-omitted-when-undefined',
    defect: 'default-scope',
    reason: /requested "mcp" with nothing to base it on/,
  },
  // token use
  {
    check: 'authorized-after-401',
    scenario: 'auth/metadata-default',
    defect: 'token-in-query',
    reason: /retried after authorizing but every request was refused \(401\)/,
    alsoFails: others(TOKEN_IN_QUERY, 'authorized-after-401'),
  },
  {
    check: 'token-sent-as-bearer',
    scenario: 'auth/metadata-default',
    defect: 'token-in-query',
    reason: /no MCP request carried an issued token as Bearer/,
    alsoFails: others(TOKEN_IN_QUERY, 'token-sent-as-bearer'),
  },
  {
    check: 'token-on-every-request',
    scenario: 'auth/metadata-default',
    defect: 'no-auth-on-followups',
    reason: /\d+ of \d+ MCP request\(s\) after authorization had no token/,
    // The resource server answers the bare requests 401 and the client gives up; its first retry was accepted.
    alsoFails: ['client-process'],
  },
  {
    check: 'token-not-in-query',
    scenario: 'auth/metadata-default',
    defect: 'token-in-query',
    reason: /an access token appeared in a request URL/,
    alsoFails: others(TOKEN_IN_QUERY, 'token-not-in-query'),
  },
  {
    check: 'token-only-to-its-resource',
    scenario: 'auth/metadata-default',
    defect: 'token-to-other-resource',
    reason: /the access token was sent to \S*jwks/,
  },
  // authorization response safety
  { check: 'state-sent', scenario: 'auth/metadata-default', defect: 'no-state', reason: /authorization request without state/ },
  {
    check: 'state-mismatch-rejected',
    scenario: 'auth/state-mismatch',
    defect: 'skip-state-check',
    reason: /redeemed a code although the response carried a different state/,
  },
  {
    check: 'state-missing-rejected',
    scenario: 'auth/state-missing',
    defect: 'skip-state-check',
    reason: /redeemed a code although the response had no state/,
  },
  {
    check: 'iss-matching-accepted',
    scenario: 'auth/iss-supported',
    defect: 'iss-compare-with-slash',
    reason: /did not redeem the code although iss matched the advertised issuer/,
    alsoFails: NO_REDEMPTION,
  },
  {
    check: 'iss-absent-unadvertised-accepted',
    scenario: 'auth/iss-not-advertised',
    defect: 'require-iss-always',
    reason: /did not redeem the code although the server does not advertise iss and sent none/,
    alsoFails: NO_REDEMPTION,
  },
  {
    check: 'iss-missing-rejected',
    scenario: 'auth/iss-supported-missing',
    defect: 'ignore-missing-iss',
    reason: /redeemed a code although the server advertises iss support but the response had none/,
  },
  {
    check: 'iss-wrong-rejected',
    scenario: 'auth/iss-wrong-issuer',
    defect: 'skip-iss-check',
    reason: /redeemed a code although iss named another issuer$/,
  },
  {
    check: 'iss-unadvertised-wrong-rejected',
    scenario: 'auth/iss-unexpected',
    defect: 'iss-only-when-advertised',
    reason: /redeemed a code although iss named another issuer \(support not advertised\)/,
  },
  {
    check: 'iss-not-normalized',
    scenario: 'auth/iss-normalized',
    defect: 'normalize-iss',
    reason: /redeemed a code although iss was the issuer with a trailing slash/,
  },
  // step-up (single-run scenarios: the mutant needs no store for them)
  {
    check: 'step-up-initial-scope',
    scenario: 'auth/scope-step-up',
    defect: 'scope-all-supported',
    reason: /the first authorization requested "mcp:profile", without the challenged mcp:basic/,
  },
  // Without step-up the tool call ends the run with an error; that exit is the step-up checks' verdict,
  // not client-process's (the scenario's exitExplainedBy), and the union has nothing to judge.
  {
    check: 'step-up-escalation',
    scenario: 'auth/scope-step-up',
    defect: 'no-step-up',
    reason: /after the 403 insufficient_scope \(#\d+, scope "mcp:write"\) the client never authorized again/,
  },
  {
    check: 'step-up-scope-union',
    scenario: 'auth/scope-step-up',
    defect: 'no-scope-union',
    reason: /the step-up authorization requested "mcp:write"; the union of the earlier "mcp:basic" and the challenged "mcp:write" lacks mcp:basic/,
  },
  // A client that never steps up is step-up-escalation's; this one steps up and still sends the old token.
  {
    check: 'step-up-call-succeeds',
    scenario: 'auth/scope-step-up',
    defect: 'step-up-keeps-old-token',
    reason: /tools\/call never succeeded after the 403 insufficient_scope \(#\d+\); the last attempt, #\d+, got 403/,
  },
  // The mutant refreshes once, meets the same 403, then authorizes: the refresh it should not have made is the finding.
  {
    check: 'step-up-reauthorizes',
    scenario: 'auth/scope-step-up-with-refresh-token',
    defect: 'refresh-on-step-up',
    reason: /after the 403 insufficient_scope \(#\d+\) the client refreshed \(#\d+\) before authorizing again: a refresh cannot widen scope/,
  },
  ...(['auth/scope-retry-limit', 'auth/scope-step-up-varying-challenge', 'auth/scope-step-up-reordered-challenge'] as const).map((scenario) => ({
    check: 'step-up-retry-limit',
    scenario,
    defect: 'no-retry-limit' as const,
    reason: /\d+ authorization attempts for an operation whose step-up cannot succeed \(at most 3\)/,
  })),
  // caching that a client without a store still shows: the second start is a cold one
  {
    check: 'reregister-on-as-change',
    scenario: 'auth/authorization-server-migration',
    defect: 'keep-client-across-as',
    reason: /after the 401 \(#\d+\) that followed the change after the resource server served #\d+, the client went to \S+ \(#\d+, authorize\) without registering there/,
    // The second server does not know the client: no code, and the run ends in an error.
    alsoFails: ['no-credential-reuse-across-as', 'client-process'],
  },
  {
    check: 'no-credential-reuse-across-as',
    scenario: 'auth/authorization-server-migration',
    defect: 'keep-client-across-as',
    reason: /at the second authorization server carried the client_id the first server registered/,
    alsoFails: ['reregister-on-as-change', 'client-process'],
  },
  {
    check: 'discovery-refetch-on-new-resource-metadata',
    scenario: 'auth/discovery-new-resource-metadata',
    defect: 'ignore-resource-metadata',
    reason: /run 2 \(new resource metadata\) never fetched \S+\/oauth-protected-resource\/mcp-v2, which the 401 \(#\d+\) named/,
  },
  // 2025-03-26 back-compat
  {
    check: 'legacy-metadata-at-server-root',
    scenario: 'auth/2025-03-26-oauth-metadata-backcompat',
    defect: 'ignore-legacy-metadata',
    reason: /used the default endpoint \S+\/register without ever requesting \S+\/\.well-known\/oauth-authorization-server/,
    // The default endpoints do not exist on this server (its metadata names /oauth/...), so registration fails.
    alsoFails: atWire2025(NO_AUTHORIZATION),
  },
  {
    check: 'legacy-metadata-at-server-root',
    scenario: 'auth/2025-03-26-oauth-metadata-backcompat',
    defect: 'follow-default-endpoints-first',
    reason: /tried the default endpoint \S+\/register although the metadata names its endpoints/,
  },
  {
    check: 'legacy-default-endpoints',
    scenario: 'auth/2025-03-26-oauth-endpoint-fallback',
    defect: 'follow-default-endpoints-first',
    reason: /used \S+\/register without trying \S+\/\.well-known\/oauth-authorization-server first/,
  },
];

/**
 * Rows for the reference mutant (test/mutants/reference-mutant.ts, defects chosen with
 * REFERENCE_DEFECTS): the reference client, which keeps its credentials in the state directory
 * under a lock, with one part swapped for a defective one. The checks of several runs and racing
 * copies need a client with a store to fail for the right reason; the mutant client above keeps
 * nothing between runs. `reason` says what the check's message must say, as above.
 */
export interface ReferenceMutantCase extends Omit<MutantCase, 'defect'> {
  defect: ReferenceDefect;
}

/** Every check of the race but the one named: which of them a broken lock also breaks depends on the interleaving. */
const RACE_CHECKS = clientScenarios.find((s) => s.id === 'auth/refresh-race')!.checks.map((c) => c.id);
const raceBesides = (...excluded: string[]) => RACE_CHECKS.filter((id) => !excluded.includes(id));

export const REFERENCE_MUTANT_MATRIX: ReferenceMutantCase[] = [
  // refresh across runs
  {
    check: 'refresh-instead-of-reauthorization',
    scenario: 'auth/refresh-across-runs',
    defect: 'clear-on-5xx',
    reason: /run \d \([^)]+\) authorized again \(#\d+\) while family \S+ was alive/,
    alsoFails: ['refresh-survives-transient-errors'],
  },
  {
    check: 'refresh-token-rotated-used',
    scenario: 'auth/refresh-across-runs',
    defect: 'keep-old-refresh-token',
    reason: /refresh #\d+ presented generation 0 of family \S+ \(issued in #\d+\), but #\d+ had already issued generation 1/,
    // The server sees reuse and revokes the family: the client authorizes again, and so never refreshes
    // while rotation is off (refresh-token-kept-when-not-rotated does not apply).
    alsoFails: ['refresh-instead-of-reauthorization'],
  },
  {
    check: 'refresh-token-kept-when-not-rotated',
    scenario: 'auth/refresh-across-runs',
    defect: 'drop-refresh-token-when-not-rotated',
    reason: /answered without a refresh token, the client authorized again/,
    alsoFails: ['refresh-instead-of-reauthorization'],
  },
  {
    check: 'refresh-survives-transient-errors',
    scenario: 'auth/refresh-across-runs',
    defect: 'clear-on-5xx',
    reason: /after the 503 on refresh #\d+ the client authorized again/,
    alsoFails: ['refresh-instead-of-reauthorization'],
  },
  // racing copies, run on the property's first example (all copies at once, slow refreshes, strict rotation)
  // (Not refresh-no-superseded-token: copies with no lock present the same token together, before any successor exists.)
  {
    check: 'refresh-reuse-never-detected',
    scenario: 'auth/refresh-race',
    defect: 'no-lock',
    reason: /the server detected reuse and revoked family/,
    mayAlsoFail: raceBesides('refresh-reuse-never-detected'),
  },
  {
    check: 'refresh-single-flight',
    scenario: 'auth/refresh-race',
    defect: 'in-process-lock-only',
    reason: /before refresh #\d+ \(client-\d+\) of the same family \S+ was answered/,
    mayAlsoFail: raceBesides('refresh-single-flight'),
  },
  {
    check: 'refresh-single-flight',
    scenario: 'auth/refresh-race',
    defect: 'refresh-unlocked-on-lock-timeout',
    reason: /before refresh #\d+ \(client-\d+\) of the same family \S+ was answered/,
    mayAlsoFail: raceBesides('refresh-single-flight'),
  },
  {
    check: 'refresh-token-presented-once',
    scenario: 'auth/refresh-race',
    defect: 'lock-write-only',
    reason: /presented generation \d+ of family \S+ again after refresh/,
    mayAlsoFail: raceBesides('refresh-token-presented-once'),
  },
  // The lock still works, so refreshes never overlap; the copies that waited present what they read at start.
  {
    check: 'refresh-no-reauthorization',
    scenario: 'auth/refresh-race',
    defect: 'clear-on-invalid-grant-without-reread',
    reason: /authorized again/,
    mayAlsoFail: raceBesides('refresh-no-reauthorization', 'refresh-single-flight'),
  },
  {
    check: 'refresh-no-superseded-token',
    scenario: 'auth/refresh-race',
    defect: 'whole-store-overwrite',
    reason: /had already issued generation/,
    mayAlsoFail: raceBesides('refresh-no-superseded-token', 'refresh-single-flight'),
  },
  {
    check: 'refresh-follow-up-uses-latest',
    scenario: 'auth/refresh-race',
    defect: 'keep-old-refresh-token',
    reason: /run 3 \(follow-up\)/,
    mayAlsoFail: raceBesides('refresh-follow-up-uses-latest', 'refresh-single-flight'),
  },
  {
    check: 'refresh-single-flight-in-process',
    scenario: 'auth/refresh-concurrent-requests',
    defect: 'no-lock',
    reason: /refresh #\d+ arrived at [\d.]+ ms while refresh #\d+ of family \S+ was still unanswered/,
    // Both refreshes present the same token: whichever the strict server answers second is reuse,
    // which revokes the family and sends the client to authorize again (RT-C-08), or not, by timing.
    mayAlsoFail: ['refresh-instead-of-reauthorization'],
  },
  // step-up
  // The refreshed token is as narrow as before: the call is refused again and the client gives up,
  // an exit the step-up check's verdict explains (exitExplainedBy).
  {
    check: 'step-up-reauthorizes',
    scenario: 'auth/scope-step-up-with-refresh-token',
    defect: 'step-up-via-refresh',
    reason: /the client refreshed \(#\d+\) instead of authorizing: a refresh cannot widen scope/,
  },
  {
    check: 'step-up-scope-union',
    scenario: 'auth/scope-step-up',
    defect: 'step-up-without-union',
    reason: /lacks mcp:basic/,
  },
  {
    check: 'scope-never-narrows',
    scenario: 'auth/scope-never-narrows',
    defect: 'step-up-keeps-old-refresh-token',
    reason: /not of the stepped-up family/,
    // The narrow grant it refreshes cannot call the tool: the second run steps up, an authorization the right family would have spared.
    alsoFails: ['refresh-instead-of-reauthorization'],
  },
  {
    check: 'bare-403-not-step-up',
    scenario: 'auth/scope-bare-403',
    defect: 'step-up-on-any-403',
    reason: /after the bare 403 \(#\d+, no WWW-Authenticate challenge\) the client authorized again/,
  },
  // caching
  { check: 'discovery-cached-warm', scenario: 'auth/discovery-warm-reconnect', defect: 'discover-every-start', reason: /run 2 \(warm reconnect\) fetched \S+ .*again/ },
  {
    check: 'refresh-not-while-valid',
    scenario: 'auth/discovery-warm-reconnect',
    defect: 'refresh-at-every-start',
    reason: /run 2 \(warm reconnect\) refreshed \(#\d+\) although its access token was valid and no request had been refused/,
  },
  { check: 'registration-once', scenario: 'auth/discovery-warm-reconnect', defect: 'register-every-run', reason: /2 registrations; run 2 \(warm reconnect\) registered again/ },
  // Tokens kept and reused, but a new client for every authorization: only a later start that must authorize shows it.
  { check: 'registration-once', scenario: 'auth/registration-reused', defect: 'register-every-authorization', reason: /2 registrations; run 2 \(access revoked\) registered again/ },
  // A later start whose refresh token is refused must authorize again: only judging every start shows it.
  {
    check: 'authorized-after-401',
    scenario: 'auth/registration-reused',
    defect: 'give-up-on-refused-refresh',
    reason: /^client-2 \(run 2 \(access revoked\)\): after the 401 \(#\d+\) the server refused the client's refresh token \(#\d+, 400\), and the client never authorized again/,
    // The second authorization the world made mandatory never happened, so its freshness is not reached.
    alsoFails: ['client-process', 'pkce-fresh-per-attempt'],
  },
  {
    check: 'discovery-no-store-honoured',
    scenario: 'auth/discovery-cache-control',
    defect: 'cache-ignores-no-store',
    reason: /used the authorization server \(#\d+\) without fetching \S+ again, although it was served with no-store/,
  },
  {
    check: 'discovery-outage-keeps-last-known-good',
    scenario: 'auth/discovery-outage',
    defect: 'origin-fallback-on-outage',
    reason: /after the PRM outage \(#\d+, 503\) run 2 \(PRM unavailable\) treated the resource server's origin as its authorization server/,
  },
  { check: 'discovery-max-age-honoured', scenario: 'auth/discovery-max-age', defect: 'no-discovery-cache', reason: /again while still fresh \(max-age 3600 s\)/ },
  { check: 'discovery-single-flight', scenario: 'auth/discovery-concurrent-cold-start', defect: 'no-discovery-cache', reason: /was fetched \d+ times by \d+ copies/ },
  {
    check: 'reregister-on-as-change',
    scenario: 'auth/authorization-server-migration-across-runs',
    defect: 'client-keyed-by-resource',
    reason: /without registering there/,
    // The second server does not know the client, so the authorization fails and the run with it;
    // no request of the second start is served, which is not reached because of this defect.
    alsoFails: ['no-credential-reuse-across-as', 'client-process', 'authorized-after-401'],
  },
  {
    check: 'no-credential-reuse-across-as',
    scenario: 'auth/authorization-server-migration-across-runs',
    defect: 'client-keyed-by-resource',
    reason: /at the second authorization server carried the client_id the first server registered/,
    alsoFails: ['reregister-on-as-change', 'client-process', 'authorized-after-401'],
  },
  {
    check: 'auth-failure-bounded',
    scenario: 'auth/auth-failure-loop',
    defect: 'no-retry-limit',
    reason: /run 1 \(every token refused\) sought a new token \d+ times \(1 authorization\(s\), \d+ refresh\(es\)\) against a server that refused every token \(at most 6\)/,
  },
  {
    check: 'auth-failure-not-cached',
    scenario: 'auth/auth-failure-loop',
    defect: 'cache-auth-failure',
    reason: /no run after the failure in run 1 \(every token refused\) sent the server any request/,
    // The second run gives up at once, with a non-zero exit.
    alsoFails: ['client-process'],
  },
];
