// Benchmark: the whole authorization-server suite against the kit's mock authorization server (as a
// process, the grace-same policy, so that every check passes), beside a floor measured in the same
// run: the same server started the same way, then the requests the suite sent, replayed as they were
// recorded one after the other with node:http (a property's requests counted as its last case's
// times its cases). The ratio is what the kit adds: learning, the user agent reading pages, holding
// races back to the last byte, recording, judging, redacting, reporting. Then the two race properties
// alone, in race cases per minute.
//   npm run bench:as -- [--rounds 3] [--runs 50]
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { freePort, startListening } from '../core/targets/listening-process.js';
import { DEFAULT_REDIRECT_URI, DEFAULT_RESOURCE, runAuthorizationServerScenarios, type AuthorizationServerRunOptions } from '../core/targets/authorization-server/run.js';
import type { RecordedRequest } from '../core/trace.js';
import { authorizationServerScenarios } from '../suites/authorization-server/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '50' } } });
const rounds = Number(values.rounds);
const raceRuns = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const serverCommand = `node ${join(root, 'examples/authorization-servers/mock-authorization-server.js')}`;
const common: Omit<AuthorizationServerRunOptions, 'scenarios'> = {
  target: { command: serverCommand },
  specVersion: LATEST_SPEC_VERSION,
  strict: false,
  resource: DEFAULT_RESOURCE,
  redirectUri: DEFAULT_REDIRECT_URI,
  timeoutMs: 15_000,
  startTimeoutMs: 30_000,
  redact: true,
  env: { MOCK_REFRESH_POLICY: 'grace-same' },
};

interface SuiteRun {
  ms: number;
  /** Every request the suite sent, in order (a property's last case repeated as many times as it ran). */
  requests: RecordedRequest[];
}

async function suite(): Promise<SuiteRun> {
  const requests: RecordedRequest[] = [];
  const start = performance.now();
  const report = await runAuthorizationServerScenarios({
    ...common,
    scenarios: authorizationServerScenarios,
    property: { seed: 42 },
    onTrace: (id, trace) => {
      const sent = trace.exchanges.filter((e) => e.actor === 'kit' || e.actor === 'browser').map((e) => e.request);
      const times = authorizationServerScenarios.find((s) => s.id === id)?.property?.defaultRuns ?? 1;
      for (let i = 0; i < times; i++) requests.push(...sent);
    },
  });
  const ms = performance.now() - start;
  if (report.summary.exitCode !== 0 || report.summary.checks.warn > 0) throw new Error(`the suite did not pass cleanly against the mock authorization server (exit ${report.summary.exitCode}, ${report.summary.checks.warn} warnings)`);
  return { ms, requests };
}

function replay(request: RecordedRequest, base: URL): Promise<number> {
  // The recorded URL names the suite's server; the floor's has another port.
  const url = new URL(request.url);
  url.host = base.host;
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: request.method, agent: false, headers: request.headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** The mock authorization server started as the suite starts it, then every request the suite sent, plainly. */
async function floor(requests: RecordedRequest[]): Promise<number> {
  const start = performance.now();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const server = startListening({
    command: serverCommand,
    actor: 'authorization-server',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MCP_CONFORMANCE_ISSUER: issuer, MCP_CONFORMANCE_RESOURCE: DEFAULT_RESOURCE, MOCK_REFRESH_POLICY: 'grace-same' },
    host: '127.0.0.1',
    port,
    startTimeoutMs: 30_000,
  });
  try {
    if (!(await server.ready).ready) throw new Error('the mock authorization server did not start');
    const base = new URL(issuer);
    for (const request of requests) await replay(request, base);
  } finally {
    await server.stop();
  }
  return performance.now() - start;
}

async function races(): Promise<{ ms: number; cases: number }> {
  const start = performance.now();
  const report = await runAuthorizationServerScenarios({ ...common, scenarios: authorizationServerScenarios.filter((s) => s.property), property: { seed: 42, runs: raceRuns } });
  const ms = performance.now() - start;
  const cases = report.scenarios.reduce((n, s) => n + (s.property?.runs ?? 0), 0);
  if (report.summary.exitCode !== 0 || cases !== 2 * raceRuns) throw new Error(`the race properties did not hold in ${raceRuns} runs each against the mock authorization server`);
  return { ms, cases };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const suites: SuiteRun[] = [];
const floors: number[] = [];
const raceTimes: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Interleaved so that machine noise falls on both sides alike.
  const run = await suite();
  suites.push(run);
  floors.push(await floor(run.requests));
  raceTimes.push((await races()).ms);
}
const s = median(suites.map((x) => x.ms));
const f = median(floors);
const requests = suites[0].requests.length;
const r = median(raceTimes);
console.log(`authorization-server suite benchmark: ${authorizationServerScenarios.length} scenarios, about ${requests} requests to the server, 1 server start per run, ${rounds} rounds (medians)`);
console.log(`  floor (mock authorization server started, the same ${requests} requests replayed one after another): ${(f / 1000).toFixed(2)} s`);
console.log(`  suite (mcp-auth-conformance authorization-server, all scenarios):                        ${(s / 1000).toFixed(2)} s`);
console.log(`  ratio suite/floor: ${(s / f).toFixed(2)}`);
console.log(`race properties, ${raceRuns} cases each (as/code-race, as/refresh-race), server start included: ${(r / 1000).toFixed(2)} s, ${((2 * raceRuns) / (r / 60_000)).toFixed(0)} race cases per minute`);
