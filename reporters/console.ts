// The report as a person reads it in a terminal or a CI log: failures first-class, with the request
// that proves each one and the part of it that is wrong; passes kept to a line.
import pc from 'picocolors';
import type { CheckResult, PropertyResult, Report, ScenarioResult } from '../core/report.js';
import { evidenceLines, exchangeLines, type EvidenceLayout } from './evidence.js';
import { cleanLine, formatDuration, plural, processProblem, scenarioCounts, tailLines } from './text.js';

export interface ConsoleOptions {
  /** ANSI colours; the caller decides (off for pipes, CI logs without colour support, NO_COLOR). */
  color: boolean;
  /** Expand passing scenarios, show spec links, exchange logs, whole URLs and whole output tails. */
  verbose: boolean;
  /** Columns to fit request lines into; 100 when not given. */
  width?: number;
}

type Colors = ReturnType<typeof pc.createColors>;
type Verdict = CheckResult['status'] | 'xfail';

const TAIL_LINES = 12;

export function renderConsole(report: Report, options: ConsoleOptions): string {
  const c = pc.createColors(options.color);
  const width = options.width ?? 100;
  const layout: EvidenceLayout = {
    width,
    full: options.verbose,
    style: { dim: c.dim, part: (t) => c.bold(c.yellow(t)), value: (t) => c.red(t), absent: (t) => c.red(t) },
  };
  const out: string[] = [];

  const facts = [`${report.tool.name} ${report.tool.version}`, report.role, `spec ${report.specVersion}`];
  if (report.strict) facts.push('strict');
  if (report.shard) facts.push(`shard ${report.shard.index}/${report.shard.total}`);
  facts.push(`target: ${cleanLine([report.target.url, report.target.command].filter((part) => part !== undefined).join(' started by '))}`);
  out.push(c.dim(facts.join(' · ')), '');

  for (const scenario of report.scenarios) out.push(...scenarioBlock(scenario, options.verbose, layout, c));
  // An empty shard is not a broken run: more shards than selected scenarios leaves the last ones idle.
  if (report.shard && report.scenarios.length === 0) out.push(c.dim(`No scenario falls to shard ${report.shard.index}/${report.shard.total}; nothing ran.`));

  out.push('');
  if (report.interrupted) out.push(c.yellow('Interrupted: the run was cut short; these results hold the scenarios that finished.'));
  if (report.stoppedEarly !== undefined) out.push(c.red(`Stopped early: ${cleanLine(report.stoppedEarly)}. Check that the client takes the MCP server URL as its last argument and connects to it.`));
  const stale = report.summary.staleExpectedFailures;
  if (stale.length > 0) {
    out.push(c.red('Stale expected-failure entries (they no longer fail; remove them from the baseline):'));
    for (const entry of stale) out.push(`  ${cleanLine(entry)}`);
  }
  out.push(summaryLine(report, c));
  return `${out.join('\n')}\n`;
}

function verdictOf(check: CheckResult): Verdict {
  return (check.status === 'fail' || check.status === 'not-reached') && check.expectedFailure ? 'xfail' : check.status;
}

function badge(verdict: Verdict, c: Colors, symbol: boolean): string {
  const looks: Record<Verdict, [string, string, (t: string) => string]> = {
    pass: ['✓', 'PASS', c.green],
    fail: ['✗', 'FAIL', (t) => c.bold(c.red(t))],
    warn: ['!', 'WARN', c.yellow],
    skip: ['-', 'SKIP', c.gray],
    'not-reached': ['○', 'NOT REACHED', c.red],
    xfail: ['~', 'XFAIL', c.magenta],
  };
  const [sym, word, paint] = looks[verdict];
  return paint(symbol ? `${sym} ${word.padEnd(5)}` : word);
}

/** How often each outcome of a property's cases came up, most frequent first: one race says little about the next. */
function outcomeLines(property: PropertyResult | undefined, c: Colors): string[] {
  const outcomes = Object.entries(property?.outcomes ?? {}).sort(([, a], [, b]) => b - a);
  return outcomes.map(([outcome, count]) => `  ${c.dim(`${String(count).padStart(3)}× ${cleanLine(outcome)}`)}`);
}

