// Real resource-server libraries, as their documentation wires them and as well as they can be
// configured (the harnesses are in test/targets/servers/), with every verdict the suite gives them and
// the text each failing or warning check holds them to. The integration test runs the suite against
// each and expects exactly these verdicts; the README's "What real servers get" is written from here.

export interface PinnedVerdict {
  status: 'fail' | 'warn';
  /** What the target does, and the text it breaks. */
  why: string;
}

export interface ServerPin {
  /** The harness in test/targets/servers/ (without .ts). */
  target: string;
  implementation: string;
  configuration: 'default' | 'best';
  /** What the configuration is, in a few words. */
  wiring: string;
  /** Scopes the harness's test-tool needs, stated to the suite as a user would (--tool-scope). */
  toolScopes?: Record<string, string[]>;
  /** Every check that fails or warns, by id (in whichever scenarios judge it). */
  verdicts: Record<string, PinnedVerdict>;
}

const NO_ERROR = { status: 'warn', why: 'the 401 to a request without any token carries error="invalid_token" (or another code); RFC 6750 §3.1: such a response SHOULD NOT include an error code' } as const;
const NO_SCOPE = { status: 'warn', why: 'the 401 names no scope to request (MCP 2025-11-25 "Scope Selection Strategy": servers SHOULD include scope)' } as const;
const HEADER_AND_QUERY = { status: 'warn', why: 'a token in the header and in the query at once is served instead of refused with 400 invalid_request (RFC 6750 §2, §3.1)' } as const;
const NO_EXP = { status: 'fail', why: 'a JWT without exp is accepted; RFC 9068 §2.2 makes exp REQUIRED and §4 has the resource server reject a token whose exp is not in the future' } as const;
const AUDIENCE = { status: 'fail', why: 'tokens issued for another resource, or for none, are accepted: aud is not checked (MCP "Token Audience Binding": servers MUST validate that tokens were issued for them; RFC 8707, RFC 9068 §4)' } as const;
const ISSUER = { status: 'fail', why: 'tokens of another issuer, or of none, are accepted: iss is not checked (RFC 9068 §4: iss MUST exactly match the issuer)' } as const;
const CROWD = { status: 'fail', why: 'the same invalid tokens are served when sent at once with valid ones (a consequence of the checks above)' } as const;
const DRAWN = { status: 'fail', why: 'fast-check draws one of those invalid tokens and it is served (a consequence of the checks above; the counterexample names it)' } as const;
const NO_SCOPES_SUPPORTED = { status: 'warn', why: 'the PRM document lists no scopes_supported (RFC 9728 §2: RECOMMENDED)' } as const;

