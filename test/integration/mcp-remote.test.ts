// Pins what the kit says about a real, widely used CLI: mcp-remote 0.15.1's `mcp-remote-client <url>`
// (connect, list tools, list resources, exit), run unmodified from node_modules through the whole
// client suite at 2026-07-28 by the same engine the CLI uses. As in sdk-1.32.2.test.ts, the exact set
// of failing and warning checks and the exact set of passing scenarios are written out; when either
// moves, the kit or mcp-remote changed, and the table is only updated once it is clear which side
// moved and why.
//
// How it runs under the client contract. The URL must be its first argument (parseCommandLineArgs
// takes args[0] as the server URL and args[1] as a callback port), so the plain command is
// `node node_modules/mcp-remote/dist/client.js` with the URL appended; flags can only follow the URL,
// through a `sh -c '... "$1" --flag' name` wrapper (the second test). It logs to stderr only, prints
// the authorization URL there, opens the browser with the `open` package (which runs its own bundled
// xdg-open script, which without a desktop hands the URL to $BROWSER, the kit's shim), and only then
// starts its callback listener on 127.0.0.1 at a port derived from an MD5 of the server URL
// (3335-49150, the next 7 tried when taken; see the last test) with a `localhost` redirect URI. Tokens
// and client information go to ~/.mcp-auth/mcp-remote-v1/<hash>_*.json, so the scenario's HOME keeps
// them between runs. It shuts down when stdin ends, which is why the kit keeps stdin open. Nothing it
// starts outlives it: the listener lives in its own process, and the detached xdg-open exits with the
// shim.
//
// The code is a bundle (dist/chunk-*.js) of mcp-remote's src/lib/*.ts and @modelcontextprotocol/client
// 2.0.0, with `// src/...` and `// node_modules/...` comments marking each module; the comments below
// name functions, not the hashed file name, which changes between builds.
//
// Every entry was checked against the trace and that source before it was pinned. Entries marked
// KIT BUG? are what the kit says today although, as far as the trace shows, mcp-remote broke no
// requirement there: the kit demands a tools/call, fails a check whose precondition is optional
// behaviour, or fails every later step of a flow that stopped earlier, where a verdict belongs on the
// requirement actually broken. They are expected to disappear when the kit is corrected.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../core/client-process.js';
import { runClientScenarios, type ClientRunOptions } from '../../core/engine.js';
import type { Report, ScenarioResult } from '../../core/report.js';
import type { ClientScenario } from '../../core/scenario.js';
import { CONFORMANCE_CIMD_URL } from '../../mocks/knobs.js';
import { clientScenarios } from '../../suites/client/index.js';
import { ROOT } from '../support/compiled.js';
import { installedVersion, pinChanges, type Verdict } from '../support/pins.js';

const MCP_REMOTE_VERSION = '0.15.1';
const SPEC_VERSION = '2026-07-28';
const CLIENT = `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, 'node_modules/mcp-remote/dist/client.js'))}`;

