// The single defects the reference-server mutant (reference-server-mutant.ts) can carry, each with
// what it changes. Kept apart from the mutant so tests can name defects with type checking without
// starting it.
export const REFERENCE_SERVER_DEFECTS = {
  // Token validation. JWT checks are jwt.ts; where introspection makes the same check, it goes too.
  'no-audience-check': 'accepts a token whatever its aud: jwtVerify without audience, and an introspection answer\'s aud not compared',
  'no-issuer-check': 'accepts a token whatever its iss: jwtVerify without issuer, and an introspection answer\'s iss not compared',
  'accepts-expired': 'accepts a JWT whose exp is past; every other check is still made',
  'no-nbf-check': 'accepts a JWT whose nbf is in the future (or not a number); every other check, exp included, is still made',
  'no-exp-required': 'accepts a JWT without exp; one whose exp is past is still refused',
  'accepts-alg-none': 'accepts an unsecured JWT (alg "none"; whatever follows the second dot is ignored) whose claims pass',
  'hs256-with-public-key': 'accepts an HS256 JWT MACed with a JWKS public key as secret: its SPKI PEM (with or without the final newline) or its JWK serialized as the JWKS serves it',
  'no-signature-check': 'checks a JWT\'s claims without verifying its signature at all',
  'trusts-embedded-jwk': 'verifies a JWT whose header carries a jwk with that embedded key instead of the JWKS; every claim check is still made',
  'no-key-refetch': 'fetches the JWKS once and never again, so tokens signed with a key rotated in later are refused',
  'ignores-introspection-inactive': 'never looks at active in the introspection answer: {"active":false} passes as a token with no scope (403, not 401)',
  'wrong-expected-audience': 'expects aud to be the server\'s origin instead of the MCP endpoint URL, so tokens issued for the endpoint are refused (401 invalid_token)',
  'garbage-accepted': 'takes a token that is not a JWT for a valid opaque token with every scope, without introspecting it (JWT format only)',
  'dies-on-garbage': 'exits with code 1, after one error line on stderr, when a token is not a JWT (JWT format only)',
  'crash-on-garbage': 'reads the JWT header (for its kid) before verifying, without catching, so a token that is not a JWT gets 500',
  'echoes-token': 'appends the presented token to error_description, so it is in the WWW-Authenticate header and the 401 body',
  // Challenges
  'challenge-without-www-authenticate': 'answers 401 without a WWW-Authenticate header (the JSON body is unchanged)',
  'error-on-no-token': 'the 401 for a request without a token carries error="invalid_token"',
  'no-resource-metadata': 'challenges do not name resource_metadata',
  'offline-access-in-challenge': 'the 401 without a token asks for scope="mcp:read offline_access"',
  'unregistered-error-code': 'challenges to invalid tokens say error="token_expired", a code RFC 6750 does not define, instead of invalid_token (still 401)',
  'no-error-on-invalid-token': '401s to invalid tokens carry a Bearer challenge without error (error_description and resource_metadata stay)',
  'no-scope-in-challenge': 'challenges do not name scope (neither the 401 without a token nor the 403)',
  'unescaped-error-description': 'auth-param values go into the challenge raw, so error_description carries bare double quotes (the "aud" claim ...)',
  'no-scope-in-403': '403 insufficient_scope challenges name no scope; the 401 without a token still does',
  'no-403-path': 'a valid token lacking a needed scope gets 401 invalid_token instead of 403 insufficient_scope',
  'no-scope-check': 'serves valid tokens whatever scopes they carry',
  // Load. "In flight" counts the requests inside the bearer gate, each held there a few ms so that a
  // burst overlaps there on any machine, not only on one slow enough.
  'refuses-when-busy': 'while more than 4 MCP requests are in flight at once, further requests get 401 invalid_token whatever their token (a rate limiter answering with the wrong thing)',
  'accepts-when-busy': 'while more than 4 MCP requests are in flight at once, further requests with a token skip its verification and are served with every scope (fail-open under load)',
  // Where the token comes from
  'token-from-query': 'takes the token from ?access_token= when the Authorization header has none',
  'no-400-on-header-and-query': 'a token in the header and another in the query: uses the header one instead of answering 400',
  'case-sensitive-scheme': 'matches the scheme name case-sensitively: `bearer <token>` is treated as no token',
  'strips-non-ascii': 'removes non-ASCII characters from the Authorization header\'s token before judging it, so a valid token with one appended is accepted',
  'anonymous-let-through': 'serves requests without a token, as an anonymous caller with every scope',
  'session-stands-in-for-token': 'serves a request without a token that names a known Mcp-Session-Id, as whoever opened the session',
  // Protected resource metadata
  'no-prm': 'serves no PRM document at all (404 at the well-known URLs), while challenges still name resource_metadata',
  'empty-prm-array': 'the PRM document carries an empty array member (resource_signing_alg_values_supported: [])',
  'no-scopes-supported': 'the PRM document has no scopes_supported (scopes are still required and challenged for)',
  'challenge-names-wrong-metadata': 'challenges name as resource_metadata a URL of the same origin that answers 404 (the PRM document stays where it is)',
  'wrong-prm-resource': 'the PRM document names the origin as resource instead of the MCP endpoint URL',
  'prm-not-json': 'serves the PRM document (still JSON text) as Content-Type: text/html',
  'no-prm-authorization-servers': 'the PRM document has no authorization_servers',
  'query-in-bearer-methods': 'the PRM document lists bearer_methods_supported ["header","query"] (the server still ignores query tokens)',
  // Upstream
  'passthrough-token': 'calls the upstream API with the client\'s token instead of its own credential',
} as const;

export type ReferenceServerDefect = keyof typeof REFERENCE_SERVER_DEFECTS;
