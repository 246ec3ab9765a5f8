// The single defects the authorization-server mutant (authorization-server-mutant.ts) can carry,
// each with what it changes. Kept apart from the mutant so tests can name defects with type
// checking without starting it.
export const AUTHORIZATION_SERVER_DEFECTS = {
  // Metadata
  'oidc-discovery-only': 'serves no RFC 8414 metadata (404 at the path-inserted URL), only OpenID Connect discovery',
  'metadata-as-html': 'serves both metadata documents (still JSON text) as Content-Type: text/html',
  'issuer-trailing-slash': 'the metadata names the issuer with a trailing slash; iss in authorization responses is still the exact issuer',
  'no-response-types': 'the metadata has no response_types_supported',
  'no-pkce-methods': 'neither metadata document has code_challenge_methods_supported (PKCE S256 is still required)',
  'oidc-without-pkce': 'OpenID Connect discovery has no code_challenge_methods_supported; RFC 8414 metadata still lists S256',
  'empty-list-claim': 'both metadata documents carry ui_locales_supported: []',
  'signing-alg-none': 'the metadata lists "none" in token_endpoint_auth_signing_alg_values_supported',
  'implicit-advertised': 'grant_types_supported lists implicit beside authorization_code and refresh_token (the implicit grant is still refused)',
  'no-public-clients-advertised': 'token_endpoint_auth_methods_supported is ["client_secret_basic"], though public clients are registered and served',
  // Registration
  'registration-200': 'an accepted registration answers 200 instead of 201',
  'http-redirect-accepted': 'registers http redirect URIs on any host, not only loopback ones',
  'html-on-malformed-json': 'a registration body that is not JSON gets 400 with an HTML page',
  'unknown-metadata-refused': 'refuses a registration carrying a field it does not know with 400 invalid_client_metadata',
  'list-fields-unchecked': 'takes grant_types (and the other list fields) as they come, a string included, and returns them so',
  'application-type-required': 'refuses a registration without application_type with 400 invalid_client_metadata',
  'dies-on-malformed-json': 'exits with code 1, after one error line on stderr, when a registration body is not JSON',
  // The authorization endpoint
  'state-charset-refused': 'refuses a state with characters outside A-Z a-z 0-9 . _ ~ - (redirected with invalid_request)',
  'state-not-echoed': 'leaves state out of every authorization response',
  'no-iss-in-errors': 'leaves iss out of error responses, though the metadata advertises it',
  'no-iss': 'sends iss in no authorization response and does not advertise it',
  'pkce-not-required': 'grants a request without code_challenge',
  'unknown-method-accepted': 'takes a code_challenge_method it does not know for S256 (plain is still refused)',
  'plain-accepted': 'grants code_challenge_method=plain and checks the verifier as plain',
  'redirect-prefix-match': 'takes a redirect URI that starts with a registered one for that one',
  'errors-redirected': 'redirects an unknown client or an unregistered redirect URI to the presented URI with error=invalid_request',
  'loopback-port-exact': 'matches the port of loopback redirect URIs exactly (another port is an unregistered URI)',
  'implicit-token': 'answers response_type=token with an access token in the fragment',
  'resource-fragment-accepted': 'drops the fragment of a resource and grants the request',
  // The token endpoint
  'code-expiry-in-seconds': "sets a code's expiry in seconds and compares it with milliseconds, so every code has expired when redeemed",
  'no-cache-control': 'token responses carry no Cache-Control: no-store',
  'long-lived-access-tokens': 'access tokens live seven days (expires_in 604800)',
  'crash-on-wrong-verifier': 'a code_verifier that does not match throws inside the handler: 500 text/plain',
  'verifier-not-checked': 'redeems a code whatever code_verifier comes with it, none included',
  'redirect-uri-not-checked': 'redeems a code whatever redirect_uri comes with it',
  'code-reusable': 'never marks a code used: it yields tokens every time',
  'replay-not-revoking': 'refuses a replayed code but leaves what its first redemption issued alive',
  'aud-not-resource': 'every access token has the issuer as aud instead of the resource',
  'foreign-resource-accepted': 'redeems a code for whatever resource the token request names, with that resource as aud',
  // Refresh tokens
  'no-refresh-token': 'issues no refresh token, though the metadata offers the refresh_token grant',
  'no-rotation': 'answers a refresh with the refresh token it was given',
  'superseded-accepted': 'a rotated refresh token stays valid: presenting it rotates it again',
  'reuse-not-revoking': 'refuses a superseded refresh token without revoking its family',
  'scope-widened': 'grants whatever scope a refresh asks for',
  'revoke-no-op': 'revoking a family writes nothing, though the caller goes on as if it had (replayed codes and reused refresh tokens are still refused)',
  // Atomicity: these show only because every store operation awaits I/O
  'code-check-then-set': 'redeems a code by reading it, issuing, then writing it used: simultaneous redemptions all succeed',
  'refresh-check-then-set': 'rotates by reading the refresh token, issuing, then writing it rotated: simultaneous refreshes fork the family',
  'grace-reissues': 'a predecessor presented within the grace window is rotated again: a new successor replaces (and deletes) the one issued before',
  'no-grace': 'no grace window: the immediate predecessor presented again is reuse, and the family is revoked',
} as const;

export type AuthorizationServerDefect = keyof typeof AUTHORIZATION_SERVER_DEFECTS;