function scenarioBlock(scenario: ScenarioResult, verbose: boolean, layout: EvidenceLayout, c: Colors): string[] {
  const id = c.bold(cleanLine(scenario.id));
  if (scenario.status === 'skip') {
    const reason = scenario.skipReason ? cleanLine(scenario.skipReason) : 'not run';
    const seed = scenario.property ? `, seed ${scenario.property.seed}` : '';
    return [`${badge('skip', c, false)} ${id} ${c.dim(`(${reason}${seed})`)}`];
  }

  const problems = scenario.processes.flatMap((p) => {
    const problem = processProblem(p);
    return problem ? [{ process: p, problem }] : [];
  });
  const troubled = scenario.checks.some((ch) => ['fail', 'warn', 'not-reached'].includes(verdictOf(ch)));
  // A property scenario's seed is printed whatever happened: with --runs it draws the same cases again.
  // A counterexample of SHOULD checks only leaves the scenario passing, but the property did not hold.
  const held = scenario.property && scenario.status === 'pass' && scenario.property.counterexample === undefined ? ` ${c.dim(`held in ${plural(scenario.property.runs, 'run')}, seed ${scenario.property.seed}`)}` : '';
  const counts = c.dim(`(${scenarioCounts(scenario)})`) + held;
  if (scenario.status === 'pass' && !troubled && !verbose) return [`${badge('pass', c, false)} ${id} ${counts}`, ...outcomeLines(scenario.property, c)];

  const lines = [`${badge(scenario.status, c, false)} ${id} ${c.dim('—')} ${cleanLine(scenario.title)} ${counts}`];
  if (verbose) {
    if (scenario.description) lines.push(`  ${c.dim(cleanLine(scenario.description))}`);
    lines.push(`  ${c.dim(`protocol version ${scenario.protocolVersion}`)}`);
  }

  // Steps a failure left undone are one line, naming that failure: the verdict sits on the cause.
  const unreached = scenario.checks.filter((ch) => verdictOf(ch) === 'not-reached');
  for (const check of scenario.checks) {
    const verdict = verdictOf(check);
    if (verdict === 'not-reached') continue;
    const tags = verdict === 'fail' || verdict === 'warn' ? [check.level, ...check.requirements] : check.requirements;
    const reqs = tags.length > 0 ? ` ${c.dim(`[${tags.join(' ')}]`)}` : '';
    const expected = verdict === 'xfail' ? c.dim(' (expected failure)') : '';
    lines.push(`  ${badge(verdict, c, true)} ${check.id}${reqs} ${cleanLine(check.message)}${expected}`);
    const explain = verdict === 'fail' || verdict === 'warn' || (verbose && verdict === 'xfail');
    if (!explain) continue;
    for (const evidence of check.evidence) {
      for (const line of evidenceLines(scenario, evidence, { ...layout, width: layout.width - 8 })) lines.push(`        ${line}`);
    }
    if (verbose) for (const link of check.specLinks) lines.push(`        ${c.dim(`see ${link}`)}`);
  }

  for (const [cause, checks] of groupByCause(unreached)) {
    lines.push(`  ${badge('not-reached', c, true)} ${plural(checks.length, 'check')} left undone by the failure of ${cause}: ${checks.map((ch) => ch.id).join(', ')}`);
    if (verbose) for (const check of checks) lines.push(`        ${c.dim(`${check.id}: ${cleanLine(check.message)}`)}`);
  }

  const property = scenario.property;
  if (property?.counterexample !== undefined) {
    const shrunk = property.shrinks !== undefined ? `, shrunk ${plural(property.shrinks, 'time')}` : '';
    lines.push(`  ${c.red(`counterexample after ${plural(property.runs, 'run')}${shrunk} (seed ${property.seed}): ${cleanLine(property.counterexample)}`)}`);
    if (property.replay) lines.push(`  ${c.dim('replay:')} ${cleanLine(property.replay)}`);
  } else if (property && scenario.status === 'fail') {
    lines.push(`  ${c.dim(`property: ${plural(property.runs, 'run')}, seed ${property.seed}`)}`);
  }
  lines.push(...outcomeLines(property, c));

  if (scenario.status === 'fail' && problems.length === 0 && !scenario.checks.some((ch) => verdictOf(ch) === 'fail')) {
    lines.push(`  ${c.red('the scenario failed, but none of its checks did: the cause lies outside the checks')}`);
  }

  // Output tails explain a failure; in a passing scenario a non-zero exit is the client refusing, as it should.
  const showTails = verbose || scenario.status === 'fail';
  for (const { process, problem } of problems) {
    const paint = scenario.status === 'fail' ? c.red : c.yellow;
    lines.push(`  ${paint(`${cleanLine(process.actor)} ${problem}`)}`);
    if (!showTails) continue;
    lines.push(`    ${c.dim(`command: ${cleanLine(process.command)}`)}`);
    for (const [name, tail] of [['stdout', process.stdoutTail], ['stderr', process.stderrTail]] as const) {
      const tailed = tailLines(tail, verbose ? 0 : TAIL_LINES);
      if (tailed.length === 0) {
        lines.push(`    ${c.dim(`${name}: (empty)`)}`);
        continue;
      }
      lines.push(`    ${c.dim(`${name} (last ${plural(tailed.length, 'line')}):`)}`);
      for (const line of tailed) lines.push(`    ${c.dim('│')} ${line}`);
    }
  }

  if (verbose && scenario.status === 'fail' && scenario.exchanges.length > 0) {
    lines.push(`  ${c.dim(`exchanges (${scenario.exchanges.length}):`)}`);
    const brief = { ...layout, full: false, width: layout.width - 4 };
    for (const exchange of scenario.exchanges) {
      const at = c.dim(`+${formatDuration(exchange.at)}`);
      lines.push(`    ${exchangeLines(exchange, brief)[0]} ${at}`);
    }
  }
  return lines;
}

