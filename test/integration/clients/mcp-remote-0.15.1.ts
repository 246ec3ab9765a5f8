// mcp-remote 0.15.1's `mcp-remote-client <url>` (connect, list tools and resources, exit), run from
// node_modules through a one-line wrapper that maps the contract onto its flags: the context's
// pre-registered credentials become --static-oauth-client-info (it takes the JSON as it comes), the
// kit's CIMD URL --client-metadata-url (used only where the server advertises CIMD). Its code is a
// bundle (dist/chunk-*.js) of mcp-remote's src/lib/*.ts and @modelcontextprotocol/client 2.0.0, with
// `// src/...` comments marking each module; the reasons below name functions, not the hashed file.
//
// Every finding was checked against the trace and that source. How it behaves under the kit: the URL
// must be its first argument (args[1] would be a callback port); it logs to stderr, prints the
// authorization URL there, opens the browser with the `open` package (its own bundled xdg-open,
// which without a desktop hands the URL to $BROWSER, the kit's shim) and only then starts its callback
// listener on 127.0.0.1 at a port derived from an MD5 of the server URL, with a `localhost` redirect
// URI; tokens go to ~/.mcp-auth; it shuts down when stdin ends.
import path from 'node:path';
import type { ScenarioResult } from '../../../core/report.js';
import { shellQuote } from '../../../core/targets/client/process.js';
import { CONFORMANCE_CIMD_URL } from '../../../mocks/knobs.js';
import { inEach, type ClientPins } from '../../support/compatibility.js';
import { ROOT } from '../../support/compiled.js';

const CLIENT = `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, 'node_modules/mcp-remote/dist/client.js'))}`;
const ADAPTED = `exec ${CLIENT} "$1" --client-metadata-url ${CONFORMANCE_CIMD_URL} \${MCP_CONFORMANCE_CONTEXT:+--static-oauth-client-info "$MCP_CONFORMANCE_CONTEXT"}`;

/**
 * It builds the redirect URI for its derived port and opens the browser before it binds that port:
 * when another process holds it, it exits ("Callback port <n> is already in use", as the flags make it
 * insist on the port) or listens on the next one while the authorization in flight names the first.
 * Which scenario meets this depends only on which ports other processes hold at that moment, so such
 * a scenario runs once more (test/integration/mcp-remote.test.ts shows the defect on purpose).
 */
const PORT_TROUBLE = /Callback port \d+ is already in use|Using callback port \d+\s*$/m;
const lostItsPort = (scenario: ScenarioResult): boolean => scenario.processes.some((p) => PORT_TROUBLE.test(p.stderrTail));

/** Worlds that leave initialize open, so that the first 401 comes after connecting. */
const OPEN_INITIALIZE = ['auth/scope-step-up', 'auth/scope-step-up-with-refresh-token', 'auth/scope-retry-limit', 'auth/scope-never-narrows', 'auth/authorization-server-migration'];

const ANSWERS_401_ONLY_WHILE_CONNECTING: NonNullable<ClientPins['unsettled']>[string] = {
  why: 'It answers a 401 only while connecting (connectToRemoteServer). Where initialize is open, the first 401 comes on tools/list: the transport\'s auth() opens the browser (or finds "a sign-in already under way") and throws, runClient() logs the error and exits 0 ("Exiting OK"), and no listener ever takes the callback. Whether the browser was sent before it gave up varies, and with it what else was reached.',
  always: { 'authorized-after-401': 'fail' },
};