/** `scenario:check-id` -> what the kit says. Every check not listed here must pass. */
const PINNED_CHECKS: Record<string, Verdict> = {
  // KIT BUG? mcp-remote-client lists tools (the trace has tools/list answered 200 with the token) and
  // never calls one; authorized-after-401 demands a tools/call. In every scenario below it authorized,
  // retried with a token the server accepted, and exited 0.
  'auth/metadata-default:authorized-after-401': 'fail',
  'auth/metadata-var1:authorized-after-401': 'fail',
  'auth/metadata-var2:authorized-after-401': 'fail',
  'auth/metadata-var3:authorized-after-401': 'fail',
  'auth/metadata-var4:authorized-after-401': 'fail',
  'auth/dynamic-client-registration:authorized-after-401': 'fail',
  'auth/basic-cimd:authorized-after-401': 'fail',
  'auth/registration-priority:authorized-after-401': 'fail',
  'auth/token-endpoint-auth-basic:authorized-after-401': 'fail',
  'auth/token-endpoint-auth-post:authorized-after-401': 'fail',
  'auth/token-endpoint-auth-none:authorized-after-401': 'fail',
  'auth/scope-from-www-authenticate:authorized-after-401': 'fail',
  'auth/scope-from-scopes-supported:authorized-after-401': 'fail',
  'auth/scope-omitted-when-undefined:authorized-after-401': 'fail',
  'auth/iss-supported:authorized-after-401': 'fail',
  'auth/iss-not-advertised:authorized-after-401': 'fail',
  'auth/2025-03-26-oauth-metadata-backcompat:authorized-after-401': 'fail',
  'auth/2025-03-26-oauth-endpoint-fallback:authorized-after-401': 'fail',

  // Before connecting, runClient() calls discoverOAuthServerInfo(), which GETs the MCP URL hoping for a
  // 401 challenge. The mock answers GET with 405 (it offers no SSE stream; the official suite's server
  // answers 404), so there is no challenge to read.
  // - var3 (PRM only at the challenge's resource_metadata): it probes the well-known PRM URIs (404),
  //   then takes the MCP server for its authorization server and probes four metadata URLs on the
  //   resource server's origin (getMetadataUrls). After the POST's 401 the SDK's auth() does it right
  //   (resource_metadata, then the C-ASM-03 order at the real issuer), but NodeOAuthClientProvider was
  //   built with the pre-flight's wrong authorization server URL, and redirectToAuthorization() ->
  //   getAuthorizationServerMetadata() probes the resource server's origin again while authorizing with
  //   the real one: a real defect (C-ASM-02: metadata of the server PRM names).
  //   KIT BUG? for prm-discovery-order: the well-known PRM probes came before any 401, when the client
  //   had no resource_metadata to use; once it had one (the POST's 401) it used it first.
  'auth/metadata-var3:prm-discovery-order': 'fail',
  'auth/metadata-var3:as-metadata-discovery-order': 'fail',
  // - var4 (issuer /tenant1, OIDC metadata path-inserted only): getMetadataUrls() tries
  //   oauth-authorization-server path-inserted, then at the root ("servers that ignore the path",
  //   mcp-remote issue 240), then the OIDC forms. The root probe of an issuer with a path breaks the
  //   C-ASM-03 order (a real, deliberate defect; the SDK's own discovery after the 401 is right).
  'auth/metadata-var4:as-metadata-discovery-order': 'fail',

  // Pre-registered credentials come in MCP_CONFORMANCE_CONTEXT, which mcp-remote does not read: it
  // takes them only as --static-oauth-client-info (the second test passes them and the scenario
  // passes). Without them the SDK's auth() finds no registration endpoint and throws "Incompatible auth
  // server: does not support dynamic client registration" before any authorization request. Not an
  // mcp-remote defect; the contract and the CLI name the credentials differently.
  // KIT BUG? for all but client-process: every later step of a flow that never started fails on its
  // own (17 failures for one cause).
  'auth/pre-registration:client-process': 'fail',
  'auth/pre-registration:registration-priority': 'fail',
  'auth/pre-registration:pkce-code-challenge-sent': 'fail',
  'auth/pre-registration:pkce-s256': 'fail',
  'auth/pre-registration:resource-in-authorization-request': 'fail',
  'auth/pre-registration:state-sent': 'fail',
  'auth/pre-registration:client-id-used': 'fail',
  'auth/pre-registration:token-endpoint-auth-method': 'fail',
  'auth/pre-registration:pkce-code-verifier-sent': 'fail',
  'auth/pre-registration:pkce-verifier-matches-challenge': 'fail',
  'auth/pre-registration:resource-in-token-request': 'fail',
  'auth/pre-registration:resource-is-canonical-server-uri': 'fail',
  'auth/pre-registration:resource-consistent': 'fail',
  'auth/pre-registration:authorized-after-401': 'fail',
  'auth/pre-registration:token-sent-as-bearer': 'fail',
  'auth/pre-registration:token-on-every-request': 'fail',
  'auth/pre-registration:token-not-in-query': 'fail',
  'auth/pre-registration:token-only-to-its-resource': 'fail',
  // Same cause: the credentials given in the context are not used, so it registers (C-REG-02, SHOULD).
  'auth/registration-priority:registration-priority': 'warn',
  // CIMD is opt-in (--client-metadata-url: a CLI cannot publish a document of its own), so it
  // registers although the server supports CIMD (C-REG-02 priority, SHOULD: the warning is fair).
  // KIT BUG? for cimd-client-id-url: using CIMD is optional, and a client that did not use it has
  // no URL client_id to judge; the check fails "never used a URL as its client_id".
  'auth/basic-cimd:registration-priority': 'warn',
  'auth/basic-cimd:cimd-client-id-url': 'fail',

  // C-PKCE-04/05: the SDK's startAuthorization() throws only when code_challenge_methods_supported is
  // present and lacks S256; an absent member lets it authorize (the mock then answers
  // error=invalid_request and mcp-remote exits 1). A real defect, inherited from the bundled SDK.
  'auth/pkce-not-advertised:pkce-refuses-without-support': 'fail',
  'auth/pkce-not-advertised-oidc:pkce-refuses-without-support-oidc': 'fail',

  // The first token is answered as revoked. The reconnect's 401 makes the SDK start a second
  // authorization (fresh PKCE and state: pkce-fresh-per-attempt passes), the browser delivers the
  // code, and then connectToRemoteServer()'s giveUpIfAlreadyRetried() throws "Already attempted
  // reconnection for reason: authentication-needed. Giving up." before finishAuth: one sign-in per
  // connection, checked after the user has completed the second one. A real defect (C-TOK-01: answer
  // the 401 with a token the server accepts; FC-C-05 allows three authorizations).
  // client-process is the same defect counted again (it exits 1).
  'auth/pkce-fresh-per-attempt:client-process': 'fail',
  'auth/pkce-fresh-per-attempt:authorized-after-401': 'fail',

  // C-SCP-02 (SHOULD): with no scope in the challenge or PRM, getEffectiveScope() falls back to
  // FALLBACK_SCOPE = "openid email profile" instead of omitting scope.
  'auth/scope-omitted-when-undefined:scope-omitted-when-undefined': 'warn',

  // The step-up world leaves initialize open and answers tools/list with 401 (the official
  // scenario's world). mcp-remote-client handles a 401 only while connecting (connectToRemoteServer);
  // the 401 on tools/list makes the transport's auth() open the browser and throw UnauthorizedError,
  // runClient() logs "Error requesting tools list", does the same for resources/list and exits 0
  // ("Exiting OK..."). No callback listener was ever started, so the browser's callback is refused
  // until the process is gone. A real defect of mcp-remote-client (C-PRM-05, C-TOK-01: a 401 is
  // answered by authorizing); the proxy (`mcp-remote`) has a reauthorize path for it, the client CLI
  // does not.
  'auth/scope-step-up:authorized-after-401': 'fail',
  // KIT BUG? Every later step of the flow that was abandoned fails on its own.
  'auth/scope-step-up:token-endpoint-auth-method': 'fail',
  'auth/scope-step-up:pkce-code-verifier-sent': 'fail',
  'auth/scope-step-up:pkce-verifier-matches-challenge': 'fail',
  'auth/scope-step-up:resource-in-token-request': 'fail',
  'auth/scope-step-up:resource-consistent': 'fail',
  'auth/scope-step-up:token-sent-as-bearer': 'fail',
  'auth/scope-step-up:token-on-every-request': 'fail',
  'auth/scope-step-up:token-not-in-query': 'fail',
  'auth/scope-step-up:token-only-to-its-resource': 'fail',
  // KIT BUG? Step-up starts with a tools/call refused with 403; mcp-remote-client never calls a tool,
  // so no 403 ever came and the step-up checks (SHOULDs) have nothing to judge, yet they fail "the
  // server never answered 403 insufficient_scope". In the two scenarios built on the step-up world
  // (with-refresh-token, never-narrows) it also abandons the 401 on tools/list as above; in the
  // hopeless ones (initialize needs a token) it authorizes, lists tools and exits 0.
  'auth/scope-step-up:step-up-escalation': 'fail',
  'auth/scope-step-up:step-up-scope-union': 'fail',
  'auth/scope-step-up:step-up-call-succeeds': 'fail',
  'auth/scope-step-up-with-refresh-token:step-up-reauthorizes': 'fail',
  'auth/scope-retry-limit:step-up-retry-limit': 'fail',
  'auth/scope-step-up-varying-challenge:step-up-retry-limit': 'fail',
  'auth/scope-step-up-reordered-challenge:step-up-retry-limit': 'fail',
  'auth/scope-bare-403:bare-403-not-step-up': 'fail',
  'auth/scope-never-narrows:scope-never-narrows': 'fail',

  // C-STATE-01 (SHOULD): connectToRemoteServer() calls useAuthorizationState() only `if (state)`, so a
  // response without state is redeemed under the current flow's verifier. (A state that differs is
  // refused, but only because mcp-remote files each flow's verifier and discovery under its state and
  // finds none for it; useAuthorizationState() ignores a state outside /^[A-Za-z0-9-]{1,64}$/, and a
  // response carrying such a state is redeemed like this one.)
  'auth/state-missing:state-missing-rejected': 'warn',

  // C-RES-06: without PRM the SDK's selectResourceURL() returns undefined (NodeOAuthClientProvider
  // defines validateResourceURL only with --resource or --disable-resource-parameter), so neither
  // request names a resource. The world's 2025-03-26 resource server accepts the audience-less token.
  // A real defect, inherited from the SDK (1.32.2 has it too).
  'auth/2025-03-26-oauth-metadata-backcompat:resource-in-authorization-request': 'fail',
  'auth/2025-03-26-oauth-metadata-backcompat:resource-in-token-request': 'fail',
  'auth/2025-03-26-oauth-metadata-backcompat:resource-is-canonical-server-uri': 'fail',
  'auth/2025-03-26-oauth-endpoint-fallback:resource-in-authorization-request': 'fail',
  'auth/2025-03-26-oauth-endpoint-fallback:resource-in-token-request': 'fail',
  'auth/2025-03-26-oauth-endpoint-fallback:resource-is-canonical-server-uri': 'fail',

  // RT-C-09 (SHOULD): the 503 on refresh happens in the SDK's authInternal(), which swallows a
  // non-OAuth error and a server_error and goes on to a new authorization while the family lives.
  'auth/refresh-across-runs:refresh-instead-of-reauthorization': 'warn',
  'auth/refresh-across-runs:refresh-survives-transient-errors': 'warn',
  // One request at a time: two requests never wait on one refresh, so this is not exercised.
  'auth/refresh-concurrent-requests:refresh-single-flight-in-process': 'skip',
  // DC-C-01/02 (SHOULD): runClient() runs discoverOAuthServerInfo() at every start, and
  // NodeOAuthClientProvider.discoveryState() returns only the state of a sign-in in progress ("scoped
  // to a flow rather than kept as a cache"), so the SDK discovers again too; max-age=3600 is ignored.
  'auth/discovery-warm-reconnect:discovery-cached-warm': 'warn',
  'auth/discovery-max-age:discovery-max-age-honoured': 'warn',
  // DC-C-05 (SHOULD): with every PRM URL answering 503, the pre-flight (discoverProtectedResourceMetadata
  // returns undefined for any non-2xx) and the SDK both take the MCP server for the authorization
  // server: metadata probes and a registration on the resource server's origin.
  'auth/discovery-outage:discovery-outage-keeps-last-known-good': 'warn',
  // KIT BUG? Run 2 authorized afresh and its tools/list was answered 200; the check wants a tool call.
  'auth/auth-failure-loop:auth-failure-not-cached': 'warn',
};