/** Not-reached checks by the failures that left them undone, in report order. */
function groupByCause(checks: CheckResult[]): Map<string, CheckResult[]> {
  const groups = new Map<string, CheckResult[]>();
  for (const check of checks) {
    const cause = (check.cause ?? []).join(' and ') || 'an earlier step';
    groups.set(cause, [...(groups.get(cause) ?? []), check]);
  }
  return groups;
}

function summaryLine(report: Report, c: Colors): string {
  const { scenarios, checks, staleExpectedFailures } = report.summary;
  const scenarioParts = [`${scenarios.passed} passed`, paintIf(scenarios.failed > 0, c.red, `${scenarios.failed} failed`)];
  if (scenarios.skipped > 0) scenarioParts.push(`${scenarios.skipped} skipped`);
  const checkTotal = checks.pass + checks.fail + checks.warn + checks.skip + checks.notReached + checks.expectedFailures;
  const checkParts = [`${checks.pass} pass`, paintIf(checks.fail > 0, c.red, `${checks.fail} fail`), paintIf(checks.warn > 0, c.yellow, `${checks.warn} warn`)];
  if (checks.notReached > 0) checkParts.push(c.red(`${checks.notReached} not reached`));
  if (checks.skip > 0) checkParts.push(`${checks.skip} skip`);
  const sections = [
    `${plural(scenarios.total, 'scenario')}: ${scenarioParts.join(', ')}`,
    `${plural(checkTotal, 'check')}: ${checkParts.join(', ')}`,
    plural(checks.expectedFailures, 'expected failure'),
  ];
  if (staleExpectedFailures.length > 0) sections.push(c.red(plural(staleExpectedFailures.length, 'stale baseline entry', 'stale baseline entries')));
  sections.push(formatDuration(report.durationMs));
  return sections.join(' · ');
}

function paintIf(condition: boolean, paint: (t: string) => string, text: string): string {
  return condition ? paint(text) : text;
}
