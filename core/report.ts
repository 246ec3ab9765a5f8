// The one report structure. Every reporter is a function of it and sees nothing else, so it carries
// the exchanges that evidence points at. Bump REPORT_SCHEMA_VERSION on any incompatible change; an
// optional field that older readers may ignore is not one (reporters/report.schema.json follows).
import type { Evidence, Level, Status } from './check.js';
import type { Exchange, ProcessOutcome, WorldFacts } from './trace.js';

export const REPORT_SCHEMA = 'mcp-auth-conformance/report';
export const REPORT_SCHEMA_VERSION = 2;

/** 0: every required check passed; 1: a required check failed; 2: usage or configuration error; 3: the target could not be run. */
export type ExitCode = 0 | 1 | 2 | 3;

export interface CheckResult {
  id: string;
  title: string;
  requirements: string[];
  level: Level;
  specVersions: string[];
  specLinks: string[];
  status: Status;
  message: string;
  evidence: Evidence[];
  /** Listed in the expected-failures baseline (and failed, or it would be stale), or not reached because of such a failure. */
  expectedFailure?: boolean;
  /** For `not-reached`: the checks of the scenario that failed first and left this step undone. */
  cause?: string[];
}

export type ScenarioStatus = 'pass' | 'fail' | 'skip';

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  status: ScenarioStatus;
  /** Why the scenario did not run (not applicable at this spec version, interrupted...). */
  skipReason?: string;
  protocolVersion: string;
  durationMs: number;
  processes: ProcessOutcome[];
  checks: CheckResult[];
  world?: WorldFacts;
  exchanges: Exchange[];
  /** A property scenario: how it was searched and, when it failed, how to see the failure again. */
  property?: PropertyResult;
}

/** How a property scenario's cases were drawn; the exchanges and checks are those of one case. */
export interface PropertyResult {
  /** Cases run: all of them when the property held; up to and including the first failure otherwise. */
  runs: number;
  /** fast-check's seed: with the same --runs it draws the same cases again. */
  seed: number;
  /** fast-check's path to the shrunk counterexample (with the seed, --replay runs it first). */
  path?: string;
  /** The shrunk counterexample, described by the scenario. */
  counterexample?: string;
  /** Times the first failing case was shrunk to reach the counterexample. */
  shrinks?: number;
  /** The command line that runs the counterexample again. */
  replay?: string;
  /**
   * How often each outcome came up across the cases run, where the scenario sorts its cases into
   * outcomes (a race: "1 success, 1 successor, winner alive"): the distribution, not one draw.
   */
  outcomes?: Record<string, number>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** The kind of target judged: an MCP client, an MCP server as an OAuth resource server, or an authorization server. */
  role: 'client' | 'server' | 'authorization-server';
  /** The command that started the target, the URL it was probed at, or both (a server the kit started). */
  target: { command?: string; url?: string };
  specVersion: string;
  strict: boolean;
  startedAt: string;
  durationMs: number;
  /** The run was cut short (Ctrl-C); results hold what finished. */
  interrupted: boolean;
  /**
   * Why the run stopped on its own before every scenario ran (the client never contacted the
   * world); the scenarios it did not run are skipped with this reason, and the exit code is 3.
   */
  stoppedEarly?: string;
  /**
   * The run was one part of a split run (--shard index/total, 1-based): it holds that part of the
   * selected scenarios only. merge-reports joins the parts and leaves this out of the whole.
   */
  shard?: { index: number; total: number };
  summary: {
    scenarios: { total: number; passed: number; failed: number; skipped: number };
    /** `notReached`: checks left undone by a failure another check reports (they fail the run too). */
    checks: { pass: number; fail: number; warn: number; skip: number; notReached: number; expectedFailures: number };
    /** Baseline entries that no longer fail: they fail the run until removed. */
    staleExpectedFailures: string[];
    exitCode: ExitCode;
  };
  scenarios: ScenarioResult[];
}