export const SERVER_PINS: ServerPin[] = [
  {
    target: 'sdk-1.32.2-default',
    implementation: '@modelcontextprotocol/sdk 1.32.2',
    configuration: 'default',
    wiring: 'requireBearerAuth + mcpAuthMetadataRouter as the SDK example wires them, with a verifier that throws plain errors',
    verdicts: {
      'no-token-no-error': NO_ERROR,
      'no-token-scope': NO_SCOPE,
      'rejects-foreign-issuer': ISSUER,
      'rejects-foreign-audience': AUDIENCE,
      'invalid-token-401': { status: 'fail', why: 'expired, unsigned and garbage tokens get 500: requireBearerAuth turns any verifier error that is not its InvalidTokenError into a server error (MCP "Error Handling": invalid or expired tokens get 401)' },
      'no-server-errors': { status: 'fail', why: 'the same 500s, alone, in the burst and for drawn tokens (RFC 6750 §3.1: invalid_token is a 401)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
      'burst-invalid-refused': CROWD,
    },
  },
  {
    target: 'sdk-1.32.2-best',
    implementation: '@modelcontextprotocol/sdk 1.32.2',
    configuration: 'best',
    wiring: 'requiredScopes, expectedResource, and a jose verifier that checks iss, aud, typ and exp and throws InvalidTokenError',
    verdicts: { 'no-token-no-error': NO_ERROR, 'header-and-query-rejected': HEADER_AND_QUERY },
  },
  {
    target: 'mcp-auth-0.2.0-default',
    implementation: 'mcp-auth 0.2.0',
    configuration: 'default',
    wiring: 'protectedResources with the issuer discovered, bearerAuth("jwt", { resource })',
    verdicts: {
      'no-token-no-error': NO_ERROR,
      'no-token-scope': NO_SCOPE,
      'error-code-registered': { status: 'warn', why: 'its challenges say error="missing_auth_header", "invalid_issuer", "invalid_audience"..., codes RFC 6750 §3.1 does not define and no client acts on' },
      'rejects-no-expiry': NO_EXP,
      'rejects-foreign-audience': AUDIENCE,
      'invalid-token-error': { status: 'warn', why: 'a token of another issuer gets error="invalid_issuer" instead of invalid_token (RFC 6750 §3: the error of a token that failed is invalid_token)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
      'burst-invalid-refused': CROWD,
      'fuzz-invalid-refused': DRAWN,
    },
  },
  {
    target: 'mcp-auth-0.2.0-best',
    implementation: 'mcp-auth 0.2.0',
    configuration: 'best',
    wiring: 'audience, requiredScopes and jwtVerify { typ, requiredClaims: ["exp"] }',
    verdicts: {
      'no-token-no-error': NO_ERROR,
      'no-token-scope': NO_SCOPE,
      'error-code-registered': { status: 'warn', why: 'missing_auth_header, invalid_audience, missing_required_scopes... are not RFC 6750 §3.1 codes' },
      'invalid-token-error': { status: 'warn', why: 'wrong-audience and wrong-issuer tokens get error="invalid_audience" / "invalid_issuer", not invalid_token (RFC 6750 §3)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
      'insufficient-scope-challenge': { status: 'warn', why: 'the 403 says error="missing_required_scopes" and names neither scope nor resource_metadata, so no client can step up (MCP "Scope Challenge Handling": SHOULD send insufficient_scope with scope and resource_metadata)' },
    },
  },
  {
    target: 'mcp-handler-2.4.0-default',
    implementation: 'mcp-handler 2.4.0',
    configuration: 'default',
    wiring: 'withMcpAuth(handler, verifyToken, { required: true }) and protectedResourceHandler at the root, verifyToken as its README writes it',
    verdicts: {
      'prm-scopes-advertised': NO_SCOPES_SUPPORTED,
      'no-token-no-error': NO_ERROR,
      'no-token-scope': NO_SCOPE,
      'rejects-no-expiry': NO_EXP,
      'rejects-foreign-issuer': ISSUER,
      'rejects-foreign-audience': AUDIENCE,
      'header-and-query-rejected': HEADER_AND_QUERY,
      'burst-invalid-refused': CROWD,
      'fuzz-invalid-refused': DRAWN,
    },
  },
  {
    target: 'mcp-handler-2.4.0-best',
    implementation: 'mcp-handler 2.4.0',
    configuration: 'best',
    wiring: 'requiredScopes, a path-inserted PRM from generateProtectedResourceMetadata, a tool scopeChallenge, a jose verifier throwing OAuthError',
    toolScopes: { 'test-tool': ['mcp:write'] },
    verdicts: { 'no-token-no-error': NO_ERROR, 'header-and-query-rejected': HEADER_AND_QUERY },
  },
  {
    target: 'fastmcp-4.20.16-default',
    implementation: 'fastmcp 4.20.16',
    configuration: 'default',
    wiring: 'its README\'s OAuth discovery setup: authenticate() throws a bare 401 Response after JWKSVerifier({ jwksUri })',
    verdicts: {
      'prm-resource-matches': { status: 'fail', why: 'the root PRM document names the MCP endpoint as its resource, where RFC 9728 §3.3 makes a document found at the root name the origin; a client that follows §3.3 must discard it' },
      'prm-scopes-advertised': NO_SCOPES_SUPPORTED,
      'no-token-challenge': { status: 'fail', why: 'the 401 carries no WWW-Authenticate at all (RFC 9110 §15.5.2, RFC 6750 §3: MUST), so no client learns where to authorize' },
      'invalid-token-challenge': { status: 'fail', why: 'the 401s to invalid tokens carry no challenge either (RFC 6750 §3)' },
      'accepts-lowercase-scheme': { status: 'fail', why: '"bearer <token>" is refused: the README\'s authenticate() tests startsWith("Bearer "), where auth schemes are case-insensitive (RFC 9110 §11.1)' },
      'fuzz-valid-accepted': { status: 'fail', why: 'the same, found by fast-check: a valid token under a lower- or mixed-case scheme is refused' },
      'rejects-no-expiry': NO_EXP,
      'rejects-foreign-issuer': ISSUER,
      'rejects-foreign-audience': AUDIENCE,
      'header-and-query-rejected': HEADER_AND_QUERY,
      'burst-invalid-refused': CROWD,
    },
  },
  {
    target: 'fastmcp-4.20.16-best',
    implementation: 'fastmcp 4.20.16',
    configuration: 'best',
    wiring: 'JWKSVerifier with issuer and audience, errors thrown so mcp-proxy writes the challenge, canAccess requireScopes("mcp:write") on the tool',
    toolScopes: { 'test-tool': ['mcp:write'] },
    verdicts: {
      'prm-resource-matches': { status: 'fail', why: 'the root PRM document names the MCP endpoint, not the origin (RFC 9728 §3.3)' },
      'no-token-no-error': NO_ERROR,
      'no-token-scope': NO_SCOPE,
      'rejects-no-expiry': { status: 'fail', why: 'JWKSVerifier has no way to require exp, so a JWT without it is accepted (RFC 9068 §2.2, §4)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
      'insufficient-scope-403': { status: 'fail', why: 'calling a tool without its scope gets 200 with JSON-RPC error -32601 "Unknown tool": fastmcp has no 403 path (MCP "Error Handling": 403 for insufficient scope)' },
      'burst-invalid-refused': CROWD,
      'fuzz-invalid-refused': DRAWN,
    },
  },
  {
    target: 'better-auth-oauth-provider-1.7.5-default',
    implementation: '@better-auth/oauth-provider 1.7.5',
    configuration: 'default',
    wiring: 'oauthProviderResourceClient().verifyAccessTokenRequest with jwksUrl and verifyOptions { issuer, audience }, getProtectedResourceMetadata',
    verdicts: {
      'prm-scopes-advertised': NO_SCOPES_SUPPORTED,
      'no-token-scope': NO_SCOPE,
      'rejects-no-expiry': NO_EXP,
      'invalid-token-error': { status: 'warn', why: 'invalid tokens get a challenge with no error code at all (RFC 6750 §3: SHOULD include error)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
      'burst-invalid-refused': CROWD,
      'fuzz-invalid-refused': DRAWN,
    },
  },
  {
    target: 'better-auth-oauth-provider-1.7.5-best',
    implementation: '@better-auth/oauth-provider 1.7.5',
    configuration: 'best',
    wiring: 'requiredScopes and verifyOptions { typ, algorithms, requiredClaims: ["exp"] }, scopes_supported and bearer_methods_supported in the PRM',
    verdicts: {
      'no-token-scope': NO_SCOPE,
      'invalid-token-error': { status: 'warn', why: 'invalid tokens get a challenge with no error code (RFC 6750 §3)' },
      'header-and-query-rejected': HEADER_AND_QUERY,
    },
  },
];
