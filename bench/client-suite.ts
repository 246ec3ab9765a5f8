// Benchmark: the whole client suite against the reference client, beside a floor measured in the
// same run (bench/floor.ts): the same client starts, each a plain authorization flow against a
// minimal server, grouped and paced like the suite's. The ratio is the kit's overhead.
//   npm run bench -- [--rounds 3] [--jobs N] [--seed 42]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { clientScenarios } from '../suites/client/index.js';
import { clientStarts, floor, plannedRuns, spawnAndWait } from './floor.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, jobs: { type: 'string' }, seed: { type: 'string', default: '42' } } });
const rounds = Number(values.rounds);
const seed = Number(values.seed);
const jobs = Number(values.jobs ?? availableParallelism());
const root = new URL('..', import.meta.url).pathname;
const clientCommand = `node ${join(root, 'examples/clients/reference-client.js')}`;
const cli = join(root, 'bin/mcp-auth-conformance.js');
const scenarios = clientScenarios.filter((s) => s.specVersions.includes(LATEST_SPEC_VERSION));
const plans = scenarios.map((scenario) => plannedRuns(scenario, seed));
const starts = clientStarts(plans);

async function suite(): Promise<number> {
  const out = await mkdtemp(join(tmpdir(), 'bench-suite-'));
  const start = performance.now();
  const code = await spawnAndWait(process.execPath, [cli, 'client', '--command', clientCommand, '--jobs', String(jobs), '--seed', String(seed), '--reporter', 'json', '--output-dir', out]);
  const elapsed = performance.now() - start;
  await rm(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the suite did not pass against the reference client (exit ${code})`);
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floors: number[] = [];
const suites: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Interleaved so that machine noise falls on both sides alike.
  floors.push(await floor(clientCommand, plans, jobs));
  suites.push(await suite());
}
const f = median(floors);
const s = median(suites);
console.log(`client suite benchmark: ${scenarios.length} scenarios, ${starts} client starts, --jobs ${jobs}, --seed ${seed}, ${rounds} rounds (medians)`);
console.log(`  floor (reference client, plain flow x${starts}, minimal server): ${(f / 1000).toFixed(2)} s`);
console.log(`  suite (mcp-auth-conformance client, all scenarios):              ${(s / 1000).toFixed(2)} s`);
console.log(`  ratio suite/floor: ${(s / f).toFixed(2)}  (kit overhead ${(((s - f) / f) * 100).toFixed(0)}%)`);