/**
 * Scenarios whose required checks all pass (warnings allowed). The refusals are genuine: resource
 * mismatch ("Protected resource https://attacker.example/mcp does not match expected ..."), issuer
 * metadata mismatch and the four iss scenarios (the bundled SDK's IssuerMismatchError), a different
 * state (no verifier or discovery filed under it: AuthorizationServerMismatchError before redeeming).
 */
const PINNED_PASSING_SCENARIOS: string[] = [
  'auth/resource-mismatch',
  'auth/metadata-issuer-mismatch',
  'auth/state-mismatch',
  'auth/state-missing',
  'auth/iss-supported-missing',
  'auth/iss-wrong-issuer',
  'auth/iss-unexpected',
  'auth/iss-normalized',
  'auth/refresh-across-runs',
  'auth/refresh-concurrent-requests',
  'auth/discovery-warm-reconnect',
  'auth/discovery-cache-control',
  'auth/discovery-max-age',
  'auth/discovery-new-resource-metadata',
  'auth/authorization-server-migration',
  'auth/discovery-outage',
  'auth/auth-failure-loop',
];

/**
 * The race (RT-C-01/02/03/08, SHOULDs): mcp-remote holds a lease file over its own proactive refresh
 * (refreshOncePerHost), but the world expires tokens server-side, so the copies' tokens look valid
 * locally, draw 401s, and the refresh happens in the SDK's authInternal(), which calls
 * refreshAuthorization() with no lease. The copies present the same refresh token and the strict server
 * revokes the family. Whether a copy then dies of it ("refresh token family revoked", client-process
 * fails) or only the SHOULDs warn depends on the interleaving, so only the collision is pinned.
 */
