// Runs the server suite against the reference server and its mutants the way users run it (the
// engine, a real process per run, real HTTP on loopback), a few runs at a time, each run started
// once however many tests read it.
import path from 'node:path';
import type { Report } from '../../core/report.js';
import { shellQuote } from '../../core/targets/client/process.js';
import type { ServerScenario } from '../../core/scenario.js';
import type { SelectableSpecVersion } from '../../core/spec.js';
import { runServerScenarios } from '../../core/targets/server/run.js';
import type { Trace } from '../../core/trace.js';
import { serverScenarios } from '../../suites/server/index.js';
import { ROOT, type Build } from '../support/compiled.js';

export interface ServerRun {
  build: Build;
  /** REFERENCE_SERVER_DEFECTS for a mutant. */
  defects?: string[];
  tokenFormat?: 'jwt' | 'opaque';
  specVersion: SelectableSpecVersion;
  scenarios?: ServerScenario[];
  /** The tool scope the reference documents: test-tool needs mcp:write. */
  toolScopes?: Record<string, string[]>;
}

export interface ServerRunResult {
  report: Report;
  traces: Map<string, Trace>;
}

/** A fixed seed, so a fuzz verdict found once is found on every run of the tests. */
export const FUZZ_SEED = 20261202;

export const REFERENCE_TOOL_SCOPES = { 'test-tool': ['mcp:write'] };

export function runKey(run: ServerRun): string {
  return [run.build.compiled, (run.defects ?? []).join('+'), run.tokenFormat ?? 'jwt', run.specVersion, (run.scenarios ?? serverScenarios).map((s) => s.id).join(',')].join('|');
}

export async function runServer(run: ServerRun): Promise<ServerRunResult> {
  const traces = new Map<string, Trace>();
  const report = await runServerScenarios({
    target: { command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, run.build.compiled))}` },
    scenarios: run.scenarios ?? serverScenarios,
    specVersion: run.specVersion,
    strict: false,
    // Only a hung server waits this long; two test runs sharing two cores have kept an answer 15 s.
    timeoutMs: 45_000,
    startTimeoutMs: 30_000,
    tokenFormat: run.tokenFormat ?? 'jwt',
    toolScopes: run.toolScopes ?? REFERENCE_TOOL_SCOPES,
    // Set explicitly, so a REFERENCE_SERVER_DEFECTS left in the developer's shell cannot leak in.
    env: { REFERENCE_SERVER_DEFECTS: (run.defects ?? []).join(',') },
    property: { seed: FUZZ_SEED },
    onTrace: (id, trace) => traces.set(id, trace),
  });
  return { report, traces };
}

/** Runs at most `lanes` at once, each once, in the order first asked for. */
export class RunQueue {
  private readonly started = new Map<string, Promise<ServerRunResult>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;

  constructor(private readonly lanes: number) {}

  get(run: ServerRun): Promise<ServerRunResult> {
    const key = runKey(run);
    let result = this.started.get(key);
    if (!result) {
      result = this.slot().then(() => runServer(run).finally(() => this.release()));
      this.started.set(key, result);
    }
    return result;
  }

  private slot(): Promise<void> {
    if (this.active < this.lanes) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
