// Which check each single defect of the reference server must fail, and why. A row names the check it
// proves and the reason its message must give; `alsoFails` lists the other checks the same defect
// fails or warns on, as consequences of the one defect (a server that accepts expired tokens also
// accepts them in a crowd and when fast-check draws one). Nothing else may fail or warn.
import type { SelectableSpecVersion } from '../../core/spec.js';
import type { ReferenceServerDefect } from '../mutants/server-defects.js';

export interface ServerMutantCase {
  check: string;
  defects: ReferenceServerDefect[];
  reason: RegExp;
  tokenFormat?: 'jwt' | 'opaque';
  specVersion?: SelectableSpecVersion;
  alsoFails?: string[];
  /** Consequences that depend on what fast-check draws: allowed, not required. */
  mayAlsoFail?: string[];
}

/** An invalid token the server takes alone, it takes in the burst too. */
const IN_A_CROWD = ['burst-invalid-refused'];
/** And, when fast-check draws it, in the drawn cases (the fixed seed of the tests decides). */
const WHEN_DRAWN = ['fuzz-invalid-refused'];

export const SERVER_MUTANT_MATRIX: ServerMutantCase[] = [
  // The engine's own check
  { check: 'server-available', defects: ['dies-on-garbage'], reason: /server process exited with code 1.*not a JWT/ },
  // Protected resource metadata
  { check: 'prm-published', defects: ['no-prm'], reason: /no PRM document anywhere a client looks/, alsoFails: ['challenge-metadata-resolves'] },
  { check: 'prm-json', defects: ['prm-not-json'], reason: /Content-Type "text\/html/ },
  { check: 'prm-resource-matches', defects: ['wrong-prm-resource'], reason: /names resource "http:\/\/127\.0\.0\.1:\d+" where "http:\/\/127\.0\.0\.1:\d+\/mcp" is required/ },
  { check: 'prm-authorization-servers', defects: ['no-prm-authorization-servers'], reason: /has no authorization_servers/ },
  { check: 'prm-bearer-methods', defects: ['query-in-bearer-methods'], reason: /offers \["query"\]/ },
  { check: 'prm-no-empty-values', defects: ['empty-prm-array'], reason: /resource_signing_alg_values_supported is present with no value/ },
  { check: 'prm-scopes-advertised', defects: ['no-scopes-supported'], reason: /lists no scopes_supported/ },
  { check: 'challenge-metadata-resolves', defects: ['challenge-names-wrong-metadata'], reason: /answered 404 instead of a PRM document/ },
  // The 401 without a token, and every challenge's grammar
  { check: 'no-token-refused', defects: ['anonymous-let-through'], reason: /served an MCP request that carried no token/ },
  { check: 'no-token-challenge', defects: ['challenge-without-www-authenticate'], reason: /no WWW-Authenticate header at all/, alsoFails: ['invalid-token-challenge'] },
  { check: 'invalid-token-challenge', defects: ['challenge-without-www-authenticate'], reason: /carry no Bearer challenge/, alsoFails: ['no-token-challenge'] },
  { check: 'challenge-names-resource-metadata', defects: ['no-resource-metadata'], specVersion: '2025-06-18', reason: /names no resource_metadata; MCP 2025-06-18 requires/ },
  { check: 'no-token-no-error', defects: ['error-on-no-token'], reason: /says error="invalid_token"/ },
  { check: 'no-token-scope', defects: ['no-scope-in-challenge'], reason: /names no scope/, alsoFails: ['insufficient-scope-challenge'] },
  { check: 'no-offline-access', defects: ['offline-access-in-challenge'], reason: /asks for offline_access/ },
  { check: 'challenge-grammar', defects: ['unescaped-error-description'], reason: /does not parse: the value of error_description is neither a token nor a quoted-string/ },
  { check: 'error-code-registered', defects: ['unregistered-error-code'], reason: /error="token_expired"/, alsoFails: ['invalid-token-error'] },
  { check: 'invalid-token-error', defects: ['no-error-on-invalid-token'], reason: /do not say error="invalid_token".*error=\(none\)/ },
  // Token validation
  { check: 'accepts-valid-token', defects: ['wrong-expected-audience'], reason: /refused a valid token/, alsoFails: ['burst-valid-accepted', 'fuzz-valid-accepted'] },
  { check: 'accepts-valid-token', defects: ['wrong-expected-audience'], tokenFormat: 'opaque', reason: /refused a valid token/, alsoFails: ['burst-valid-accepted', 'fuzz-valid-accepted'] },
  { check: 'accepts-lowercase-scheme', defects: ['case-sensitive-scheme'], reason: /"Authorization: bearer <token>" was refused/, alsoFails: ['fuzz-valid-accepted'] },
  { check: 'fuzz-valid-accepted', defects: ['case-sensitive-scheme'], reason: /counterexample .*"Authorization: (bearer|BEARER|BeArEr) <token>"/, alsoFails: ['accepts-lowercase-scheme'] },
  { check: 'rejects-expired', defects: ['accepts-expired'], reason: /expired ten minutes ago/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-premature', defects: ['no-nbf-check'], reason: /not valid for another ten minutes/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-no-expiry', defects: ['no-exp-required'], reason: /without an `exp` claim/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-foreign-issuer', defects: ['no-issuer-check'], reason: /issued by another issuer.*without an `iss` claim/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-foreign-audience', defects: ['no-audience-check'], reason: /issued for another resource.*without an `aud` claim.*another path of the same origin/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-foreign-audience', defects: ['no-audience-check'], tokenFormat: 'opaque', reason: /issued for another resource.*another path of the same origin/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-unsigned', defects: ['accepts-alg-none'], reason: /unsigned \(`alg: none`\)/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-alg-confusion', defects: ['hs256-with-public-key'], reason: /HS256 with the issuer's public key \(PEM\).*HS256 with the issuer's public JWK/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  { check: 'rejects-unknown-key', defects: ['trusts-embedded-jwk'], reason: /signed with a key it carries in its own header/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  {
    check: 'rejects-bad-signature',
    defects: ['no-signature-check'],
    reason: /with its signature altered/,
    alsoFails: ['rejects-unsigned', 'rejects-alg-confusion', 'rejects-unknown-key', ...IN_A_CROWD],
    mayAlsoFail: WHEN_DRAWN,
  },
  { check: 'rejects-garbage', defects: ['garbage-accepted'], reason: /a token the issuer never issued/, alsoFails: IN_A_CROWD, mayAlsoFail: WHEN_DRAWN },
  // A revoked token is one introspection calls inactive: ignoring `active` leaves a token with no
  // scope (so 403, the wrong status), and a server that also checks no scope serves it.
  { check: 'invalid-token-401', defects: ['ignores-introspection-inactive'], tokenFormat: 'opaque', reason: /invalid tokens got 403 \(expired .*revoked/ },
  {
    check: 'rejects-revoked',
    defects: ['ignores-introspection-inactive', 'no-scope-check'],
    tokenFormat: 'opaque',
    reason: /revoked \(introspection says `active: false`\)/,
    alsoFails: ['scope-enforced', 'rejects-expired', 'rejects-garbage', ...IN_A_CROWD],
    mayAlsoFail: WHEN_DRAWN,
  },
  { check: 'no-server-errors', defects: ['crash-on-garbage'], reason: /got a server error.*500/, alsoFails: ['invalid-token-401'] },
  { check: 'ignores-query-token', defects: ['token-from-query'], reason: /took the token from \?access_token=/ },
  { check: 'header-and-query-rejected', defects: ['no-400-on-header-and-query'], reason: /not 400 invalid_request/ },
  { check: 'session-not-authentication', defects: ['session-stands-in-for-token'], reason: /only the session id/ },
  { check: 'token-not-echoed', defects: ['echoes-token'], reason: /repeats a presented token/ },
  // Scope
  { check: 'scope-enforced', defects: ['no-scope-check'], reason: /test-tool ran for a token without mcp:write/ },
  { check: 'insufficient-scope-403', defects: ['no-403-path'], reason: /instead of 403/ },
  { check: 'insufficient-scope-challenge', defects: ['no-scope-in-403'], reason: /names no scope/ },
  { check: 'insufficient-scope-challenge', defects: ['no-resource-metadata'], reason: /carries no resource_metadata/ },
  // Keys, upstream, crowds and drawn cases
  { check: 'accepts-rotated-key', defects: ['no-key-refetch'], reason: /never fetched the JWKS again/ },
  { check: 'no-token-passthrough', defects: ['passthrough-token'], reason: /sent the client's token upstream/ },
  { check: 'burst-valid-accepted', defects: ['refuses-when-busy'], reason: /requests with a valid token sent at once were refused/ },
  { check: 'burst-invalid-refused', defects: ['accepts-when-busy'], reason: /requests with an invalid token sent at once were served/ },
  { check: 'fuzz-invalid-refused', defects: ['strips-non-ascii'], reason: /counterexample .*followed by U\+/ },
];
