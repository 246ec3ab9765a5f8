// @modelcontextprotocol/sdk 1.32.2 behind the plainest OAuthClientProvider (test/targets/sdk-plain-client.ts:
// no state(), no invalidateCredentials, no discovery state, tokens and client information in a JSON
// file of the state directory with no lock, as a host keeps them). Every finding was checked against
// the trace and the SDK's source (dist/esm/client/auth.js, client/streamableHttp.js).
import { shellQuote } from '../../../core/targets/client/process.js';
import { inEach, type ClientPins } from '../../support/compatibility.js';
import { plainTarget, ROOT } from '../../support/compiled.js';
import path from 'node:path';

const build = plainTarget('sdk-plain-client');

/** Every scenario in which the SDK sends an authorization request the world answers. */
const AUTHORIZING = [
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/metadata-var4',
  'auth/dynamic-client-registration',
  'auth/pre-registration',
  'auth/basic-cimd',
  'auth/registration-priority',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pkce-fresh-per-attempt',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/state-mismatch',
  'auth/state-missing',
  'auth/iss-supported',
  'auth/iss-not-advertised',
  'auth/iss-supported-missing',
  'auth/iss-wrong-issuer',
  'auth/iss-unexpected',
  'auth/iss-normalized',
];

export const sdk1322: ClientPins = {
  name: 'SDK 1.32.2',
  about:
    '`@modelcontextprotocol/sdk` 1.32.2 exactly as it comes, behind the plainest `OAuthClientProvider` ([`test/targets/sdk-plain-client.ts`](test/targets/sdk-plain-client.ts)): no `state()`, no `invalidateCredentials`, no discovery state; tokens and client information in a JSON file in the state directory, with no lock, as a host keeps them.',
  packages: { '@modelcontextprotocol/sdk': '1.32.2' },
  build,
  command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, build.compiled))}`,
  findings: [
    {
      why: 'The provider has no state(), as neither the SDK\'s example provider nor the official suite\'s has, so auth() sends no state; finishAuth(code) takes the code alone, so the SDK could not compare one anyway. Tampered responses are redeemed.',
      verdicts: {
        ...inEach('state-sent', 'warn', AUTHORIZING),
        'auth/state-mismatch:state-mismatch-rejected': 'warn',
        'auth/state-missing:state-missing-rejected': 'warn',
      },
    },
    {
      why: 'RFC 9207: finishAuth(code) never sees the callback\'s iss and auth() compares nothing, so a missing, foreign or slash-normalised iss is redeemed like a correct one.',
      verdicts: {
        'auth/iss-supported-missing:iss-missing-rejected': 'fail',
        'auth/iss-wrong-issuer:iss-wrong-rejected': 'fail',
        'auth/iss-unexpected:iss-unadvertised-wrong-rejected': 'fail',
        'auth/iss-normalized:iss-not-normalized': 'fail',
      },
    },
    {
      why: 'auth() keys everything on the authorization server URL from PRM, and its source says metadata.issuer is "deliberately not used": it registered at the impostor\'s endpoints.',
      verdicts: { 'auth/metadata-issuer-mismatch:as-metadata-issuer-validated': 'fail' },
    },
    {
      why: 'OAuthClientMetadata has no application_type and registerClient() posts the metadata as written, so the registration carries none (absent means web, which loopback redirect URIs should not be).',
      verdicts: { 'auth/dynamic-client-registration:dcr-application-type': 'fail', 'auth/dynamic-client-registration:dcr-application-type-native': 'warn' },
    },
    {
      why: 'startAuthorization() throws only when code_challenge_methods_supported is present and lacks S256; an absent member lets it authorize anyway, where the member\'s absence means the server does not support PKCE.',
      verdicts: { 'auth/pkce-not-advertised:pkce-refuses-without-support': 'fail', 'auth/pkce-not-advertised-oidc:pkce-refuses-without-support-oidc': 'fail' },
    },
    {
      why: 'On 403 insufficient_scope the transport calls auth() with the challenged scope alone: the step-up authorization asks for mcp:write without the mcp:basic granted before (SEP-2350 union).',
      verdicts: { 'auth/scope-step-up:step-up-scope-union': 'warn' },
    },
    {
      why: 'Holding a refresh token, auth() answers 403 insufficient_scope with a refresh, which cannot widen scope; the call is refused again and the transport gives up ("Server returned 403 after trying upscoping", typescript-sdk issue 2255). The exit is that finding\'s consequence, and the grant that would have been stepped up never is.',
      verdicts: {
        'auth/scope-step-up-with-refresh-token:step-up-reauthorizes': 'warn',
        'auth/scope-step-up-with-refresh-token:client-process': 'skip',
        'auth/scope-never-narrows:step-up-escalation': 'warn',
        'auth/scope-never-narrows:client-process': 'skip',
        'auth/scope-never-narrows:scope-never-narrows': 'skip',
      },
    },
    {
      why: 'A 503 on refresh is not a rejection, yet auth() goes on to a new authorization, though the refresh token was alive and the next start could have used it.',
      verdicts: { 'auth/refresh-across-runs:refresh-instead-of-reauthorization': 'warn', 'auth/refresh-across-runs:refresh-survives-transient-errors': 'warn' },
    },
    {
      why: 'A revoked refresh token (400 invalid_grant) makes auth() call provider.invalidateCredentials?.(\'tokens\') and try again; the plain provider, like the SDK\'s own example provider, has none, so the same dead token is refreshed again and the client gives up instead of authorizing.',
      verdicts: { 'auth/registration-reused:authorized-after-401': 'fail', 'auth/registration-reused:client-process': 'fail', 'auth/registration-reused:pkce-fresh-per-attempt': 'not-reached' },
    },
    {
      why: 'No discovery cache: auth() discovers again at every refresh although PRM and metadata said max-age=3600, and three cold copies sharing nothing but an unlocked file each discover.',
      verdicts: { 'auth/discovery-max-age:discovery-max-age-honoured': 'warn', 'auth/discovery-concurrent-cold-start:discovery-single-flight': 'warn' },
    },
    {
      why: 'A PRM answering 503 is taken for "no PRM": auth() falls back to the MCP server\'s origin as the authorization server (metadata probes and a registration there). A 5xx says nothing about whether PRM exists.',
      verdicts: { 'auth/discovery-outage:discovery-outage-keeps-last-known-good': 'warn' },
    },
    {
      why: 'Not applicable: one connection per process never has two requests waiting on one refresh, and where it authorizes only once there is no second attempt to compare.',
      verdicts: { 'auth/refresh-concurrent-requests:refresh-single-flight-in-process': 'skip', 'auth/auth-failure-loop:pkce-fresh-per-attempt': 'skip' },
    },
  ],
  counterexamples: {
    'auth/refresh-race': {
      why: 'Copies sharing the state file refresh with the same token: nothing in the SDK coordinates them, the strict server detects reuse and revokes the family, and copies die of it.',
      says: /presented generation \d+ of family \S+|before refresh #\d+ .* was answered|the server detected reuse/,
      severity: 'fail',
    },
  },
};
