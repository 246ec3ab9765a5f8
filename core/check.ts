import type { SpecVersion } from './spec.js';
import type { Trace } from './trace.js';

/** BCP 14 level of the requirement a check tests. MUST unmet fails; SHOULD unmet warns (fails under --strict). */
export type Level = 'MUST' | 'SHOULD';

/**
 * Points at the exchange that proves a finding and, where it helps, the part of it that is wrong:
 * `query.code_challenge_method`, `form.resource`, `header.authorization`, `status`, `body.issuer`...
 */
export interface Evidence {
  exchange: number;
  part?: string;
  note?: string;
}

/**
 * Something a check needs to have happened before it can judge anything: the client refreshed, used
 * a URL as its client_id, authorized again after a step-up request. Whether its absence is a defect
 * depends on the world. Where it is optional behaviour a correct target may lack (persisting tokens,
 * CIMD, step-up support), the check does not apply to that target, and the check that judges the
 * behaviour itself (`judgedBy`) carries the verdict; where the world made it mandatory (a scenario
 * `requires` it), its absence fails like any other missing step.
 */
export interface Precondition {
  /** Stable id, named by a scenario's `requires`. */
  id: string;
  /** The behaviour, for the report: "refreshing a token". */
  behaviour: string;
  /** A correct target may leave it out: the check is then not applicable instead of failing. */
  optional: boolean;
  /**
   * The checks that judge whether the target should have done it; a scenario that judges a check
   * with this precondition also judges one of these, which then carries the verdict. Absent when
   * nothing asks for the behaviour (authorizing twice where once sufficed).
   */
  judgedBy?: string[];
}

/** What a check function says about a trace. The engine turns it into a status using the level. */
export type Finding =
  | { outcome: 'met'; message: string; evidence?: Evidence[] }
  | { outcome: 'unmet'; message: string; evidence: Evidence[] }
  /**
   * The behaviour the check judges never happened (no token request at all...). A failure, unless
   * it names an optional precondition the scenario does not require (then not applicable), or
   * another check of the scenario already failed for what the target actually did wrong (then not
   * reached: the verdict sits on that check).
   */
  | { outcome: 'missing'; message: string; evidence?: Evidence[]; precondition?: Precondition }
  /** The check does not apply to what this target did (it says why); never a pass. */
  | { outcome: 'skip'; message: string };

export interface CheckDef {
  /** Stable id, unique within its scenario; also the key of expected-failure entries. */
  id: string;
  title: string;
  /** Requirement ids from the catalogue (C-PKCE-03, PKCE-C-05...). */
  requirements: string[];
  level: Level;
  /** The revisions in which the requirement holds. */
  specVersions: SpecVersion[];
  specLinks: string[];
  /** The optional behaviours whose absence `judge` reports with `notExercised` (see Precondition). */
  preconditions?: Precondition[];
  judge: (trace: Trace) => Finding;
}

/**
 * `not-reached`: the check could not judge because an earlier step failed, and that step's check
 * carries the verdict (the report names it as the cause). It fails the run like `fail`.
 */
export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'not-reached';

export const met = (message: string, evidence?: Evidence[]): Finding => ({ outcome: 'met', message, evidence });
export const unmet = (message: string, evidence: Evidence[]): Finding => ({ outcome: 'unmet', message, evidence });
export const missing = (message: string, evidence?: Evidence[]): Finding => ({ outcome: 'missing', message, evidence });
/** The precondition never happened: missing, and not applicable where the precondition is optional. */
export const notExercised = (precondition: Precondition, message: string, evidence?: Evidence[]): Finding => ({ outcome: 'missing', message, evidence, precondition });
export const skip = (message: string): Finding => ({ outcome: 'skip', message });

/** A check that throws is a kit bug; it is reported as a failure that says so rather than crashing the run. */
export function judgeSafely(check: CheckDef, trace: Trace): Finding {
  try {
    return check.judge(trace);
  } catch (error) {
    return missing(`check ${check.id} could not judge this trace: ${(error as Error).message}`);
  }
}