const PINNED_COUNTEREXAMPLE_PROPERTIES: Record<string, RegExp> = {
  'auth/refresh-race': /presented generation \d+ of family \S+|before refresh #\d+ .* was answered|the server detected reuse/,
};

/**
 * Three copies starting cold together (auth/discovery-concurrent-cold-start): which verdict comes out
 * depends on the interleaving, so this scenario is judged on its own below. Always: each copy
 * discovers, twice (the pre-flight and the SDK's auth()), and the copies share only the callback port
 * and the refresh lease, so discovery-single-flight warns (DC-C-06, SHOULD). The callback port is taken
 * only after each copy has registered (or read another's registration) and opened its own sign-in, so
 * three authorizations reach one listener. When the copy holding it redeems first a code from a flow
 * it can resolve, the others find its tokens and all exit 0. When it takes a code minted for another
 * copy's registration, the redemption fails (invalid_grant) and it exits 1 with every code consumed; a
 * follower takes the port over ("The instance running the sign-in exited; taking it over") and waits
 * for a code that will never come, with no timeout of its own, until the kit kills it. Under load (four
 * scenarios at once on two cores) the second outcome came in about half the runs: a real defect either
 * way (C-REG and DC-C-06: coordinate before starting a sign-in, and never wait forever).
 */
