// Hand-built reports for the reporter and baseline tests: small builders with sensible defaults,
// and two realistic runs (one with every kind of outcome, one interrupted). Summaries are computed
// with the same helper the engine uses, so a fixture is always internally consistent.
import type { Evidence } from '../../core/check.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type CheckResult, type Report, type ScenarioResult } from '../../core/report.js';
import { exitCodeOf, summarize } from '../../core/summary.js';
import type { Exchange, ProcessOutcome, RecordedRequest, RecordedResponse, WorldFacts } from '../../core/trace.js';

export const AS = 'http://127.0.0.1:41001';
export const RS = 'http://127.0.0.1:41002';
export const CALLBACK = 'http://127.0.0.1:53682/callback';
export const CLIENT_COMMAND = 'node ./my-client.js';

type ExchangeInit = Partial<Omit<Exchange, 'request' | 'response'>> & {
  id: number;
  request: Partial<RecordedRequest> & Pick<RecordedRequest, 'url'>;
  response?: Partial<RecordedResponse> | null;
};

export function exchange(init: ExchangeInit): Exchange {
  const { request, response, ...rest } = init;
  const built: Exchange = {
    at: init.id * 15,
    durationMs: 2,
    actor: 'client-1',
    server: 'as',
    role: 'unknown',
    ...rest,
    request: { method: 'GET', headers: {}, ...request },
  };
  if (response !== null) built.response = { status: 200, headers: {}, ...response };
  return built;
}

export function check(init: Partial<CheckResult> & Pick<CheckResult, 'id'>): CheckResult {
  return {
    title: `${init.id} title`,
    requirements: [],
    level: 'MUST',
    specVersions: ['2025-06-18', '2025-11-25', '2026-07-28'],
    specLinks: [],
    status: 'pass',
    message: `${init.id} holds`,
    evidence: [],
    ...init,
  };
}

export function processOutcome(init: Partial<ProcessOutcome> = {}): ProcessOutcome {
  return {
    actor: 'client-1',
    command: CLIENT_COMMAND,
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 640,
    stdoutTail: '',
    stderrTail: '',
    ...init,
  };
}

export function scenario(init: Partial<ScenarioResult> & Pick<ScenarioResult, 'id'>): ScenarioResult {
  const checks = init.checks ?? [];
  return {
    title: `${init.id} title`,
    description: `What ${init.id} sets up and what a correct client does.`,
    status: checks.some((c) => (c.status === 'fail' || c.status === 'not-reached') && !c.expectedFailure) ? 'fail' : 'pass',
    protocolVersion: '2026-07-28',
    durationMs: 840,
    processes: [processOutcome()],
    exchanges: [],
    ...init,
    checks,
  };
}

/** A report around the given scenarios, with summary and exit code derived from them. */
export function report(scenarios: ScenarioResult[], init: Partial<Omit<Report, 'summary' | 'scenarios'>> = {}): Report {
  const built: Report = {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'mcp-auth-conformance', version: '0.1.0' },
    role: 'client',
    target: { command: CLIENT_COMMAND },
    specVersion: '2026-07-28',
    strict: false,
    startedAt: '2026-08-07T10:15:30.250Z',
    durationMs: 5230,
    interrupted: false,
    ...init,
    summary: { ...summarize(scenarios, []), exitCode: 0 },
    scenarios,
  };
  built.summary.exitCode = exitCodeOf(built);
  return built;
}

export function world(): WorldFacts {
  return {
    mcpUrl: `${RS}/mcp`,
    canonicalResource: `${RS}/mcp`,
    rsOrigin: RS,
    asOrigin: AS,
    issuer: AS,
    prmUrl: `${RS}/.well-known/oauth-protected-resource/mcp`,
    asMetadataUrls: [`${AS}/.well-known/oauth-authorization-server`],
    asMetadataProbeOrder: [`${AS}/.well-known/oauth-authorization-server`],
    endpoints: { authorize: `${AS}/authorize`, token: `${AS}/token`, register: `${AS}/register`, jwks: `${AS}/jwks` },
    preRegistered: { client_id: 'pre-registered', client_secret: 'not-a-secret' },
    challengeScope: 'mcp:tools',
    scopesSupported: ['mcp:tools', 'mcp:admin'],
    knobs: { prm: { location: 'path', advertise: true, resource: 'correct' }, as: { issuerPath: '', pkceMethods: ['S256'] } },
  };
}

const authorizeUrl =
  `${AS}/authorize?response_type=code&client_id=dyn-client-7f3a9c&redirect_uri=${encodeURIComponent(CALLBACK)}` +
  '&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain' +
  `&state=af0ifjsldkj-4711&scope=mcp%3Atools&resource=${encodeURIComponent(`${RS}/mcp`)}`;

