// The report as GitHub-flavoured Markdown, short enough for a pull-request comment or a job summary:
// the verdict in the heading, failures first with the request that proves each one, then warnings,
// every scenario's status folded away. Large runs are cut to a fixed number of rows, saying how
// many were left out, so the text stays within what GitHub shows (65,536 characters a comment).
//
// Most of what a report holds was written by the target, so every string is escaped for where it
// lands: code spans get a fence longer than any backtick run inside, table cells escape pipes (GFM
// splits cells on them even inside code spans), text escapes Markdown punctuation and HTML, and
// `@name` and `#123` are broken up in text so that a comment neither mentions people nor links issues.
import type { CheckResult, Report, ScenarioResult } from '../core/report.js';
import type { Evidence } from '../core/check.js';
import { partLine } from './evidence.js';
import { cleanLine, formatDuration, plural, processProblem, runCounts, runVerdict, scenarioCounts, truncate } from './text.js';

export interface MarkdownOptions {
  /** Rows of the failures table (default 25). */
  maxFailures?: number;
  /** Rows of the warnings table (default 15). */
  maxWarnings?: number;
  /** Rows of the folded table of every scenario (default 150). */
  maxScenarios?: number;
}

const MAX_EVIDENCE = 3;
const MAX_MESSAGE = 280;
const MAX_URL = 72;
const MAX_VALUE = 80;
const MAX_LISTED = 12;

type Verdict = CheckResult['status'] | 'xfail';

const verdictOf = (check: CheckResult): Verdict => ((check.status === 'fail' || check.status === 'not-reached') && check.expectedFailure ? 'xfail' : check.status);

