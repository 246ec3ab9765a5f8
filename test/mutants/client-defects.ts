// The defect switches of the mutant client (client.ts), each with what it changes. Kept apart from the
// client so that tests can name defects with type checking without starting a client.
export const CLIENT_DEFECTS = {
  // Protected resource metadata (RFC 9728)
  'root-prm-first': 'probes the root PRM URI before the path-inserted one',
  'ignore-resource-metadata': "ignores the challenge's resource_metadata and only probes well-known URIs",
  'skip-prm-resource-check': 'uses a PRM document whose resource is not the MCP URL',
  // Authorization server metadata (RFC 8414 / OIDC Discovery)
  'oidc-before-oauth': 'tries openid-configuration before oauth-authorization-server',
  'wrong-asm-order-path-issuer': 'for an issuer with a path, tries root /.well-known/oauth-authorization-server first',
  'skip-issuer-check': 'uses metadata whose issuer is not the one the URL was built from',
  'oauth-metadata-only': 'never tries the OpenID Connect well-known forms, only oauth-authorization-server',
  // PKCE
  'pkce-plain': 'sends code_challenge_method=plain',
  'no-pkce': 'sends no code_challenge and no code_verifier',
  'no-verifier': 'sends a code_challenge but redeems the code without code_verifier',
  'wrong-verifier': 'redeems the code with a fresh random code_verifier instead of the one it hashed',
  'reuse-verifier': 'uses one code_verifier for every attempt, kept in the state directory across runs',
  'proceed-without-pkce-support': 'goes on when code_challenge_methods_supported is absent',
  // Resource indicators (RFC 8707)
  'no-resource-authorize': 'omits resource from the authorization request',
  'no-resource-token': 'omits resource from token requests (code and refresh)',
  'resource-with-fragment': 'sends <mcp url>#frag as resource',
  'resource-origin-only': "sends the MCP server's origin as resource",
  'prm-resource-with-slash': 'sends the resource its PRM document names, written with a trailing slash after an empty path',
  // Scope selection and step-up
  'no-scope': 'never sends scope',
  'default-scope': 'asks for scope "mcp" when neither the challenge nor PRM names any',
  'scope-all-supported': 'ignores the challenge scope and asks for every scopes_supported',
  'scope-from-supported-ignored': 'omits scope when the challenge has none, even though PRM lists scopes_supported',
  'no-scope-union': 'on step-up asks only for the challenged scopes, dropping the earlier ones',
  'no-step-up': 'treats 403 insufficient_scope as final: never authorizes again for more scope',
  'step-up-keeps-old-token': 'steps up, then calls the tool again with the token it had before the step-up',
  'refresh-on-step-up': 'answers 403 insufficient_scope by refreshing (which cannot widen scope) instead of authorizing',
  'no-retry-limit': 'keeps re-authorizing up to 10 times instead of 3',
  // Token use
  'token-in-query': 'sends the access token as ?access_token= instead of the Authorization header',
  'no-auth-on-followups': 'only the first authorized MCP request carries the Authorization header',
  'token-to-other-resource': "also sends the access token to the AS's jwks_uri",
  'keep-old-refresh-token': 'keeps using the first refresh token after the AS rotated it',
  // Authorization response (state, RFC 9207 iss)
  'no-state': 'sends no state',
  'skip-state-check': 'does not compare the returned state',
  'skip-iss-check': 'does not look at iss at all',
  'normalize-iss': 'compares iss after stripping a trailing slash and lower-casing',
  'ignore-missing-iss': 'goes on when iss is missing although the AS advertises it',
  'iss-compare-with-slash': 'compares iss against the issuer plus "/", so a correct iss is rejected',
  'iss-only-when-advertised': 'looks at iss only when the AS advertises authorization_response_iss_parameter_supported',
  'require-iss-always': 'rejects a response without iss even when the AS does not advertise it',
  'no-refuse-on-mismatch': 'detects a state or iss problem, logs it, and redeems the code anyway',
  // Client registration and authentication
  'no-application-type': 'registers without application_type',
  'application-type-web': 'registers its loopback redirect URIs with application_type "web"',
  'dcr-no-redirect-uris': 'registers without redirect_uris',
  'ignore-issued-client-id': 'uses a made-up client_id instead of the one registration returned',
  'keep-client-across-as': 'when a refused grant sends it to discover again, keeps its client registration whichever authorization server it finds',
  'no-refresh-grant-type': 'registers with grant_types ["authorization_code"] only',
  'dcr-even-if-preregistered': 'ignores pre-registered credentials from the context (then takes CIMD or registration, whichever the AS offers)',
  'dcr-even-if-cimd': 'registers even when the AS supports client ID metadata documents',
  'cimd-http-url': 'uses the client ID metadata document URL with http instead of https',
  'basic-as-post': 'sends client_secret_post where client_secret_basic is the method',
  'post-as-basic': 'sends client_secret_basic where client_secret_post is the method',
  'basic-no-urlencode': 'builds the Basic header without form-urlencoding client id and secret',
  // 2025-03-26 back-compat (no PRM, the AS at the MCP server's origin)
  'follow-default-endpoints-first': 'uses /register, /authorize, /token at the origin before trying metadata',
  'ignore-legacy-metadata': 'never fetches metadata, always uses the default endpoints',
} as const;

export type ClientDefect = keyof typeof CLIENT_DEFECTS;