/** The exchanges of one flow in which the client sends plain PKCE and leaves `resource` out of the token request. */
export function flawedFlow(): Exchange[] {
  return [
    exchange({
      id: 1,
      server: 'rs',
      role: 'mcp',
      request: { method: 'POST', url: `${RS}/mcp`, headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}' },
      response: {
        status: 401,
        headers: { 'www-authenticate': `Bearer resource_metadata="${RS}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"` },
        body: '{"error":"invalid_token"}',
      },
    }),
    exchange({
      id: 2,
      server: 'rs',
      role: 'prm',
      request: { url: `${RS}/.well-known/oauth-protected-resource/mcp` },
      response: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resource: `${RS}/mcp`, authorization_servers: [AS] }) },
    }),
    exchange({
      id: 3,
      role: 'as-metadata',
      request: { url: `${AS}/.well-known/oauth-authorization-server` },
      response: {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ issuer: `${AS}/other`, authorization_endpoint: `${AS}/authorize`, code_challenge_methods_supported: ['S256'] }),
      },
    }),
    exchange({
      id: 4,
      actor: 'browser',
      role: 'authorize',
      request: { url: authorizeUrl },
      response: { status: 302, headers: { location: `${CALLBACK}?code=c0de&state=af0ifjsldkj-4711&iss=${encodeURIComponent(AS)}` } },
    }),
    exchange({ id: 5, actor: 'browser', server: 'external', role: 'callback', request: { url: `${CALLBACK}?code=c0de&state=af0ifjsldkj-4711` } }),
    exchange({
      id: 6,
      role: 'token',
      request: {
        method: 'POST',
        url: `${AS}/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=c0de&redirect_uri=${encodeURIComponent(CALLBACK)}&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=dyn-client-7f3a9c`,
      },
      response: { headers: { 'content-type': 'application/json' }, body: '{"access_token":"at-1","token_type":"Bearer","expires_in":3600}' },
    }),
    exchange({
      id: 7,
      server: 'rs',
      role: 'mcp',
      request: {
        method: 'POST',
        url: `${RS}/mcp`,
        headers: { 'content-type': 'application/json', authorization: 'bearer at-1' },
        body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
      },
      response: { headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}' },
    }),
  ];
}

const ev = (exchangeId: number, part?: string, note?: string): Evidence => ({ exchange: exchangeId, ...(part ? { part } : {}), ...(note ? { note } : {}) });

/** Output a crashing client really produces: colours, a progress bar redrawn with \r, a bell, a NUL. */
export const CRASH_STDERR =
  '\u001b[31mError: could not reach the token endpoint\u001b[0m\n' +
  '    at redeem (file:///app/client.js:88:11)\n' +
  'downloading 10%\rdownloading 100%\n' +
  'bell\u0007 and nul\u0000 and escape\u001bX and \ufffe\n';

