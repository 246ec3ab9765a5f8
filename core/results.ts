// Scenario results and the report around them, the same for every role: how a judged scenario, a
// skipped one and a kit error are reported, and what the tool says it is.
import { readFileSync } from 'node:fs';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type CheckResult, type ExitCode, type PropertyResult, type Report, type ScenarioResult } from './report.js';
import type { ScenarioBase } from './scenario.js';
import { SPEC_VERSIONS } from './spec.js';
import { exitCodeOf, isFailing, summarize } from './summary.js';
import type { Exchange, ProcessOutcome, WorldFacts } from './trace.js';

let cachedTool: Report['tool'] | undefined;

/** Name and version from the package manifest, found from source (core/) and from the build (dist/core/). */
export function toolInfo(): Report['tool'] {
  if (cachedTool) return cachedTool;
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'mcp-auth-conformance' && manifest.version) {
        cachedTool = { name: manifest.name, version: manifest.version };
        return cachedTool;
      }
    } catch {
      // not at this level; try the next one up
    }
  }
  cachedTool = { name: 'mcp-auth-conformance', version: '0.0.0' };
  return cachedTool;
}

/** A bug of the kit, reported as a failing check of the scenario it broke rather than a crash of the run. */
export function kitErrorCheck(message: string): CheckResult {
  return {
    id: 'kit-error',
    title: 'the kit runs the scenario',
    requirements: [],
    level: 'MUST',
    specVersions: [...SPEC_VERSIONS],
    specLinks: [],
    status: 'fail',
    message,
    evidence: [],
  };
}

export function skipped(scenario: ScenarioBase, protocolVersion: string, skipReason: string, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    id: scenario.id,
    title: scenario.title,
    description: scenario.description,
    status: 'skip',
    skipReason,
    protocolVersion,
    durationMs: 0,
    processes: [],
    checks: [],
    exchanges: [],
    ...extra,
  };
}

/**
 * Why a scenario that ran tested nothing: every check it exists for (ScenarioBase.about, else all
 * of its own) did not apply to what the target did, and nothing failed or warned. The checks beside
 * them may well pass; the scenario is still skipped with the reason rather than passed, since what
 * it is about was not exercised.
 */
function notExercised(scenario: ScenarioBase, checks: CheckResult[]): string | undefined {
  const about = new Set(scenario.about ?? scenario.checks.map((c) => c.id));
  const judged = checks.filter((c) => about.has(c.id));
  if (judged.length === 0 || !judged.every((c) => c.status === 'skip') || checks.some((c) => isFailing(c) || c.status === 'warn')) return undefined;
  return `not exercised: ${judged[0].message}`;
}

/** What one judged attempt at a scenario recorded. */
export interface Judgement {
  checks: CheckResult[];
  processes: ProcessOutcome[];
  world?: WorldFacts;
  exchanges: Exchange[];
}

export function resultOf(scenario: ScenarioBase, protocolVersion: string, durationMs: number, run: Judgement, property?: PropertyResult): ScenarioResult {
  const unexercised = notExercised(scenario, run.checks);
  return {
    id: scenario.id,
    title: scenario.title,
    description: scenario.description,
    status: run.checks.some(isFailing) ? 'fail' : unexercised !== undefined ? 'skip' : 'pass',
    ...(unexercised !== undefined ? { skipReason: unexercised } : {}),
    protocolVersion,
    durationMs,
    processes: run.processes,
    checks: run.checks,
    ...(run.world ? { world: run.world } : {}),
    exchanges: run.exchanges,
    ...(property ? { property } : {}),
  };
}

/** What a finished run of any role is reported from. */
export interface RunEnd {
  role: Report['role'];
  target: Report['target'];
  specVersion: string;
  strict: boolean;
  startedAt: Date;
  /** performance.now() when the run began. */
  began: number;
  interrupted: boolean;
  stoppedEarly?: string;
  scenarios: ScenarioResult[];
  /** The target could not be run at all: exit code 3 whatever the scenarios say. */
  couldNotRun: boolean;
}

/** The report of a run: its summary and exit code follow from the scenarios, exit code 3 from couldNotRun. */
export function buildReport(end: RunEnd): Report {
  const counts = summarize(end.scenarios);
  const decided: ExitCode = end.couldNotRun ? 3 : 0;
  const summary: Report['summary'] = { ...counts, exitCode: decided };
  summary.exitCode = exitCodeOf({ scenarios: end.scenarios, summary });
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: toolInfo(),
    role: end.role,
    target: end.target,
    specVersion: end.specVersion,
    strict: end.strict,
    startedAt: end.startedAt.toISOString(),
    durationMs: Math.round(performance.now() - end.began),
    interrupted: end.interrupted,
    ...(end.stoppedEarly !== undefined ? { stoppedEarly: end.stoppedEarly } : {}),
    summary,
    scenarios: end.scenarios,
  };
}
