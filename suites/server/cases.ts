// The tokens the validation scenarios present, one per way a token can be wrong, each naming the
// check that judges the server's answer. One list, read by the scenarios that send the tokens and
// by the checks that judge them, so a case can never be sent without a verdict or judged unsent.
import type { ServerDrive, TokenRequest } from '../../core/targets/server/drive.js';
import type { ServerFacts } from '../../core/trace.js';

export interface InvalidTokenCase {
  /** The label of the request that presents it. */
  label: string;
  /** What is wrong with it, for messages. */
  what: string;
  /** The check that judges the server's answer. */
  check: string;
  /** The token formats the case exists in: an opaque token has no signature or claims of its own. */
  formats: ReadonlyArray<ServerFacts['tokenFormat']>;
  token(drive: ServerDrive): Promise<string>;
}

const minted = (request: TokenRequest) => (drive: ServerDrive) => drive.token(request);

export const INVALID_TOKENS: readonly InvalidTokenCase[] = [
  { label: 'expired', what: 'expired ten minutes ago', check: 'rejects-expired', formats: ['jwt', 'opaque'], token: minted({ claims: { expiresIn: -600 } }) },
  { label: 'not-yet-valid', what: 'not valid for another ten minutes (`nbf`)', check: 'rejects-premature', formats: ['jwt'], token: minted({ claims: { notBeforeIn: 600 } }) },
  { label: 'no-expiry', what: 'without an `exp` claim', check: 'rejects-no-expiry', formats: ['jwt'], token: minted({ claims: { expiresIn: null } }) },
  { label: 'wrong-issuer', what: 'issued by another issuer', check: 'rejects-foreign-issuer', formats: ['jwt'], token: minted({ claims: { iss: 'https://issuer.invalid' } }) },
  { label: 'no-issuer', what: 'without an `iss` claim', check: 'rejects-foreign-issuer', formats: ['jwt'], token: minted({ claims: { iss: null } }) },
  {
    label: 'wrong-audience',
    what: 'issued for another resource',
    check: 'rejects-foreign-audience',
    formats: ['jwt', 'opaque'],
    token: minted({ claims: { aud: 'https://other-resource.invalid/mcp' } }),
  },
  { label: 'no-audience', what: 'without an `aud` claim', check: 'rejects-foreign-audience', formats: ['jwt'], token: minted({ claims: { aud: null } }) },
  {
    label: 'sibling-audience',
    what: 'issued for another path of the same origin',
    check: 'rejects-foreign-audience',
    formats: ['jwt', 'opaque'],
    token: (drive) => drive.token({ claims: { aud: new URL('/another-mcp-server', drive.facts.mcpUrl).href } }),
  },
  { label: 'alg-none', what: 'unsigned (`alg: none`)', check: 'rejects-unsigned', formats: ['jwt'], token: minted({ claims: {}, signing: 'none' }) },
  {
    label: 'hs256-public-pem',
    what: 'HS256 with the issuer\'s public key (PEM) as the secret',
    check: 'rejects-alg-confusion',
    formats: ['jwt'],
    token: minted({ claims: {}, signing: 'hs256-public-pem' }),
  },
  {
    label: 'hs256-public-jwk',
    what: 'HS256 with the issuer\'s public JWK as the secret',
    check: 'rejects-alg-confusion',
    formats: ['jwt'],
    token: minted({ claims: {}, signing: 'hs256-public-jwk' }),
  },
  { label: 'unknown-key', what: 'signed with a key the issuer does not publish', check: 'rejects-unknown-key', formats: ['jwt'], token: minted({ claims: {}, signing: 'unknown-key' }) },
  {
    label: 'embedded-jwk',
    what: 'signed with a key it carries in its own header (`jwk`)',
    check: 'rejects-unknown-key',
    formats: ['jwt'],
    token: minted({ claims: {}, signing: 'embedded-jwk' }),
  },
  { label: 'bad-signature', what: 'with its signature altered', check: 'rejects-bad-signature', formats: ['jwt'], token: minted({ claims: {}, signing: 'bad-signature' }) },
  { label: 'garbage', what: 'the issuer never issued', check: 'rejects-garbage', formats: ['jwt', 'opaque'], token: async () => 'this-is-not-an-access-token-0123456789' },
  { label: 'revoked', what: 'revoked (introspection says `active: false`)', check: 'rejects-revoked', formats: ['opaque'], token: minted({ claims: {}, active: false }) },
];

/** The label of each request that presents an invalid token. */
export const invalidLabel = (c: InvalidTokenCase): string => `invalid:${c.label}`;

export const VALID_LABEL = 'valid-token';
