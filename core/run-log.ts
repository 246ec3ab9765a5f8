// The runs of a scenario played outside the engine (the in-process library, the long-running mock):
// each start of a client is a run whose instances get the next actor names, so checks that compare
// runs can tell them apart; the trace is built from the recorder, the world's facts and these runs.
import type { ClientRun } from './scenario.js';
import type { Exchange, ProcessEvent, RunRecord, Trace, WorldFacts } from './trace.js';

export class RunLog {
  private runs: RunRecord[] = [];

  /**
   * @param now the recorder's clock, so run times and exchange times agree
   * @param scenarioRefuses the scenario's clientRefuses
   */
  constructor(
    private readonly now: () => number,
    private readonly scenarioRefuses: boolean,
  ) {}

  /** The run in progress; every log has one from its first start() on. */
  get current(): RunRecord {
    return this.runs[this.runs.length - 1];
  }

  /** Ends the current run and starts the next, with the world's knobs as they now are. */
  start(run: ClientRun, knobs: unknown): RunRecord {
    const at = this.now();
    if (this.runs.length > 0) this.current.endedAt = at;
    // Instance names continue across runs, as the engine numbers them.
    const before = this.runs.reduce((sum, r) => sum + r.actors.length, 0);
    const actors = Array.from({ length: run.instances ?? 1 }, (_, i) => `client-${before + i + 1}`);
    const record: RunRecord = {
      index: this.runs.length,
      label: run.label,
      actors,
      startedAt: at,
      endedAt: at,
      knobs,
      expiredTokens: run.expireTokens === true,
      ...(run.revokeRefreshTokens ? { revokedRefreshTokens: true } : {}),
      clientRefuses: run.clientRefuses === true || this.scenarioRefuses,
    };
    this.runs.push(record);
    return record;
  }

  /** The current run takes new knobs (the world was reconfigured under it). */
  reconfigured(knobs: unknown): void {
    this.current.knobs = knobs;
  }

  /** Forgets every run (a cleared trace); the next start() is the first run again. */
  clear(): void {
    this.runs = [];
  }

  /** The runs so far, the current one ending now: copies, so a trace is not changed by later runs. */
  records(): RunRecord[] {
    const at = this.now();
    return this.runs.map((run, i) => (i === this.runs.length - 1 ? { ...run, endedAt: at } : { ...run }));
  }
}

/** A trace as the suite would record it of these exchanges, without processes: none were started. */
export function traceWithoutProcesses(parts: {
  scenario: string;
  specVersion: string;
  startedAt: string;
  world: WorldFacts;
  exchanges: readonly Exchange[];
  events?: readonly ProcessEvent[];
  runs: RunLog;
}): Trace {
  return {
    scenario: parts.scenario,
    specVersion: parts.specVersion,
    startedAt: parts.startedAt,
    world: parts.world,
    exchanges: [...parts.exchanges],
    events: [...(parts.events ?? [])],
    processes: [],
    runs: parts.runs.records(),
  };
}
