// What the runs of every target that listens (an MCP server, an authorization server) share: the
// engine's own check that the target answered and kept running, the line of its output worth
// showing, and the words of a replay command line.
import { met, missing, unmet, type CheckDef, type Finding } from '../check.js';
import { SPEC_VERSIONS } from '../spec.js';
import type { PropertyOptions } from '../engine.js';
import type { ScenarioResult } from '../report.js';
import type { Actor, Trace } from '../trace.js';

/** What the command line (or a test) hands the run of a target that listens besides the target itself. */
export interface ListeningRunHooks {
  signal?: AbortSignal;
  property?: PropertyOptions;
  onScenarioStart?: (id: string) => void;
  onScenarioFinish?: (result: ScenarioResult) => void;
  /** Gets every judged trace (unredacted): for tests, never for reports. */
  onTrace?: (scenarioId: string, trace: Trace) => void;
  /** Environment of a started target besides the contract's (tests add defects this way). */
  env?: NodeJS.ProcessEnv;
}

/** The name of the command users type; the replay line of a counterexample starts with it. */
export const CLI_NAME = 'mcp-auth-conformance';

/** A word of a shell command line, quoted only when it has to be, so replay lines stay readable. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9._/:=@%+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The line of a process's output that says what went wrong: the last that names an error, else the last. */
export function tellingLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.findLast((l) => /error|exception|panic|fatal/i.test(l) && !/^at\s/.test(l)) ?? lines.at(-1) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export interface AvailabilityCheck {
  id: string;
  /** "server", "authorization server": how messages name the target. */
  name: string;
  /** The target process's actor in traces. */
  processActor: Actor;
  /** The actors whose requests the target must answer (the kit's, the kit's browser's). */
  requestActors: Actor[];
}

/** The engine's own check: the target answered every request of the scenario and is still running. */
export function targetAvailableCheck(spec: AvailabilityCheck): CheckDef {
  return {
    id: spec.id,
    title: `the ${spec.name} answers every request and keeps running`,
    requirements: [],
    level: 'MUST',
    specVersions: [...SPEC_VERSIONS],
    specLinks: [],
    judge: (trace): Finding => {
      const process = trace.processes.find((p) => p.actor === spec.processActor);
      if (process && (process.exitCode !== null || process.signal !== null)) {
        const how = process.signal ? `was killed by ${process.signal}` : `exited with code ${process.exitCode}`;
        const said = tellingLine(process.stderrTail);
        return unmet(`the ${spec.name} process ${how} during this scenario${said ? `; on stderr: ${said}` : ''}`, []);
      }
      const ours = trace.exchanges.filter((e) => spec.requestActors.includes(e.actor));
      const unanswered = ours.filter((e) => e.error !== undefined);
      if (unanswered.length > 0) {
        return unmet(`${unanswered.length} request(s) got no answer: ${unanswered[0].error}`, unanswered.slice(0, 3).map((e) => ({ exchange: e.id, note: e.error })));
      }
      if (ours.length === 0) return missing(`the scenario sent the ${spec.name} nothing`);
      return met(`the ${spec.name} answered every request`);
    },
  };
}
