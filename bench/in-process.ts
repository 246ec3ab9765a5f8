// Benchmark: one client judged two ways, scenario by scenario, in the same run. In-process: the
// library creates the scenario's world, msw (or nock) intercepts it, the vitest example's SDK
// client runs every start of the scenario in this process, and the checks judge the trace.
// As a process: the suite's engine runs the same client through its client-contract wrapper
// (examples/vitest/cli.ts), one process per start. Rounds are interleaved; medians are reported.
//   npm run bench:library -- [--rounds 5] [--all]
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { checksAt } from '../core/scenario.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { shellQuote } from '../core/targets/client/process.js';
import { clientScenarios } from '../suites/client/index.js';
import { driveScenario, runAsProcess, statuses, type Interception } from '../test/support/library-drive.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, all: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
const root = new URL('..', import.meta.url).pathname;
const command = `${shellQuote(process.execPath)} ${shellQuote(join(root, 'examples/vitest/cli.js'))}`;

// Discovery variants, the three registration paths, step-up, a refused mix-up, and restarts:
// after expiry (2 starts) and the eight starts of refresh-across-runs.
const CHOSEN = [
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var3',
  'auth/pre-registration',
  'auth/dynamic-client-registration',
  'auth/token-endpoint-auth-basic',
  'auth/scope-step-up',
  'auth/iss-wrong-issuer',
  'auth/discovery-max-age',
  'auth/refresh-across-runs',
];
// Several copies at once (races, concurrent cold starts) need processes: those stay with the suite.
const inProcessable = clientScenarios.filter((s) => !s.property && checksAt(s, LATEST_SPEC_VERSION).length > 0 && (s.runs ?? []).every((run) => (run.instances ?? 1) === 1));
const scenarios = values.all ? inProcessable.map((s) => s.id) : CHOSEN;

async function inProcess(how: Interception, id: string): Promise<{ ms: number; statuses: Record<string, string> }> {
  const start = performance.now();
  const { world } = await driveScenario(how, { scenario: id });
  const judged = statuses(world);
  return { ms: performance.now() - start, statuses: judged };
}

async function asProcess(id: string): Promise<{ ms: number; statuses: Record<string, string> }> {
  const start = performance.now();
  const { statuses: judged } = await runAsProcess(id, command);
  return { ms: performance.now() - start, statuses: judged };
}

// The first world of a process pays for compiling the handlers, jose and the SDK: shown apart.
const cold = await inProcess('msw', scenarios[0]);

const times = new Map(scenarios.map((id) => [id, { msw: [] as number[], nock: [] as number[], process: [] as number[], agree: true }]));
for (let round = 0; round < rounds; round++) {
  for (const id of scenarios) {
    const entry = times.get(id)!;
    const viaMsw = await inProcess('msw', id);
    const viaNock = await inProcess('nock', id);
    const viaProcess = await asProcess(id);
    entry.msw.push(viaMsw.ms);
    entry.nock.push(viaNock.ms);
    entry.process.push(viaProcess.ms);
    entry.agree &&= isDeepStrictEqual(viaMsw.statuses, viaProcess.statuses) && isDeepStrictEqual(viaNock.statuses, viaProcess.statuses);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const rows = scenarios.map((id) => {
  const entry = times.get(id)!;
  const runs = clientScenarios.find((s) => s.id === id)?.runs?.length ?? 1;
  return { id, runs, msw: median(entry.msw), nock: median(entry.nock), process: median(entry.process), agree: entry.agree };
});
const total = (key: 'msw' | 'nock' | 'process') => rows.reduce((sum, row) => sum + row[key], 0);
const width = Math.max(...scenarios.map((id) => id.length), 5);

console.log(`in-process library vs process-based suite, the vitest example's SDK client: ${scenarios.length} scenarios, ${rounds} rounds (medians), spec ${LATEST_SPEC_VERSION}`);
console.log(`  ${'scenario'.padEnd(width)}  starts  ${'msw'.padStart(9)}  ${'nock'.padStart(9)}  ${'process'.padStart(9)}  process/msw  same verdicts`);
for (const row of rows) {
  console.log(`  ${row.id.padEnd(width)}  ${String(row.runs).padStart(6)}  ${ms(row.msw).padStart(9)}  ${ms(row.nock).padStart(9)}  ${ms(row.process).padStart(9)}  ${(row.process / row.msw).toFixed(1).padStart(10)}x  ${row.agree ? 'yes' : 'NO'}`);
}
console.log(`  ${'total'.padEnd(width)}  ${String(rows.reduce((n, row) => n + row.runs, 0)).padStart(6)}  ${ms(total('msw')).padStart(9)}  ${ms(total('nock')).padStart(9)}  ${ms(total('process')).padStart(9)}  ${(total('process') / total('msw')).toFixed(1).padStart(10)}x`);
console.log(`  first in-process world of the process (${scenarios[0]}, msw, module and JIT warm-up included): ${ms(cold.ms)}`);
if (rows.some((row) => !row.agree)) {
  console.log('  verdicts differ between in-process and process-based runs: see the rows marked NO');
  process.exitCode = 1;
}
