// Benchmark: the whole client suite against the reference client, beside a floor measured in the
// same run: the same client doing one plain authorization flow against a minimal server, as many
// times as the suite starts it (every copy of every run; the race property's cases drawn with the
// same seed), in the same groups and with the same parallelism. The ratio is the kit's overhead.
//   npm run bench -- [--rounds 3] [--jobs N] [--seed 42]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import type { ClientRun, ClientScenario } from '../core/scenario.js';
import { DEFAULT_RUNS } from '../core/engine.js';
import { clientScenarios } from '../suites/client/index.js';
import { startMinimalWorld } from './minimal-world.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, jobs: { type: 'string' }, seed: { type: 'string', default: '42' } } });
const rounds = Number(values.rounds);
const seed = Number(values.seed);
const jobs = Number(values.jobs ?? availableParallelism());
const root = new URL('..', import.meta.url).pathname;
const clientCommand = `node ${join(root, 'examples/clients/reference-client.js')}`;
const cli = join(root, 'bin/mcp-auth-conformance.js');
const scenarios = clientScenarios.filter((s) => s.specVersions.includes(LATEST_SPEC_VERSION));
const scenarioCount = scenarios.length;

/** The runs the suite makes of a scenario: its own, or those of every case the property checks (fast-check runs its examples, then draws the rest). */
function runsOf(scenario: ClientScenario): ClientRun[] {
  const property = scenario.property;
  if (!property) return [...(scenario.runs ?? DEFAULT_RUNS)];
  const examples = property.examples ?? [];
  const drawn = fc.sample(property.cases, { seed, numRuns: Math.max(0, property.defaultRuns - examples.length) });
  // Cases run one after another, like the runs of one scenario.
  return [...examples, ...drawn].slice(0, property.defaultRuns).flatMap((value) => property.build(value).runs);
}
const plans = scenarios.map(runsOf);
const clientStarts = plans.flat().reduce((sum, run) => sum + (run.instances ?? 1), 0);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs `count` tasks with at most `limit` at once. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

/** One plain flow in a state directory of its own, so every start is a cold one. */
async function plainFlow(mcpUrl: string, dir: string): Promise<void> {
  const code = await run('/bin/sh', ['-c', `${clientCommand} '${mcpUrl}'`], {
    MCP_CONFORMANCE_SCENARIO: 'auth/metadata-default',
    MCP_CONFORMANCE_PROTOCOL_VERSION: LATEST_SPEC_VERSION,
    MCP_CONFORMANCE_STATE_DIR: dir,
    HOME: dir,
  });
  if (code !== 0) throw new Error(`the reference client failed the floor flow (exit ${code})`);
}

async function floor(): Promise<number> {
  const state = await mkdtemp(join(tmpdir(), 'bench-floor-'));
  const start = performance.now();
  let flows = 0;
  // Like the suite: plans side by side, each plan's runs one after another, a run's copies at once.
  await pool(plans.length, jobs, async (i) => {
    const world = await startMinimalWorld();
    try {
      for (const clientRun of plans[i]) {
        await Promise.all(Array.from({ length: clientRun.instances ?? 1 }, () => plainFlow(world.mcpUrl, join(state, String(flows++)))));
      }
    } finally {
      await world.close();
    }
  });
  const elapsed = performance.now() - start;
  await rm(state, { recursive: true, force: true });
  return elapsed;
}

async function suite(): Promise<number> {
  const out = await mkdtemp(join(tmpdir(), 'bench-suite-'));
  const start = performance.now();
  const code = await run(process.execPath, [cli, 'client', '--command', clientCommand, '--jobs', String(jobs), '--seed', String(seed), '--reporter', 'json', '--output-dir', out]);
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
  floors.push(await floor());
  suites.push(await suite());
}
const f = median(floors);
const s = median(suites);
console.log(`client suite benchmark: ${scenarioCount} scenarios, ${clientStarts} client starts, --jobs ${jobs}, --seed ${seed}, ${rounds} rounds (medians)`);
console.log(`  floor (reference client, plain flow x${clientStarts}, minimal server): ${(f / 1000).toFixed(2)} s`);
console.log(`  suite (mcp-auth-conformance client, all scenarios):              ${(s / 1000).toFixed(2)} s`);
console.log(`  ratio suite/floor: ${(s / f).toFixed(2)}  (kit overhead ${(((s - f) / f) * 100).toFixed(0)}%)`);