/** Text: Markdown punctuation backslash-escaped, HTML as entities, mentions and issue references broken by a zero-width space. */
export function mdText(value: string): string {
  return cleanLine(value)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([@#])(?=[A-Za-z0-9])/g, '$1\u200b');
}

/** A code span that holds the value verbatim (in a table cell, pipes escaped, which GFM undoes there). */
export function mdCode(value: string, inTable = true): string {
  let text = cleanLine(value);
  if (text === '') return '` `';
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function targetMd(report: Report): string {
  const { url, command } = report.target;
  if (url !== undefined && command !== undefined) return `${mdCode(url, false)} started by ${mdCode(truncate(command, 120), false)}`;
  if (url !== undefined) return mdCode(url, false);
  if (command !== undefined) return mdCode(truncate(command, 120), false);
  return '(no target)';
}

/** `#4` GET url → 302: `part = value` (note), for one Evidence entry, in a table cell. */
function evidenceMd(scenario: ScenarioResult, evidence: Evidence): string {
  const exchange = scenario.exchanges.find((e) => e.id === evidence.exchange);
  const parts: string[] = [];
  if (exchange) {
    const outcome = exchange.response ? `→ ${exchange.response.status}` : '→ no response';
    parts.push(`${mdCode(`#${exchange.id}`)} ${mdText(exchange.actor)} ${mdCode(`${exchange.request.method} ${truncate(cleanLine(exchange.request.url), MAX_URL)}`)} ${outcome}`);
  } else {
    parts.push(`${mdCode(`#${evidence.exchange}`)} (not in the report)`);
  }
  if (evidence.part) parts.push(`· ${mdCode(partLine(exchange, evidence.part, MAX_VALUE))}`);
  if (evidence.note) parts.push(`(${mdText(truncate(cleanLine(evidence.note), 160))})`);
  return parts.join(' ');
}

function evidenceCell(scenario: ScenarioResult, check: CheckResult): string {
  const shown = check.evidence.slice(0, MAX_EVIDENCE).map((e) => evidenceMd(scenario, e));
  if (check.evidence.length > MAX_EVIDENCE) shown.push(`and ${check.evidence.length - MAX_EVIDENCE} more`);
  return shown.join('<br>');
}

interface Row {
  scenario: ScenarioResult;
  check?: CheckResult;
  message: string;
}

function table(rows: readonly Row[], max: number, what: 'failure' | 'warning'): string[] {
  const out = ['| Scenario | Check | Level | Requirements | Message | Evidence |', '|---|---|---|---|---|---|'];
  for (const row of rows.slice(0, max)) {
    const { scenario, check } = row;
    const cells = check
      ? [mdCode(scenario.id), mdCode(check.id), mdText(check.level), check.requirements.map(mdText).join(' '), mdText(truncate(cleanLine(row.message), MAX_MESSAGE)), evidenceCell(scenario, check)]
      : [mdCode(scenario.id), '(scenario)', '', '', mdText(truncate(cleanLine(row.message), MAX_MESSAGE)), ''];
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (rows.length > max) out.push('', `…and ${rows.length - max} more (${plural(rows.length, what)} in all; the JSON or HTML report has every one).`);
  return out;
}

/** A failed scenario none of whose checks failed: the reason lies with its processes, or outside the checks. */
function scenarioFailure(scenario: ScenarioResult): string {
  const problems = scenario.processes.flatMap((p) => {
    const problem = processProblem(p);
    return problem ? [`${cleanLine(p.actor)} ${problem}`] : [];
  });
  return problems.join('; ') || 'the scenario failed outside its checks';
}

function listed(items: readonly string[]): string {
  return items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more` : items.join(', ');
}

function scenarioBadge(scenario: ScenarioResult): string {
  if (scenario.status === 'fail') return '❌ FAIL';
  if (scenario.status === 'skip') return '⏭️ SKIP';
  return scenario.checks.some((c) => c.status === 'warn' || verdictOf(c) === 'xfail') ? '⚠️ PASS' : '✅ PASS';
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxFailures = options.maxFailures ?? 25;
  const maxWarnings = options.maxWarnings ?? 15;
  const maxScenarios = options.maxScenarios ?? 150;
  const verdict = runVerdict(report);
  const counts = runCounts(report);
  const out: string[] = [];

  const icon = verdict.passed ? '✅' : report.interrupted ? '⚠️' : '❌';
  // Each shard of a split run writes its own summary into the same job page: the heading says which.
  const shard = report.shard ? ` · shard ${mdText(`${report.shard.index}/${report.shard.total}`)}` : '';
  out.push(`## ${icon} ${mdText(report.role)} ${targetMd(report)} · spec ${mdText(report.specVersion)}${shard} · ${verdict.text} (exit code ${verdict.exitCode})`, '');
  const facts = [`${mdText(report.tool.name)} ${mdText(report.tool.version)}`, `started ${mdText(report.startedAt)}`, `took ${formatDuration(report.durationMs)}`];
  if (report.strict) facts.push('strict: SHOULD requirements fail');
  out.push(facts.join(' · '), '');
  out.push(`**${counts.scenarios}** · **${counts.checks}** · ${counts.expected}`, '');

  if (report.interrupted) out.push('> **Interrupted:** the run was cut short; these results hold the scenarios that finished.', '');
  if (report.stoppedEarly !== undefined) out.push(`> **Stopped early:** ${mdText(report.stoppedEarly)}`, '');
  const stale = report.summary.staleExpectedFailures;
  if (stale.length > 0) out.push(`**Stale baseline entries** (they no longer fail; remove them): ${listed(stale.map((s) => mdCode(s, false)))}`, '');

  const failures: Row[] = [];
  const warnings: Row[] = [];
  const unreached: string[] = [];
  const expected: string[] = [];
  for (const scenario of report.scenarios) {
    const scenarioUnreached = new Map<string, string[]>();
    for (const check of scenario.checks) {
      const kind = verdictOf(check);
      if (kind === 'fail') failures.push({ scenario, check, message: check.message });
      else if (kind === 'warn') warnings.push({ scenario, check, message: check.message });
      else if (kind === 'xfail') expected.push(mdCode(`${scenario.id}:${check.id}`, false));
      else if (kind === 'not-reached') {
        const cause = (check.cause ?? []).join(' and ') || 'an earlier step';
        scenarioUnreached.set(cause, [...(scenarioUnreached.get(cause) ?? []), check.id]);
      }
    }
    if (scenario.status === 'fail' && !scenario.checks.some((c) => verdictOf(c) === 'fail')) failures.push({ scenario, message: scenarioFailure(scenario) });
    for (const [cause, ids] of scenarioUnreached) {
      unreached.push(`- ${mdCode(scenario.id, false)}: ${listed(ids.map((id) => mdCode(id, false)))}, left undone by the failure of ${mdText(cause)}`);
    }
  }

  if (failures.length > 0) out.push(`### Failures (${failures.length})`, '', ...table(failures, maxFailures, 'failure'), '');
  if (unreached.length > 0) out.push(`**Not reached** (the failures above left these steps undone):`, '', ...unreached.slice(0, MAX_LISTED), ...(unreached.length > MAX_LISTED ? [`- …and ${unreached.length - MAX_LISTED} more scenarios`] : []), '');

  const counterexamples = report.scenarios.filter((s) => s.property?.counterexample !== undefined);
  if (counterexamples.length > 0) {
    out.push('**Counterexamples** (property scenarios):', '');
    for (const s of counterexamples.slice(0, MAX_LISTED)) {
      const p = s.property!;
      const shrunk = p.shrinks !== undefined ? `, shrunk ${plural(p.shrinks, 'time')}` : '';
      out.push(`- ${mdCode(s.id, false)} after ${plural(p.runs, 'run')}${shrunk} (seed ${p.seed}): ${mdText(truncate(cleanLine(p.counterexample ?? ''), 400))}`);
      if (p.replay) out.push(`  replay: ${mdCode(p.replay, false)}`);
    }
    out.push('');
  }

  if (warnings.length > 0) out.push(`### Warnings (${warnings.length})`, '', ...table(warnings, maxWarnings, 'warning'), '');
  if (expected.length > 0) out.push(`**Expected failures** (listed in the baseline): ${listed(expected)}`, '');
  if (failures.length === 0 && warnings.length === 0 && report.scenarios.some((s) => s.status !== 'skip')) out.push('Every check that ran passed.', '');

  out.push('<details>', `<summary>All ${plural(report.scenarios.length, 'scenario')}</summary>`, '');
  if (report.scenarios.length > 0) {
    out.push('| Status | Scenario | Checks |', '|---|---|---|');
    for (const s of report.scenarios.slice(0, maxScenarios)) {
      const detail = s.status === 'skip' ? mdText(s.skipReason ?? 'not run') : mdText(scenarioCounts(s));
      const held = s.status === 'pass' && s.property?.counterexample === undefined ? 'held in ' : '';
      const property = s.property && s.status !== 'skip' ? ` · property ${held}${plural(s.property.runs, 'run')}, seed ${s.property.seed}` : '';
      out.push(`| ${scenarioBadge(s)} | ${mdCode(s.id)} ${mdText(s.title)} | ${detail}${property} |`);
    }
    if (report.scenarios.length > maxScenarios) out.push('', `…and ${report.scenarios.length - maxScenarios} more scenarios.`);
  }
  out.push('', '</details>');
  return `${out.join('\n')}\n`;
}
