// Benchmark: the whole server suite against the reference server, beside a floor measured in the same
// run: the kit's issuer and the same server started the same way, then as many plain requests as the
// suite made (a valid token minted once, sent with node:http, the burst's share sent at once). The
// ratio is what the kit adds: learning, minting every token, recording, judging, reporting. Then the
// token-fuzz property alone, in cases per second, beside the plain request rate.
//   npm run bench:server -- [--rounds 3] [--runs 300]
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startIssuer } from '../mocks/issuer.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { freePort, startServer } from '../core/targets/server/process.js';
import { runServerScenarios, serverEnvironment } from '../core/targets/server/run.js';
import { serverScenarios } from '../suites/server/index.js';
import { BURST_PAIRS } from '../suites/server/scenarios/many.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '300' } } });
const rounds = Number(values.rounds);
const fuzzRuns = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const serverCommand = `node ${join(root, 'examples/servers/reference-server.js')}`;
const toolScopes = { 'test-tool': ['mcp:write'] };
const common = { specVersion: LATEST_SPEC_VERSION, strict: false, timeoutMs: 15_000, startTimeoutMs: 30_000, tokenFormat: 'jwt' as const, toolScopes } as const;

interface SuiteRun {
  ms: number;
  requests: number;
}

async function suite(): Promise<SuiteRun> {
  const start = performance.now();
  const report = await runServerScenarios({ ...common, target: { command: serverCommand }, scenarios: serverScenarios, property: { seed: 42 } });
  const ms = performance.now() - start;
  if (report.summary.exitCode !== 0) throw new Error(`the suite did not pass against the reference server (exit ${report.summary.exitCode})`);
  const requests = report.scenarios.reduce((n, s) => n + s.exchanges.filter((e) => e.actor === 'kit').length, 0);
  return { ms, requests };
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

/** The issuer and the server as the suite starts them, then `requests` plain requests, `together` of them at once. */
async function floor(requests: number, together: number): Promise<number> {
  const start = performance.now();
  const port = await freePort();
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const issuer = await startIssuer({ resource: mcpUrl });
  const server = startServer({ command: serverCommand, env: { ...process.env, ...serverEnvironment(issuer, port, mcpUrl, 'jwt') }, host: '127.0.0.1', port, startTimeoutMs: 30_000 });
  try {
    if (!(await server.ready).ready) throw new Error('the reference server did not start');
    const token = await issuer.forge.jwt({ claims: { scope: 'mcp:read mcp:write' } });
    for (let i = 0; i < requests - together; i++) await post(mcpUrl, token);
    await Promise.all(Array.from({ length: together }, () => post(mcpUrl, token)));
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
  floors.push(await floor(run.requests, 2 * BURST_PAIRS));
  fuzzes.push((await fuzz()).ms);
  fuzzFloors.push(await floor(fuzzRuns, 0));
}
const s = median(suites.map((x) => x.ms));
const f = median(floors);
const requests = suites[0].requests;
const z = median(fuzzes);
const zf = median(fuzzFloors);
console.log(`server suite benchmark: ${serverScenarios.length} scenarios, ${requests} requests to the server, 1 server start per run, ${rounds} rounds (medians)`);
console.log(`  floor (issuer + reference server started, ${requests} plain requests): ${(f / 1000).toFixed(2)} s`);
console.log(`  suite (mcp-auth-conformance server, all scenarios):                ${(s / 1000).toFixed(2)} s`);
console.log(`  ratio suite/floor: ${(s / f).toFixed(2)}`);
console.log(`token-fuzz property, ${fuzzRuns} cases: ${(z / 1000).toFixed(2)} s, ${(fuzzRuns / (z / 1000)).toFixed(0)} cases per second (server start included)`);
console.log(`  floor (${fuzzRuns} plain requests, server start included): ${(zf / 1000).toFixed(2)} s, ${(fuzzRuns / (zf / 1000)).toFixed(0)} requests per second`);
console.log(`  ratio property/floor: ${(z / zf).toFixed(2)}`);