/** Every kind of outcome: a clean pass, failures with evidence, a warning, skips, a crash, a timeout, a skipped scenario. */
export function sampleReport(init: Partial<Omit<Report, 'summary' | 'scenarios'>> = {}): Report {
  const passing = scenario({
    id: 'auth/metadata-default',
    title: 'Discovery through the 401 challenge',
    durationMs: 812,
    world: world(),
    exchanges: flawedFlow().slice(0, 3),
    checks: [
      check({ id: 'prm-fetched', title: 'Fetches protected resource metadata', requirements: ['C-PRM-01'], message: 'PRM fetched from the challenge URL', evidence: [ev(2)] }),
      check({ id: 'as-metadata-fetched', title: 'Fetches AS metadata', requirements: ['C-ASM-03'], message: 'RFC 8414 metadata fetched' }),
      check({ id: 'bearer-on-mcp', title: 'Sends the token on MCP requests', requirements: ['C-TOK-01'], message: 'every MCP request carried the token' }),
    ],
  });

  const flawed = scenario({
    id: 'auth/pkce-and-resource',
    title: 'PKCE S256 and resource indicators',
    durationMs: 1234,
    world: world(),
    exchanges: flawedFlow(),
    checks: [
      check({ id: 'pkce-challenge-present', title: 'Sends a code challenge', requirements: ['C-PKCE-01'], message: 'code_challenge present', evidence: [ev(4, 'query.code_challenge')] }),
      check({
        id: 'pkce-s256',
        title: 'Uses the S256 challenge method',
        requirements: ['C-PKCE-03'],
        specLinks: ['https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#authorization-code-protection'],
        status: 'fail',
        message: 'the authorization request used code_challenge_method "plain"',
        evidence: [ev(4, 'query.code_challenge_method', 'must be S256'), ev(3, 'body.code_challenge_methods_supported', 'the AS advertises S256 only')],
      }),
      check({
        id: 'resource-in-token-request',
        title: 'Sends resource in the token request',
        requirements: ['C-RES-02', 'RI-C-01'],
        status: 'fail',
        message: 'the token request has no resource parameter',
        evidence: [ev(6, 'form.resource', `expected ${RS}/mcp`)],
      }),
      check({
        id: 'issuer-checked',
        title: 'Compares the metadata issuer',
        requirements: ['C-ASM-05'],
        level: 'SHOULD',
        status: 'warn',
        message: 'went on although the metadata issuer differs from the issuer identifier',
        evidence: [ev(3, 'body.issuer', `expected ${AS}`), ev(1, 'response.header.www-authenticate'), ev(1, 'status')],
      }),
      check({
        id: 'bearer-scheme',
        title: 'Uses the Bearer scheme',
        requirements: ['C-TOK-02'],
        level: 'SHOULD',
        status: 'warn',
        message: 'scheme written in lower case',
        evidence: [ev(7, 'header.authorization', 'RFC 6750 spells it Bearer')],
      }),
      check({ id: 'refresh-rotation', title: 'Uses the rotated refresh token', requirements: ['C-REF-02'], status: 'skip', message: 'the authorization server issued no refresh token' }),
    ],
  });

  const crashed = scenario({
    id: 'auth/token-endpoint-auth-basic',
    title: 'client_secret_basic at the token endpoint',
    durationMs: 2210,
    exchanges: flawedFlow().slice(0, 4),
    processes: [processOutcome({ exitCode: 1, durationMs: 2200, stdoutTail: 'connecting to the MCP server\nopening browser\n', stderrTail: CRASH_STDERR })],
    checks: [
      check({ id: 'prm-fetched', requirements: ['C-PRM-01'], message: 'PRM fetched' }),
      check({ id: 'token-request-made', requirements: ['C-AUTH-04'], status: 'fail', message: 'the client never redeemed the authorization code', evidence: [ev(4, undefined, 'the code was issued here')] }),
    ],
  });

  const timedOut = scenario({
    id: 'auth/scope-step-up',
    title: 'Step-up on insufficient_scope',
    status: 'fail',
    durationMs: 30_000,
    processes: [processOutcome({ exitCode: null, signal: 'SIGKILL', timedOut: true, durationMs: 30_000, stdoutTail: 'waiting for the callback…\n' })],
    checks: [],
  });

  const skipped = scenario({
    id: 'auth/2025-03-26-oauth-metadata-backcompat',
    title: '2025-03-26 servers without PRM',
    status: 'skip',
    skipReason: 'not applicable at spec version 2026-07-28',
    durationMs: 0,
    processes: [],
    checks: [],
  });

  return report([passing, flawed, crashed, timedOut, skipped], init);
}

/** A run cut short by Ctrl-C: one scenario finished, the one in flight was skipped as interrupted. */
export function interruptedReport(): Report {
  const done = sampleReport().scenarios[0];
  const cut = scenario({
    id: 'auth/pkce-and-resource',
    title: 'PKCE S256 and resource indicators',
    status: 'skip',
    skipReason: 'interrupted',
    durationMs: 310,
    processes: [processOutcome({ exitCode: null, signal: 'SIGTERM', durationMs: 300 })],
    checks: [],
  });
  return report([done, cut], { interrupted: true, durationMs: 1150 });
}

/** A client that died before its first request: one cause, and every other check not reached because of it. */
export function deadOnArrivalReport(): Report {
  const ids = ['prm-discovered', 'pkce-code-challenge-sent', 'resource-in-token-request', 'token-sent-as-bearer'];
  const dead = scenario({
    id: 'auth/metadata-default',
    title: 'Discovery through the 401 challenge',
    durationMs: 95,
    processes: [processOutcome({ exitCode: 1, durationMs: 80, stderrTail: 'Error: Cannot find module ./client.js\n' })],
    checks: [
      check({ id: 'client-process', status: 'fail', message: 'the client exited with code 1 after 80 ms; on stderr: Error: Cannot find module ./client.js' }),
      ...ids.map((id) => check({ id, status: 'not-reached', cause: ['client-process'], message: `${id}: the client never got that far` })),
    ],
  });
  return report([dead]);
}