export const mcpRemote: ClientPins = {
  name: 'mcp-remote 0.15.1',
  about:
    '`mcp-remote-client` of [mcp-remote](https://www.npmjs.com/package/mcp-remote) 0.15.1, unmodified, through the wrapper above. It lists tools and never calls one, so the step-up scenarios are not exercised by it.',
  packages: { 'mcp-remote': '0.15.1' },
  command: `sh -c ${shellQuote(ADAPTED)} mcp-remote-client`,
  rerunIf: lostItsPort,
  findings: [
    {
      why: 'Its pre-flight discovery (discoverOAuthServerInfo) GETs the MCP URL hoping for a challenge; the GET is answered 405, so with nothing found at the well-known PRM URIs it takes the MCP server for the authorization server and probes metadata on its origin, and NodeOAuthClientProvider keeps that server: while authorizing with the real one, getAuthorizationServerMetadata() probes the MCP server\'s origin again. For an issuer with a path, getMetadataUrls() also probes the root oauth-authorization-server URL on purpose (mcp-remote issue 240).',
      verdicts: { 'auth/metadata-var3:as-metadata-discovery-order': 'fail', 'auth/metadata-var4:as-metadata-discovery-order': 'fail' },
    },
    {
      why: 'It sends the root PRM document\'s resource through URL.href, which writes the bare origin with a trailing slash (the bundled SDK 2.0.0 predates the fix that sends the metadata string verbatim).',
      verdicts: { 'auth/metadata-var2:resource-no-trailing-slash': 'warn' },
    },
    {
      why: 'The bundled SDK\'s startAuthorization() throws only when code_challenge_methods_supported is present and lacks S256; an absent member lets it authorize anyway.',
      verdicts: { 'auth/pkce-not-advertised:pkce-refuses-without-support': 'fail', 'auth/pkce-not-advertised-oidc:pkce-refuses-without-support-oidc': 'fail' },
    },
    {
      why: 'With no scope in the challenge or PRM, getEffectiveScope() falls back to "openid email profile" instead of omitting scope.',
      verdicts: { 'auth/scope-omitted-when-undefined:scope-omitted-when-undefined': 'warn' },
    },
    {
      why: 'connectToRemoteServer() compares the returned state only `if (state)`: a response without state is redeemed under the current flow\'s verifier.',
      verdicts: { 'auth/state-missing:state-missing-rejected': 'warn' },
    },
    {
      why: 'A 503 on refresh happens in the bundled SDK\'s authInternal(), which swallows it and goes on to a new authorization while the refresh token lives.',
      verdicts: { 'auth/refresh-across-runs:refresh-instead-of-reauthorization': 'warn', 'auth/refresh-across-runs:refresh-survives-transient-errors': 'warn' },
    },
    {
      why: 'runClient() discovers again at every start, and NodeOAuthClientProvider keeps discovery state only for a sign-in in progress: a warm restart fetches the documents again, max-age=3600 is ignored, and three cold copies each discover.',
      verdicts: {
        'auth/discovery-warm-reconnect:discovery-cached-warm': 'warn',
        'auth/discovery-max-age:discovery-max-age-honoured': 'warn',
      },
    },
    {
      why: 'With every PRM URL answering 503, the pre-flight and the SDK both take the MCP server for the authorization server: metadata probes and a registration on the resource server\'s origin.',
      verdicts: { 'auth/discovery-outage:discovery-outage-keeps-last-known-good': 'warn' },
    },
    {
      why: 'Not applicable: it never calls a tool, so the hopeless step-ups and the bare 403 are never met (the scenarios are skipped); one request at a time never waits on one refresh; it authorizes once where that suffices.',
      verdicts: {
        ...inEach('(scenario)', 'skip', ['auth/scope-step-up-varying-challenge', 'auth/scope-step-up-reordered-challenge', 'auth/scope-bare-403']),
        ...inEach('step-up-retry-limit', 'skip', ['auth/scope-step-up-varying-challenge', 'auth/scope-step-up-reordered-challenge']),
        ...inEach('pkce-fresh-per-attempt', 'skip', ['auth/scope-step-up-varying-challenge', 'auth/scope-step-up-reordered-challenge']),
        'auth/scope-bare-403:bare-403-not-step-up': 'skip',
        'auth/refresh-concurrent-requests:refresh-single-flight-in-process': 'skip',
      },
    },
  ],
  unsettled: {
    ...Object.fromEntries(OPEN_INITIALIZE.map((id) => [id, ANSWERS_401_ONLY_WHILE_CONNECTING])),
    'auth/discovery-concurrent-cold-start': {
      why: 'Three cold copies each discover twice (the pre-flight and the SDK) and each open a sign-in before taking the one callback port; the copy holding it may redeem a code minted for another copy\'s flow, fail, and leave a follower waiting for a code that never comes until the kit kills it. Which happens depends on the interleaving.',
      always: { 'discovery-single-flight': 'warn' },
    },
  },
  counterexamples: {
    'auth/refresh-race': {
      why: 'Its lease file covers only its own early refresh; the world expires tokens server-side, so the copies\' tokens look valid, draw 401s, and the bundled SDK refreshes without the lease: copies present the same refresh token and the strict server revokes the family. Whether a copy dies of it depends on the interleaving.',
      says: /presented generation \d+ of family \S+|before refresh #\d+ .* was answered|the server detected reuse/,
      severity: 'fail or warn',
    },
  },
};