const COLD_START = 'auth/discovery-concurrent-cold-start';

/**
 * mcp-remote-client builds the redirect URI for its derived port and opens the browser before it binds
 * that port (the listener starts in connectToRemoteServer() after the SDK's auth() has redirected).
 * When another process holds the port it listens on the next one and logs "Using callback port <n>",
 * but the authorization in flight names the first: the code goes to the other process and mcp-remote
 * waits until it is killed. A real defect, shown on purpose by the last test; which scenario meets it
 * in the suite depends only on which ports other processes hold at that moment. With a static client
 * or a CIMD URL it insists on the derived port and exits instead ("Callback port <n> is already in
 * use").
 */
const MOVED_OFF_ITS_PORT = /Using callback port \d+\s*$/m;
const PORT_TAKEN = /Callback port \d+ is already in use/;

function lostItsPort(scenario: ScenarioResult): boolean {
  return scenario.processes.some((p) => MOVED_OFF_ITS_PORT.test(p.stderrTail) || PORT_TAKEN.test(p.stderrTail));
}

/**
 * Runs the scenarios; one whose callback port another process happened to hold runs once more, in a
 * new world with a new URL and so a new derived port.
 */
async function runSuite(options: Omit<ClientRunOptions, 'specVersion' | 'strict'>): Promise<Report> {
  const run = (scenarios: readonly ClientScenario[]) => runClientScenarios({ ...options, scenarios, specVersion: SPEC_VERSION, strict: false });
  const report = await run(options.scenarios);
  const unlucky = report.scenarios.filter(lostItsPort).map((s) => s.id);
  if (unlucky.length === 0) return report;
  const again = await run(options.scenarios.filter((s) => unlucky.includes(s.id)));
  return { ...report, scenarios: report.scenarios.map((s) => again.scenarios.find((a) => a.id === s.id) ?? s) };
}

