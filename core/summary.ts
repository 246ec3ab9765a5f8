// The one place that turns scenario results into the report summary and the exit code, so the
// engine (building a report) and the baseline (rewriting one) can never disagree on a count.
import type { CheckResult, ExitCode, Report, ScenarioResult, ScenarioStatus } from './report.js';

export type Summary = Report['summary'];
export type SummaryCounts = Omit<Summary, 'exitCode'>;

/** A failing status: the check failed, or a failure of another check left it undone. */
export function isFailing(check: Pick<CheckResult, 'status'>): boolean {
  return check.status === 'fail' || check.status === 'not-reached';
}

/** A check that fails the run: a failing status the baseline does not excuse. */
export function isCountedFailure(check: CheckResult): boolean {
  return isFailing(check) && check.expectedFailure !== true;
}

/**
 * The status a scenario has given its checks. `previous` is the status the engine gave it: it is
 * kept when it says `skip` (the scenario did not run), and when it says `fail` although no check
 * failed at all, because then the failure lies outside the checks (the engine knows why) and
 * nothing here may turn it green. Everything else follows from the checks: any counted failure
 * fails the scenario, otherwise it passes (warnings and expected failures included).
 */
export function scenarioStatusOf(checks: CheckResult[], previous: ScenarioStatus): ScenarioStatus {
  if (previous === 'skip') return 'skip';
  if (checks.some(isCountedFailure)) return 'fail';
  if (previous === 'fail' && !checks.some(isFailing)) return 'fail';
  return 'pass';
}

/**
 * Counts for `report.summary`, everything but the exit code. Scenario statuses are taken as they
 * are (derive them with `scenarioStatusOf` first). An expected failure counts only under
 * `expectedFailures`, never under `fail` or `notReached`, so
 * `pass + fail + warn + skip + notReached + expectedFailures` is the number of checks.
 */
export function summarize(scenarios: ScenarioResult[], staleExpectedFailures: string[] = []): SummaryCounts {
  const counts: SummaryCounts = {
    scenarios: { total: scenarios.length, passed: 0, failed: 0, skipped: 0 },
    checks: { pass: 0, fail: 0, warn: 0, skip: 0, notReached: 0, expectedFailures: 0 },
    staleExpectedFailures: [...staleExpectedFailures],
  };
  for (const scenario of scenarios) {
    if (scenario.status === 'pass') counts.scenarios.passed++;
    else if (scenario.status === 'fail') counts.scenarios.failed++;
    else counts.scenarios.skipped++;
    for (const check of scenario.checks) {
      if (isFailing(check) && check.expectedFailure === true) counts.checks.expectedFailures++;
      else if (check.status === 'not-reached') counts.checks.notReached++;
      else counts.checks[check.status]++;
    }
  }
  return counts;
}

/**
 * 1 when a check failed that the baseline does not excuse, a scenario failed for a reason outside
 * its checks, or a baseline entry is stale; otherwise 0. Codes 2 (usage) and 3 (the target could
 * not be run) are decided by whoever built the report and are kept as they are: a run that could
 * not start its target must not turn into a plain failure or a pass.
 */
export function exitCodeOf(report: Pick<Report, 'scenarios' | 'summary'>): ExitCode {
  const decidedElsewhere = report.summary.exitCode;
  if (decidedElsewhere === 2 || decidedElsewhere === 3) return decidedElsewhere;
  const failed = report.scenarios.some((s) => s.status === 'fail' || s.checks.some(isCountedFailure));
  return failed || report.summary.staleExpectedFailures.length > 0 ? 1 : 0;
}

/** The report with its summary and exit code recomputed from its scenarios (stale entries kept). */
export function resummarize(report: Report): Report {
  const counts = summarize(report.scenarios, report.summary.staleExpectedFailures);
  const summary: Summary = { ...counts, exitCode: report.summary.exitCode };
  summary.exitCode = exitCodeOf({ scenarios: report.scenarios, summary });
  return { ...report, summary };
}
