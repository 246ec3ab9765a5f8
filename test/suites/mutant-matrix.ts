// For every check: the scenario that exercises it and the one-defect mutant that must fail it.
// The reference client and the defect-free mutant must pass every one of these checks.
export interface MutantCase {
  check: string;
  scenario: string;
  defect: string;
}

export const MUTANT_MATRIX: MutantCase[] = [
  // discovery
  { check: 'prm-discovered', scenario: 'auth/metadata-var3', defect: 'ignore-resource-metadata' },
  { check: 'prm-discovery-order', scenario: 'auth/metadata-default', defect: 'root-prm-first' },
  { check: 'prm-discovery-order', scenario: 'auth/metadata-var3', defect: 'ignore-resource-metadata' },
  { check: 'prm-resource-validated', scenario: 'auth/resource-mismatch', defect: 'skip-prm-resource-check' },
  { check: 'as-metadata-discovered', scenario: 'auth/metadata-var1', defect: 'oauth-metadata-only' },
  { check: 'as-metadata-discovery-order', scenario: 'auth/metadata-default', defect: 'oidc-before-oauth' },
  { check: 'as-metadata-discovery-order', scenario: 'auth/metadata-var2', defect: 'wrong-asm-order-path-issuer' },
  { check: 'as-metadata-issuer-validated', scenario: 'auth/metadata-issuer-mismatch', defect: 'skip-issuer-check' },
  // registration
  { check: 'dcr-request-valid', scenario: 'auth/dynamic-client-registration', defect: 'dcr-no-redirect-uris' },
  { check: 'dcr-application-type', scenario: 'auth/dynamic-client-registration', defect: 'no-application-type' },
  { check: 'dcr-application-type-native', scenario: 'auth/dynamic-client-registration', defect: 'application-type-web' },
  { check: 'dcr-grant-types-refresh-token', scenario: 'auth/dynamic-client-registration', defect: 'no-refresh-grant-type' },
  { check: 'client-id-used', scenario: 'auth/dynamic-client-registration', defect: 'ignore-issued-client-id' },
  { check: 'registration-priority', scenario: 'auth/registration-priority', defect: 'dcr-even-if-preregistered' },
  { check: 'registration-priority', scenario: 'auth/basic-cimd', defect: 'dcr-even-if-cimd' },
  { check: 'cimd-client-id-url', scenario: 'auth/basic-cimd', defect: 'cimd-http-url' },
  { check: 'token-endpoint-auth-method', scenario: 'auth/token-endpoint-auth-basic', defect: 'basic-as-post' },
  { check: 'token-endpoint-auth-method', scenario: 'auth/token-endpoint-auth-post', defect: 'post-as-basic' },
  { check: 'token-endpoint-auth-method', scenario: 'auth/pre-registration', defect: 'basic-as-post' },
  // PKCE
  { check: 'pkce-code-challenge-sent', scenario: 'auth/metadata-default', defect: 'no-pkce' },
  { check: 'pkce-s256', scenario: 'auth/metadata-default', defect: 'pkce-plain' },
  { check: 'pkce-code-verifier-sent', scenario: 'auth/metadata-default', defect: 'no-verifier' },
  { check: 'pkce-verifier-matches-challenge', scenario: 'auth/metadata-default', defect: 'wrong-verifier' },
  { check: 'pkce-fresh-per-attempt', scenario: 'auth/pkce-fresh-per-attempt', defect: 'reuse-verifier' },
  { check: 'pkce-refuses-without-support', scenario: 'auth/pkce-not-advertised', defect: 'proceed-without-pkce-support' },
  { check: 'pkce-refuses-without-support-oidc', scenario: 'auth/pkce-not-advertised-oidc', defect: 'proceed-without-pkce-support' },
  // resource indicators
  { check: 'resource-in-authorization-request', scenario: 'auth/metadata-default', defect: 'no-resource-authorize' },
  { check: 'resource-in-token-request', scenario: 'auth/metadata-default', defect: 'no-resource-token' },
  { check: 'resource-is-canonical-server-uri', scenario: 'auth/metadata-default', defect: 'resource-origin-only' },
  { check: 'resource-is-canonical-server-uri', scenario: 'auth/metadata-default', defect: 'resource-with-fragment' },
  { check: 'resource-consistent', scenario: 'auth/metadata-default', defect: 'no-resource-token' },
  // scope
  { check: 'scope-from-www-authenticate', scenario: 'auth/scope-from-www-authenticate', defect: 'scope-all-supported' },
  { check: 'scope-covers-challenge', scenario: 'auth/scope-from-www-authenticate', defect: 'no-scope' },
  { check: 'scope-from-scopes-supported', scenario: 'auth/scope-from-scopes-supported', defect: 'scope-from-supported-ignored' },
  { check: 'scope-omitted-when-undefined', scenario: 'auth/scope-omitted-when-undefined', defect: 'default-scope' },
  // token use
  { check: 'authorized-after-401', scenario: 'auth/metadata-default', defect: 'token-in-query' },
  { check: 'token-sent-as-bearer', scenario: 'auth/metadata-default', defect: 'token-in-query' },
  { check: 'token-on-every-request', scenario: 'auth/metadata-default', defect: 'no-auth-on-followups' },
  { check: 'token-not-in-query', scenario: 'auth/metadata-default', defect: 'token-in-query' },
  { check: 'token-only-to-its-resource', scenario: 'auth/metadata-default', defect: 'token-to-other-resource' },
  // authorization response safety
  { check: 'state-sent', scenario: 'auth/metadata-default', defect: 'no-state' },
  { check: 'state-mismatch-rejected', scenario: 'auth/state-mismatch', defect: 'skip-state-check' },
  { check: 'state-missing-rejected', scenario: 'auth/state-missing', defect: 'skip-state-check' },
  { check: 'iss-matching-accepted', scenario: 'auth/iss-supported', defect: 'iss-compare-with-slash' },
  { check: 'iss-absent-unadvertised-accepted', scenario: 'auth/iss-not-advertised', defect: 'require-iss-always' },
  { check: 'iss-missing-rejected', scenario: 'auth/iss-supported-missing', defect: 'ignore-missing-iss' },
  { check: 'iss-wrong-rejected', scenario: 'auth/iss-wrong-issuer', defect: 'skip-iss-check' },
  { check: 'iss-unadvertised-wrong-rejected', scenario: 'auth/iss-unexpected', defect: 'iss-only-when-advertised' },
  { check: 'iss-not-normalized', scenario: 'auth/iss-normalized', defect: 'normalize-iss' },
  // 2025-03-26 back-compat
  { check: 'legacy-metadata-at-server-root', scenario: 'auth/2025-03-26-oauth-metadata-backcompat', defect: 'ignore-legacy-metadata' },
  { check: 'legacy-metadata-at-server-root', scenario: 'auth/2025-03-26-oauth-metadata-backcompat', defect: 'follow-default-endpoints-first' },
  { check: 'legacy-default-endpoints', scenario: 'auth/2025-03-26-oauth-endpoint-fallback', defect: 'follow-default-endpoints-first' },
];
