// Benchmark: how many cases of the refresh-race property the kit checks per minute against the
// reference client (each case a fresh world: a cold start, K racing copies, a follow-up start),
// beside a floor measured in the same run (bench/floor.ts): the same client starts of the same
// cases, each a plain authorization flow against a minimal server, copies started together.
//   npm run bench:race -- [--runs 6] [--seed 42] [--rounds 3]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runClientScenarios } from '../core/engine.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { clientScenarios } from '../suites/client/index.js';
import { clientStarts, floor, plannedRuns } from './floor.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '6' }, seed: { type: 'string', default: '42' }, rounds: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const seed = Number(values.seed);
const rounds = Number(values.rounds);
const root = new URL('..', import.meta.url).pathname;
const command = `node ${join(root, 'examples/clients/reference-client.js')}`;
const race = clientScenarios.find((s) => s.id === 'auth/refresh-race');
if (!race?.property) throw new Error('auth/refresh-race is not a property scenario');
const plan = plannedRuns(race, seed, runs);
const starts = clientStarts([plan]);

async function property(): Promise<number> {
  const start = performance.now();
  const report = await runClientScenarios({ command, scenarios: [race!], specVersion: LATEST_SPEC_VERSION, jobs: 1, timeoutMs: 30_000, strict: false, property: { runs, seed } });
  const elapsed = performance.now() - start;
  const result = report.scenarios[0];
  if (result.status !== 'pass') throw new Error(`the reference client did not hold the property (${result.status}, seed ${seed})`);
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floors: number[] = [];
const properties: number[] = [];
for (let r = 0; r < rounds; r++) {
  floors.push(await floor(command, [plan], 1));
  properties.push(await property());
}
const f = median(floors);
const p = median(properties);
console.log(`refresh-race benchmark: ${runs} cases, ${starts} client starts, seed ${seed}, ${rounds} rounds (medians)`);
console.log(`  property: ${(p / 1000).toFixed(2)} s, ${((runs / p) * 60_000).toFixed(1)} cases per minute, ${(p / runs / 1000).toFixed(2)} s per case`);
console.log(`  floor (same starts, plain flows, minimal server): ${(f / 1000).toFixed(2)} s`);
console.log(`  ratio property/floor: ${(p / f).toFixed(2)}`);
