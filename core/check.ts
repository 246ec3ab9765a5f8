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

/** What a check function says about a trace. The engine turns it into a status using the level. */
export type Finding =
  | { outcome: 'met'; message: string; evidence?: Evidence[] }
  | { outcome: 'unmet'; message: string; evidence: Evidence[] }
  /** The behaviour the check judges never happened (no token request at all...): always a failure. */
  | { outcome: 'missing'; message: string; evidence?: Evidence[] }
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
  judge: (trace: Trace) => Finding;
}

export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export const met = (message: string, evidence?: Evidence[]): Finding => ({ outcome: 'met', message, evidence });
export const unmet = (message: string, evidence: Evidence[]): Finding => ({ outcome: 'unmet', message, evidence });
export const missing = (message: string, evidence?: Evidence[]): Finding => ({ outcome: 'missing', message, evidence });
export const skip = (message: string): Finding => ({ outcome: 'skip', message });

export function statusOf(finding: Finding, level: Level, strict: boolean): Status {
  switch (finding.outcome) {
    case 'met':
      return 'pass';
    case 'skip':
      return 'skip';
    case 'missing':
      return 'fail';
    case 'unmet':
      return level === 'MUST' || strict ? 'fail' : 'warn';
  }
}

/** A check that throws is a kit bug; it is reported as a failure that says so rather than crashing the run. */
export function judgeSafely(check: CheckDef, trace: Trace): Finding {
  try {
    return check.judge(trace);
  } catch (error) {
    return missing(`check ${check.id} could not judge this trace: ${(error as Error).message}`);
  }
}
