// Verdicts on a trace that is still growing (the long-running mock, a test mid-flow). A check whose
// behaviour has not happened yet is pending; an unmet one fails. Some checks judge an absence ("the
// client never answered the 401"), which is a defect only of a target that stopped there: a live
// view therefore judges when the target has paused, not after every exchange. The finished trace of
// a scenario is judged by core/verdicts.ts like any other.
import { judgeSafely, type CheckDef, type Evidence } from './check.js';
import type { Trace } from './trace.js';

export type LiveStatus = 'pass' | 'fail' | 'warn' | 'pending';

export interface LiveVerdict {
  id: string;
  title: string;
  level: CheckDef['level'];
  requirements: string[];
  specLinks: string[];
  status: LiveStatus;
  message: string;
  /** The exchanges that prove a pass, fail or warn. */
  evidence: number[];
  /** The same evidence with the part of each exchange it points at (for highlighting). */
  evidenceParts: Evidence[];
}

/**
 * Each check on the trace so far. An unmet requirement fails (a MUST) or warns (a SHOULD, or any
 * level under `strict`); a check whose behaviour has not happened yet, or that does not apply to
 * what the target did, is pending rather than failed: the target may still get there.
 */
export function liveVerdicts(checks: readonly CheckDef[], trace: Trace, strict = false): LiveVerdict[] {
  return checks.map((check) => {
    const finding = judgeSafely(check, trace);
    const status: LiveStatus =
      finding.outcome === 'met' ? 'pass' : finding.outcome === 'unmet' ? (check.level === 'MUST' || strict ? 'fail' : 'warn') : 'pending';
    const evidenceParts = status === 'pending' || !('evidence' in finding) ? [] : (finding.evidence ?? []);
    const evidence = evidenceParts.map((e) => e.exchange);
    return { id: check.id, title: check.title, level: check.level, requirements: check.requirements, specLinks: check.specLinks, status, message: finding.message, evidence, evidenceParts };
  });
}

/** The verdicts whose status differs from the last ones seen, in check order: what a live log prints. */
export function changedVerdicts(previous: ReadonlyMap<string, LiveStatus>, next: readonly LiveVerdict[]): LiveVerdict[] {
  return next.filter((verdict) => previous.get(verdict.id) !== verdict.status);
}