/** Every scenario passed: a clean run, as a pull request hopes to see it. */
export function passingReport(): Report {
  const discovery = sampleReport().scenarios[0];
  const flow = flawedFlow().slice(0, 3);
  const race = scenario({
    id: 'auth/refresh-race',
    title: 'Copies racing to refresh one token',
    durationMs: 18_400,
    exchanges: flow,
    property: { runs: 6, seed: 20261202, outcomes: { '1 refresh, every copy used its successor': 4, '1 refresh, one copy re-read the store': 2 } },
    checks: [
      check({ id: 'refresh-single-flight', title: 'One refresh per family at a time', requirements: ['RT-C-02', 'RT-C-11'], message: 'one refresh request per family at a time' }),
      check({ id: 'refresh-no-superseded-token', title: 'Never presents a superseded refresh token', requirements: ['RT-C-01'], message: 'no superseded token was presented' }),
    ],
  });
  const skipped = scenario({
    id: 'auth/2025-03-26-oauth-metadata-backcompat',
    title: '2025-03-26 servers without PRM',
    status: 'skip',
    skipReason: 'not applicable at spec version 2026-07-28',
    durationMs: 0,
    processes: [],
    checks: [],
  });
  return report([discovery, race, skipped], { durationMs: 19_350 });
}

/**
 * A refresh race whose property failed: two copies of the client presented the same refresh token,
 * the second one got invalid_grant and started a new authorization. The exchanges are the shrunk
 * counterexample's.
 */
export function propertyReport(): Report {
  const token = (id: number, actor: string, refreshToken: string, status: number, body: string): Exchange =>
    exchange({
      id,
      actor,
      role: 'token',
      request: {
        method: 'POST',
        url: `${AS}/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=refresh_token&refresh_token=${refreshToken}&client_id=dyn-client-7f3a9c&resource=${encodeURIComponent(`${RS}/mcp`)}`,
      },
      response: { status, headers: { 'content-type': 'application/json' }, body },
    });
  const mcp = (id: number, actor: string, accessToken: string, status: number): Exchange =>
    exchange({
      id,
      actor,
      server: 'rs',
      role: 'mcp',
      request: { method: 'POST', url: `${RS}/mcp`, headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}' },
      response: status === 401 ? { status, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } } : { status, headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"result":{}}' },
    });
  const exchanges = [
    mcp(1, 'client-2', 'at-1', 401),
    mcp(2, 'client-3', 'at-1', 401),
    token(3, 'client-2', 'rt-1', 200, '{"access_token":"at-2","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2"}'),
    token(4, 'client-3', 'rt-1', 400, '{"error":"invalid_grant","error_description":"refresh token already used"}'),
    mcp(5, 'client-2', 'at-2', 200),
    exchange({ id: 6, actor: 'client-3', role: 'authorize', request: { url: `${AS}/authorize?response_type=code&client_id=dyn-client-7f3a9c&code_challenge_method=S256` }, response: { status: 302, headers: { location: `${CALLBACK}?code=c2` } } }),
  ];
  const race = scenario({
    id: 'auth/refresh-race',
    title: 'Copies racing to refresh one token',
    durationMs: 41_200,
    exchanges,
    processes: [processOutcome({ actor: 'client-1' }), processOutcome({ actor: 'client-2' }), processOutcome({ actor: 'client-3', exitCode: 1, stderrTail: 'Error: invalid_grant\n' })],
    property: {
      runs: 9,
      seed: 20261202,
      path: '8:0:1',
      counterexample: '2 copies, strict rotation, refusals as invalid_grant, start offsets [0, 3] ms, token latencies [120, 0, 0] ms',
      shrinks: 3,
      replay: `mcp-auth-conformance client --command '${CLIENT_COMMAND}' --scenario auth/refresh-race --seed=20261202 --replay 8:0:1`,
      outcomes: { '1 refresh, every copy used its successor': 7, '2 refreshes of one token, one refused': 2 },
    },
    checks: [
      check({
        id: 'refresh-single-flight',
        title: 'One refresh per family at a time',
        requirements: ['RT-C-02', 'RT-C-11'],
        status: 'fail',
        message: 'client-2 and client-3 refreshed the same token at once',
        evidence: [ev(3, 'form.refresh_token', 'first refresh of rt-1'), ev(4, 'form.refresh_token', 'the same token again, 3 ms later')],
      }),
      check({
        id: 'refresh-no-reauthorization',
        title: 'No new authorization while a refresh token is usable',
        requirements: ['RT-C-05'],
        status: 'fail',
        message: 'client-3 started a new authorization after its refresh was refused',
        evidence: [ev(4, 'status'), ev(6, undefined, 'a new authorization request')],
      }),
      check({ id: 'refresh-reuse-never-detected', title: 'Never trips reuse detection', requirements: ['RT-C-03'], level: 'SHOULD', status: 'warn', message: 'the server saw rt-1 twice', evidence: [ev(4, 'response.body.error')] }),
    ],
  });
  return report([race], { durationMs: 41_900 });
}
