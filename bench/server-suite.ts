// Benchmark: the whole server suite against the reference server, beside a floor measured in the same
// run: the kit's issuer and the same server started the same way, then as many plain requests as the
// suite made, as many of them accepted as the suite's were (a valid token minted once, or a garbage
// one, sent with node:http; the burst's share at once). The ratio is what the kit adds: learning,
// minting every token, recording, judging, reporting. Then the token-fuzz property alone, in cases
// per second, beside the same number of plain requests in the proportion of valid tokens it draws.
//   npm run bench:server -- [--rounds 3] [--runs 300]
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startIssuer } from '../mocks/issuer.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { freePort, startListening } from '../core/targets/listening-process.js';
import { runServerScenarios, serverEnvironment } from '../core/targets/server/run.js';
import { serverScenarios } from '../suites/server/index.js';
import fc from 'fast-check';
import { BURST_PAIRS, tokenFuzz } from '../suites/server/scenarios/many.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '300' } } });
const rounds = Number(values.rounds);
const fuzzRuns = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const serverCommand = `node ${join(root, 'examples/servers/reference-server.js')}`;
const toolScopes = { 'test-tool': ['mcp:write'] };
const common = { specVersion: LATEST_SPEC_VERSION, strict: false, timeoutMs: 15_000, startTimeoutMs: 30_000, tokenFormat: 'jwt' as const, toolScopes } as const;

/** What the kit sends before any scenario to learn the server's scopes (two PRM URLs, one request without a token). */
const LEARNING_REQUESTS = 3;

interface SuiteRun {
  ms: number;
  requests: number;
  /** Of which the server served (2xx): those open an SDK session, the rest stop at the bearer check. */
  served: number;
}

/** The share of drawn fuzz cases whose token is valid, drawn with the seed the runs use. */
function validShare(runs: number): number {
  const cases = fc.sample(tokenFuzz.cases, { seed: 42, numRuns: runs });
  return cases.filter((c) => c.token.kind === 'valid').length / cases.length;
}

async function suite(): Promise<SuiteRun> {
  const start = performance.now();
  const report = await runServerScenarios({ ...common, target: { command: serverCommand }, scenarios: serverScenarios, property: { seed: 42 } });
  const ms = performance.now() - start;
  if (report.summary.exitCode !== 0) throw new Error(`the suite did not pass against the reference server (exit ${report.summary.exitCode})`);
  // A property reports one case's exchanges; each of its cases sent one request.
  const plain = report.scenarios.filter((s) => !s.property).flatMap((s) => s.exchanges.filter((e) => e.actor === 'kit'));
  const drawn = report.scenarios.reduce((n, s) => n + (s.property?.runs ?? 0), 0);
  const served = plain.filter((e) => (e.response?.status ?? 0) < 300).length + Math.round(drawn * validShare(drawn));
  return { ms, requests: LEARNING_REQUESTS + plain.length + drawn, served };
}

function post(url: string, token: string): Promise<number> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_SPEC_VERSION, capabilities: {}, clientInfo: { name: 'floor', version: '0' } } });
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The issuer and the server as the suite starts them, then `requests` plain requests (`served` with a valid token), `together` of them at once. */
async function floor(requests: number, served: number, together: number): Promise<number> {
  const start = performance.now();
  const port = await freePort();
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const issuer = await startIssuer({ resource: mcpUrl });
  const server = startListening({ command: serverCommand, actor: 'server', env: { ...process.env, ...serverEnvironment(issuer, port, mcpUrl, 'jwt') }, host: '127.0.0.1', port, startTimeoutMs: 30_000 });
  try {
    if (!(await server.ready).ready) throw new Error('the reference server did not start');
    const valid = await issuer.forge.jwt({ claims: { scope: 'mcp:read mcp:write' } });
    const tokenOf = (i: number): string => (i < served ? valid : 'this-is-not-an-access-token-0123456789');
    for (let i = 0; i < requests - together; i++) await post(mcpUrl, tokenOf(i));
    await Promise.all(Array.from({ length: together }, (_, i) => post(mcpUrl, tokenOf(requests - together + i))));
  } finally {
    await server.stop();
    await issuer.close();
  }
  return performance.now() - start;
}

async function fuzz(): Promise<{ ms: number; cases: number }> {
  const start = performance.now();
  const report = await runServerScenarios({ ...common, target: { command: serverCommand }, scenarios: serverScenarios.filter((s) => s.id === 'server/token-fuzz'), property: { seed: 42, runs: fuzzRuns } });
  const ms = performance.now() - start;
  const cases = report.scenarios[0].property?.runs ?? 0;
  if (report.summary.exitCode !== 0 || cases !== fuzzRuns) throw new Error(`the fuzz property did not hold in ${fuzzRuns} runs against the reference server`);
  return { ms, cases };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const suites: SuiteRun[] = [];
const floors: number[] = [];
const fuzzes: number[] = [];
const fuzzFloors: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Interleaved so that machine noise falls on both sides alike.
  const run = await suite();
  suites.push(run);
  floors.push(await floor(run.requests, run.served, 2 * BURST_PAIRS));
  fuzzes.push((await fuzz()).ms);
  fuzzFloors.push(await floor(fuzzRuns, Math.round(fuzzRuns * validShare(fuzzRuns)), 0));
}
const s = median(suites.map((x) => x.ms));
const f = median(floors);
const requests = suites[0].requests;
const z = median(fuzzes);
const zf = median(fuzzFloors);
console.log(`server suite benchmark: ${serverScenarios.length} scenarios, ${requests} requests to the server (${suites[0].served} served), 1 server start per run, ${rounds} rounds (medians)`);
console.log(`  floor (issuer + reference server started, ${requests} plain requests, ${suites[0].served} with a valid token): ${(f / 1000).toFixed(2)} s`);
console.log(`  suite (mcp-auth-conformance server, all scenarios):                ${(s / 1000).toFixed(2)} s`);
console.log(`  ratio suite/floor: ${(s / f).toFixed(2)}`);
console.log(`token-fuzz property, ${fuzzRuns} cases: ${(z / 1000).toFixed(2)} s, ${(fuzzRuns / (z / 1000)).toFixed(0)} cases per second (server start included)`);
console.log(`  floor (${fuzzRuns} plain requests, ${Math.round(validShare(fuzzRuns) * 100)}% with a valid token, server start included): ${(zf / 1000).toFixed(2)} s, ${(fuzzRuns / (zf / 1000)).toFixed(0)} requests per second`);
console.log(`  ratio property/floor: ${(z / zf).toFixed(2)}`);
