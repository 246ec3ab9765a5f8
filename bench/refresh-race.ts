// Benchmark: how many cases of the refresh-race property the kit runs per minute against the
// reference client (each case: a fresh world, a cold start, K racing copies, a follow-up run),
// beside the same client's plain flow started as many times, measured in the same run.
//   npm run bench:race -- [--runs 6] [--seed 42]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runClientScenarios } from '../core/engine.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { clientScenarios } from '../suites/client/index.js';
import { startMinimalWorld } from './minimal-world.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '6' }, seed: { type: 'string', default: '42' } } });
const runs = Number(values.runs);
const seed = Number(values.seed);
const root = new URL('..', import.meta.url).pathname;
const command = `node ${join(root, 'examples/clients/reference-client.js')}`;
const race = clientScenarios.find((s) => s.id === 'auth/refresh-race');
if (!race?.property) throw new Error('auth/refresh-race is not a property scenario');

const start = performance.now();
const report = await runClientScenarios({ command, scenarios: [race], specVersion: LATEST_SPEC_VERSION, jobs: 1, timeoutMs: 30_000, strict: false, property: { runs, seed } });
const suiteMs = performance.now() - start;
const result = report.scenarios[0];

// The baseline: one plain authorization flow of the same client against the minimal server, run
// sequentially, so a case's cost reads as a number of client starts.
const FLOOR_SAMPLES = 5;
const floorStart = performance.now();
for (let i = 0; i < FLOOR_SAMPLES; i++) {
  const world = await startMinimalWorld();
  await new Promise<void>((resolve, reject) => {
    const env = { ...process.env, MCP_CONFORMANCE_SCENARIO: 'auth/metadata-default', MCP_CONFORMANCE_PROTOCOL_VERSION: LATEST_SPEC_VERSION };
    const child = spawn('/bin/sh', ['-c', `${command} '${world.mcpUrl}'`], { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  await world.close();
}
const flowMs = (performance.now() - floorStart) / FLOOR_SAMPLES;
const caseMs = suiteMs / runs;

console.log(`refresh-race benchmark: ${runs} cases, seed ${seed}, verdict ${result.status}`);
console.log(`  property: ${(suiteMs / 1000).toFixed(2)} s, ${((runs / suiteMs) * 60_000).toFixed(1)} cases per minute, ${(caseMs / 1000).toFixed(2)} s per case`);
console.log(`  baseline: one plain flow of the same client: ${(flowMs / 1000).toFixed(2)} s`);
console.log(`  a case costs ${(caseMs / flowMs).toFixed(1)} plain flows (a case starts 2 + K copies, K from 2 to 8)`);
