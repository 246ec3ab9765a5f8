// For every check: the scenario that exercises it and the one-defect mutant that must fail it.
// The reference client and the defect-free mutant must pass every one of these checks.
import type { ClientDefect } from '../mutants/client-defects.js';

export interface MutantCase {
  check: string;
  scenario: string;
  defect: ClientDefect;
  /** What the check's message must say: it failed because of this defect, not for some other reason. */
  reason?: RegExp;
  /**
   * The other checks of the scenario this defect legitimately breaks (fail or warn); every check not
   * named here must still pass, so a mutant fails for exactly its defect and these consequences.
   */
  alsoFails?: string[];
}

// Consequences shared by many rows. A defect that stops the flow leaves later checks without anything
// to judge, and those fail by design ("a check whose precondition never happened fails").

/** The client never holds an access token, so it exits non-zero and no use of a token can be judged. */
const NO_TOKEN = ['client-process', 'authorized-after-401', 'token-sent-as-bearer', 'token-on-every-request', 'token-not-in-query', 'token-only-to-its-resource'];

/** The client never sends a token request (or never a successful one), so the redemption checks have nothing either. */
const NO_REDEMPTION = ['token-endpoint-auth-method', 'pkce-code-verifier-sent', 'pkce-verifier-matches-challenge', 'resource-in-token-request', 'resource-consistent', ...NO_TOKEN];

/** The client never reaches the authorization endpoint. */
const NO_AUTHORIZATION = ['pkce-code-challenge-sent', 'pkce-s256', 'resource-in-authorization-request', 'state-sent', 'client-id-used', 'resource-is-canonical-server-uri', ...NO_REDEMPTION];

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
    reason: /PRM named resource https:\/\/attacker\.example\/mcp for \S+, yet the client went on/,
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
    reason: /registered dynamically although the server supports client ID metadata documents/,
    // It never uses a URL client_id, which leaves that check nothing to judge.
    alsoFails: ['cimd-client-id-url'],
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
    alsoFails: NO_TOKEN,
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
    // The resource server answers the bare requests 401, so the client never gets to call a tool.
    alsoFails: ['client-process', 'authorized-after-401'],
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
  // 2025-03-26 back-compat
  {
    check: 'legacy-metadata-at-server-root',
    scenario: 'auth/2025-03-26-oauth-metadata-backcompat',
    defect: 'ignore-legacy-metadata',
    reason: /used the default endpoint \S+\/register without ever requesting \S+\/\.well-known\/oauth-authorization-server/,
    // The default endpoints do not exist on this server (its metadata names /oauth/...), so registration fails.
    alsoFails: NO_AUTHORIZATION,
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
