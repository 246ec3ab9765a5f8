// One client, the example's SDK client, driven through a scenario's runs against an in-process
// world, with the world intercepted by msw or by nock, or started as a process by the suite's
// engine: what the library tests and its benchmark compare.
import path from 'node:path';
import { setupServer } from 'msw/node';
import { PROCESS_CHECK, runClientScenarios } from '../../core/engine.js';
import { shellQuote } from '../../core/targets/client/process.js';
import { LATEST_SPEC_VERSION } from '../../core/spec.js';
import { callTestTool, memoryStore, type ClientOptions } from '../../examples/vitest/client.js';
import { releaseResponseClones, worldHandler } from '../../library/msw.js';
import { interceptWorld } from '../../library/nock.js';
import type { Exchange, Trace } from '../../core/trace.js';
import { createConformanceWorld, findScenario, type ConformanceWorld, type WorldOptions } from '../../library/world.js';
import { ROOT, VITEST_EXAMPLE_CLIENT } from './compiled.js';

export type Interception = 'msw' | 'nock';
export const INTERCEPTIONS: readonly Interception[] = ['msw', 'nock'];

/** Runs `body` with the world's origins intercepted, and only then. */
export async function intercepted<T>(world: ConformanceWorld, how: Interception, body: () => Promise<T>): Promise<T> {
  if (how === 'nock') {
    const interception = interceptWorld(world);
    try {
      return await body();
    } finally {
      interception.restore();
    }
  }
  const server = setupServer(worldHandler(world));
  releaseResponseClones(server);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    return await body();
  } finally {
    server.close();
  }
}

/** The credentials a world's context hands a client registered in advance. */
export function preRegisteredOf(world: ConformanceWorld): ClientOptions['preRegistered'] {
  const context = world.context;
  if (typeof context?.client_id !== 'string') return undefined;
  return { client_id: context.client_id, ...(typeof context.client_secret === 'string' ? { client_secret: context.client_secret } : {}) };
}

export interface Driven {
  world: ConformanceWorld;
  /** What each run's client ended with: the tools it listed, or the error it gave up with. */
  outcomes: Array<string[] | Error>;
}

/**
 * Every run of the scenario, one client start each, sharing one credential store as a restarted
 * application would; `nextRun()` applies what the scenario does between starts.
 */
export async function driveScenario(how: Interception, options: WorldOptions & { client?: Omit<ClientOptions, 'store' | 'preRegistered'> } = {}): Promise<Driven> {
  const { client, ...worldOptions } = options;
  const world = await createConformanceWorld(worldOptions);
  const store = memoryStore();
  const outcomes: Driven['outcomes'] = [];
  const runs = world.scenario.runs?.length ?? 1;
  for (let run = 0; run < runs; run++) {
    if (run > 0) await world.nextRun();
    const outcome = await intercepted(world, how, () => callTestTool(world.mcpUrl, { ...client, store, preRegistered: preRegisteredOf(world) })).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    outcomes.push(outcome);
  }
  return { world, outcomes };
}

/** Each check's status by id: what "the same verdicts" means. */
export function statuses(world: ConformanceWorld): Record<string, string> {
  return Object.fromEntries(world.verdicts().map((check) => [check.id, check.status]));
}

/** The exchanges as the client made them, without what differs from one run to the next (origins, tokens, timing). */
export function shape(exchanges: readonly Exchange[]): string[] {
  return exchanges.map((e) => `${e.actor} ${e.server} ${e.role} ${e.request.method} ${new URL(e.request.url).pathname} ${e.response?.status ?? '-'}`);
}

/** The example client under the client contract, compiled (ensureCompiled(VITEST_EXAMPLE_CLIENT) first). */
export const EXAMPLE_CLIENT_COMMAND = `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, VITEST_EXAMPLE_CLIENT.compiled))}`;

export interface AsProcess {
  /** Each check's status by id, without the process check (the in-process world has no process). */
  statuses: Record<string, string>;
  /** The status of the process check: every start exited as it should. */
  process: string | undefined;
  trace: Trace;
}

/**
 * The scenario run by the suite's engine with the example client as a process, at the latest
 * revision. `command`: where the compiled client is seen from dist/ (the benchmark) rather than
 * from the sources.
 */
export async function runAsProcess(id: string, command = EXAMPLE_CLIENT_COMMAND): Promise<AsProcess> {
  let trace: Trace | undefined;
  const report = await runClientScenarios({
    command,
    scenarios: [findScenario(id)],
    specVersion: LATEST_SPEC_VERSION,
    jobs: 1,
    timeoutMs: 20_000,
    strict: false,
    onTrace: (_scenario, judged) => (trace = judged),
  });
  const checks = report.scenarios[0].checks;
  if (!trace) throw new Error(`${id} was not judged: ${report.scenarios[0].skipReason ?? 'no trace'}`);
  return {
    statuses: Object.fromEntries(checks.filter((c) => c.id !== PROCESS_CHECK).map((c) => [c.id, c.status])),
    process: checks.find((c) => c.id === PROCESS_CHECK)?.status,
    trace,
  };
}
