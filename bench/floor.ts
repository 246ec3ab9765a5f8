// The floor both benchmarks measure the kit against: the same client starts the suite makes (every
// copy of every run, property cases drawn as fast-check draws them), each doing one plain
// authorization flow against the minimal server, grouped and paced like the suite runs them.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_RUNS } from '../core/engine.js';
import type { ClientRun, ClientScenario } from '../core/scenario.js';
import { LATEST_SPEC_VERSION } from '../core/spec.js';
import { startMinimalWorld } from './minimal-world.js';

/**
 * The runs the engine makes of a scenario, in order: its own, or those of every case the property
 * checks with this seed (fast-check runs the examples first, then draws the rest from the seed).
 */
export function plannedRuns(scenario: ClientScenario, seed: number, cases?: number): ClientRun[] {
  const property = scenario.property;
  if (!property) return [...(scenario.runs ?? DEFAULT_RUNS)];
  const count = cases ?? property.defaultRuns;
  const examples = (property.examples ?? []).slice(0, count);
  const drawn = fc.sample(property.cases, { seed, numRuns: count - examples.length });
  return [...examples, ...drawn].flatMap((value) => property.build(value).runs);
}

export const clientStarts = (plans: ClientRun[][]): number => plans.flat().reduce((sum, run) => sum + (run.instances ?? 1), 0);

export function spawnAndWait(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs `count` tasks with at most `limit` at once. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * Milliseconds for the plans: plans side by side (at most `jobs`), each plan's runs one after
 * another, a run's copies at once; every start a plain flow in a state directory of its own.
 */
export async function floor(clientCommand: string, plans: ClientRun[][], jobs: number): Promise<number> {
  const state = await mkdtemp(join(tmpdir(), 'bench-floor-'));
  let flows = 0;
  const plainFlow = async (mcpUrl: string): Promise<void> => {
    const dir = join(state, String(flows++));
    const code = await spawnAndWait('/bin/sh', ['-c', `${clientCommand} '${mcpUrl}'`], {
      MCP_CONFORMANCE_SCENARIO: 'auth/metadata-default',
      MCP_CONFORMANCE_PROTOCOL_VERSION: LATEST_SPEC_VERSION,
      MCP_CONFORMANCE_STATE_DIR: dir,
      HOME: dir,
    });
    if (code !== 0) throw new Error(`the client failed the floor flow (exit ${code})`);
  };
  const start = performance.now();
  await pool(plans.length, jobs, async (i) => {
    const world = await startMinimalWorld();
    try {
      for (const run of plans[i]) await Promise.all(Array.from({ length: run.instances ?? 1 }, () => plainFlow(world.mcpUrl)));
    } finally {
      await world.close();
    }
  });
  const elapsed = performance.now() - start;
  await rm(state, { recursive: true, force: true });
  return elapsed;
}
