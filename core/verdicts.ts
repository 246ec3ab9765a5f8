// How the findings of one scenario's checks become statuses. The rules live here once, for every
// suite, so that a FAIL always names a defect of the target:
// - the level: an unmet MUST fails, an unmet SHOULD warns (fails under --strict);
// - optional behaviour: a check whose precondition is behaviour a correct target may lack (keeping
//   tokens, CIMD, step-up support) is not applicable when the target did not use it, unless the
//   scenario's world made that behaviour mandatory; the check that judges the behaviour itself
//   carries the verdict;
// - root cause first: when the target broke a MUST (an unmet check) or its process failed,
//   the steps that therefore never happened are not reached, and fail the run through that cause
//   rather than as defects of their own.
import type { CheckDef, Finding, Status } from './check.js';
import type { CheckResult } from './report.js';

export interface VerdictContext {
  strict: boolean;
  /** Preconditions the scenario's world makes mandatory (ClientScenario.requires). */
  requires?: readonly string[];
  /** The check that judges the target's process itself: any failure of it is a root cause. */
  processCheck?: string;
  /**
   * Checks of optional behaviour without which a correct target cannot finish the scenario's flow
   * (ClientScenario.exitExplainedBy): when one of them is unmet, an unsuccessful exit is its
   * consequence, and the process check does not apply.
   */
  exitExplainedBy?: readonly string[];
}

export interface Judged {
  check: CheckDef;
  finding: Finding;
}

/** The status a finding earns on its own, and the message it is reported with. */
function ownVerdict({ check, finding }: Judged, context: VerdictContext, judgedIds: ReadonlySet<string>): { status: Status; message: string } {
  switch (finding.outcome) {
    case 'met':
      return { status: 'pass', message: finding.message };
    case 'skip':
      return { status: 'skip', message: finding.message };
    case 'unmet':
      return { status: check.level === 'MUST' || context.strict ? 'fail' : 'warn', message: finding.message };
    case 'missing': {
      const precondition = finding.precondition;
      if (!precondition?.optional || context.requires?.includes(precondition.id)) return { status: 'fail', message: finding.message };
      const carriers = (precondition.judgedBy ?? []).filter((id) => judgedIds.has(id));
      const carrier = carriers.length > 0 ? `; ${carriers.join(' and ')} ${carriers.length > 1 ? 'carry' : 'carries'} the verdict` : '';
      return { status: 'skip', message: `not applicable, ${precondition.behaviour} is optional here: ${finding.message}${carrier}` };
    }
  }
}

/**
 * Root causes: MUST requirements the target broke by what it did, and a failed process. A SHOULD
 * left unmet is not one, even where --strict fails it: it does not stop a flow by itself.
 */
function isRootCause(judged: Judged, status: Status, context: VerdictContext): boolean {
  if (status !== 'fail') return false;
  return (judged.finding.outcome === 'unmet' && judged.check.level === 'MUST') || judged.check.id === context.processCheck;
}

/**
 * A target that lacks optional behaviour the flow needs (step-up support) ends that flow with an
 * error; the verdict on its exit then sits on the check of that behaviour, which already warns.
 * Only an exit the target chose (not a timeout, not a failure to start) is explained this way.
 */
function explainExit(judged: readonly Judged[], own: Array<{ status: Status; message: string }>, context: VerdictContext): void {
  const index = judged.findIndex((j) => j.check.id === context.processCheck);
  if (index < 0 || own[index].status !== 'fail' || judged[index].finding.outcome !== 'unmet') return;
  const explaining = judged.filter((j, i) => context.exitExplainedBy?.includes(j.check.id) && (own[i].status === 'warn' || own[i].status === 'fail')).map((j) => j.check.id);
  if (explaining.length === 0) return;
  own[index] = { status: 'skip', message: `not applicable: ${own[index].message}, the consequence of ${explaining.join(' and ')}, which carries the verdict` };
}

export function verdicts(judged: readonly Judged[], context: VerdictContext): CheckResult[] {
  const judgedIds = new Set(judged.map((j) => j.check.id));
  const own = judged.map((j) => ownVerdict(j, context, judgedIds));
  explainExit(judged, own, context);
  const causes = judged.filter((j, i) => isRootCause(j, own[i].status, context)).map((j) => j.check.id);
  return judged.map((j, i) => {
    const { check, finding } = j;
    const blocked = causes.length > 0 && own[i].status === 'fail' && finding.outcome === 'missing' && !causes.includes(check.id);
    return {
      id: check.id,
      title: check.title,
      requirements: check.requirements,
      level: check.level,
      specVersions: check.specVersions,
      specLinks: check.specLinks,
      status: blocked ? 'not-reached' : own[i].status,
      message: own[i].message,
      evidence: 'evidence' in finding ? (finding.evidence ?? []) : [],
      ...(blocked ? { cause: causes } : {}),
    };
  });
}