describe(`mcp-remote ${MCP_REMOTE_VERSION} (mcp-remote-client), whole client suite at ${SPEC_VERSION}`, () => {
  it('runs against the mcp-remote version the table was pinned for', () => {
    expect(installedVersion('mcp-remote'), 'the target changed: another mcp-remote version is installed, so the pinned table does not describe it').toBe(MCP_REMOTE_VERSION);
  });

  it('fails exactly the pinned checks and passes exactly the pinned scenarios', async () => {
    const report = await runSuite({ command: CLIENT, scenarios: clientScenarios, jobs: 4, timeoutMs: 20_000 });

    const coldStart = report.scenarios.find((s) => s.id === COLD_START)!;
    const coldChecks = Object.fromEntries(coldStart.checks.map((c) => [c.id, c]));
    expect(coldChecks['discovery-single-flight']).toMatchObject({ status: 'warn', message: expect.stringMatching(/was fetched \d+ times by 3 copies/) });
    if (coldChecks['client-process'].status !== 'pass') {
      expect(coldChecks['client-process'].message).toMatch(/still running after the 20000 ms timeout|exited with code 1/);
      expect(coldStart.processes.map((p) => p.stderrTail).join('\n')).toMatch(/authorization code already used|taking it over on port|Waiting for authorization/);
    }

    const judged = { ...report, scenarios: report.scenarios.filter((s) => s.id !== COLD_START) };
    const moved = pinChanges(judged, { checks: PINNED_CHECKS, passingScenarios: PINNED_PASSING_SCENARIOS, counterexampleProperties: PINNED_COUNTEREXAMPLE_PROPERTIES });
    const explanation = [
      `The kit's verdicts on mcp-remote ${MCP_REMOTE_VERSION} changed (${moved.length} entr${moved.length === 1 ? 'y' : 'ies'}).`,
      'Either the kit changed (a check, a scenario or the mock world) or the target did (mcp-remote).',
      'Find out which side moved from the trace, then update PINNED_CHECKS / PINNED_PASSING_SCENARIOS with the reason.',
    ].join(' ');
    expect(moved, explanation).toEqual([]);
  }, 300_000);

  // The flags that map the contract onto mcp-remote's own options: the context's pre-registered
  // credentials become --static-oauth-client-info (it takes the JSON as it comes), and the kit's
  // CIMD URL becomes --client-metadata-url, which mcp-remote uses only where the authorization server
  // advertises client_id_metadata_document_supported and otherwise registers. Either flag makes it
  // insist on its one derived callback port (strictPort), which it otherwise falls back from when taken.
  it('uses pre-registered credentials and CIMD when the contract is mapped onto its flags', async () => {
    const adapted = `exec ${CLIENT} "$1" --client-metadata-url ${CONFORMANCE_CIMD_URL} \${MCP_CONFORMANCE_CONTEXT:+--static-oauth-client-info "$MCP_CONFORMANCE_CONTEXT"}`;
    const ids = ['auth/pre-registration', 'auth/registration-priority', 'auth/basic-cimd'];
    const report = await runSuite({
      command: `sh -c ${shellQuote(adapted)} mcp-remote-client`,
      scenarios: clientScenarios.filter((s) => ids.includes(s.id)),
      jobs: 3,
      timeoutMs: 20_000,
    });
    // KIT BUG? as above: only the demanded tools/call is missing.
    const moved = pinChanges(report, { checks: Object.fromEntries(ids.map((id) => [`${id}:authorized-after-401`, 'fail'])), passingScenarios: [] });
    expect(moved, 'the adapted command no longer gets exactly the tools/call failure in the registration scenarios').toEqual([]);
    const clientIds = (id: string) =>
      new Set(report.scenarios.find((s) => s.id === id)!.exchanges.filter((e) => e.role === 'authorize').map((e) => new URL(e.request.url).searchParams.get('client_id')));
    expect(clientIds('auth/basic-cimd')).toEqual(new Set([CONFORMANCE_CIMD_URL]));
    expect(clientIds('auth/pre-registration')).toEqual(new Set(['pre-registered-client']));
  }, 120_000);

  // MOVED_OFF_ITS_PORT on purpose: a wrapper works out the port mcp-remote derives from the URL
  // (calculateDefaultPort: 3335 + the first 16 bits of the URL's MD5 modulo 45816), holds it with a
  // server of its own, and then starts mcp-remote-client.
  it('loses the authorization when another process holds its derived callback port', async () => {
    const client = path.join(ROOT, 'node_modules/mcp-remote/dist/client.js');
    const squatter = [
      `const { createHash } = require('node:crypto');`,
      `const url = process.argv[1];`,
      `const port = 3335 + (parseInt(createHash('md5').update(url).digest('hex').slice(0, 4), 16) % 45816);`,
      `const start = () => require('node:child_process').spawn(process.execPath, [${JSON.stringify(client)}, url], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 1));`,
      `require('node:http').createServer((_, res) => res.writeHead(404).end('not mcp-remote')).listen(port, '127.0.0.1', start);`,
    ].join('\n');
    const report = await runClientScenarios({
      command: `${shellQuote(process.execPath)} -e ${shellQuote(squatter)}`,
      scenarios: clientScenarios.filter((s) => s.id === 'auth/metadata-default'),
      specVersion: SPEC_VERSION,
      jobs: 1,
      timeoutMs: 6_000,
      strict: false,
    });
    const [scenario] = report.scenarios;
    const digest = createHash('md5').update(scenario.world!.mcpUrl).digest('hex');
    const derived = 3335 + (parseInt(digest.slice(0, 4), 16) % 45816);
    const stderr = scenario.processes[0].stderrTail;
    expect(stderr).toContain(`Using callback port derived from the server URL: ${derived}`);
    expect(stderr).toMatch(new RegExp(`Using callback port ${derived + 1}\\s*$`, 'm'));
    expect(lostItsPort(scenario)).toBe(true);
    // The browser was sent to the derived port, where the other process answered; mcp-remote waited on the next one.
    const callback = scenario.exchanges.find((e) => e.role === 'callback')!;
    expect(new URL(callback.request.url).port).toBe(String(derived));
    expect(callback.response).toMatchObject({ status: 404, body: 'not mcp-remote' });
    expect(scenario.exchanges.some((e) => e.role === 'token')).toBe(false);
    expect(scenario.processes[0].timedOut).toBe(true);
  }, 60_000);
});
