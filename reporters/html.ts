// The report as one self-contained HTML page: failing scenarios first, and for every failure or
// warning the exchanges its evidence names drawn as a sequence diagram, the offending exchange and
// part marked, with that exchange in full below. Inline CSS, no script, nothing fetched: the page
// is opened from a CI artifact or a mail attachment, often offline, and its Content-Security-Policy
// forbids loading anything at all, so even a slip in escaping could not reach the network. Sections
// fold with <details>, which needs no script.
import type { CheckResult, Report, ScenarioResult } from '../core/report.js';
import type { Exchange } from '../core/trace.js';
import { partLine } from './evidence.js';
import {
  renderExchangeDetail,
  renderSequenceDiagram,
  renderTraceWithVerdicts,
  SEQUENCE_DIAGRAM_CSS,
  sortVerdicts,
  verdictBadge,
  verdictKind,
  type DiagramHighlight,
  type Tone,
  type VerdictKind,
} from './sequence-diagram.js';
import { cleanLine, escapeHtml, formatDuration, plural, processProblem, runCounts, runVerdict, scenarioCounts, tailLines, targetLine, truncate } from './text.js';

const esc = escapeHtml;
/** Numbers too go through escaping: a report may come from a file (merge-reports reads them), typed or not. */
const n = (value: unknown): string => escapeHtml(String(value));

/** A trace this short is drawn whole in each finding; a longer one around the evidence only. */
const WHOLE_TRACE = 8;
/** Exchanges drawn in a scenario's full trace; the rest are counted. */
const MAX_TRACE = 150;
/** Exchanges shown in full under one finding. */
const MAX_DETAILS = 6;
const TAIL_LINES = 40;

type Group = 'fail' | 'warn' | 'pass' | 'skip';
const GROUP_ORDER: readonly Group[] = ['fail', 'warn', 'pass', 'skip'];
const TONES: Partial<Record<VerdictKind, Tone>> = { fail: 'fail', warn: 'warn', xfail: 'info' };

function groupOf(scenario: ScenarioResult): Group {
  if (scenario.status === 'fail' || scenario.status === 'skip') return scenario.status;
  return scenario.checks.some((c) => c.status === 'warn' || verdictKind(c) === 'xfail') ? 'warn' : 'pass';
}

function scenarioBadge(group: Group): string {
  const labels: Record<Group, string> = { fail: 'FAIL', warn: 'PASS', pass: 'PASS', skip: 'SKIP' };
  return `<span class="badge badge-${group}">${labels[group]}</span>`;
}

/** Links only to web pages: the spec links come from the suite, but nothing unchecked becomes an href. */
function link(url: string): string {
  return /^https?:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc(url)}" rel="noreferrer noopener">${esc(url)}</a>` : esc(url);
}

/** The evidence exchanges with a neighbour either side, or the whole trace when it is short. */
function around(exchanges: readonly Exchange[], ids: ReadonlySet<number>): Exchange[] {
  const sorted = [...exchanges].sort((a, b) => a.id - b.id);
  if (sorted.length <= WHOLE_TRACE) return sorted;
  const keep = new Set<number>();
  sorted.forEach((e, i) => {
    if (!ids.has(e.id)) return;
    for (const j of [i - 1, i, i + 1]) if (sorted[j]) keep.add(sorted[j].id);
  });
  return sorted.filter((e) => keep.has(e.id));
}

const lastId = (exchanges: readonly Exchange[]): number | undefined => (exchanges.length > 0 ? Math.max(...exchanges.map((e) => e.id)) : undefined);

function checkRow(check: CheckResult, anchor: string | undefined): string {
  const kind = verdictKind(check);
  const id = anchor ? `<a href="#${anchor}"><code>${esc(check.id)}</code></a>` : `<code>${esc(check.id)}</code>`;
  const undone = check.status === 'not-reached' ? ` <span class="muted">(left undone by the failure of ${esc((check.cause ?? []).join(' and ') || 'an earlier step')})</span>` : '';
  const expected = kind === 'xfail' ? ' <span class="muted">(expected failure)</span>' : '';
  return (
    `<tr class="check check-${kind === 'not-reached' ? 'unreached' : kind}">` +
    `<td>${verdictBadge(kind)}</td><td>${id}<div class="check-title">${esc(check.title)}</div></td><td>${esc(check.level)}</td>` +
    `<td>${esc(check.requirements.join(' '))}</td><td>${esc(cleanLine(check.message))}${undone}${expected}</td></tr>`
  );
}

function evidenceItem(scenario: ScenarioResult, evidence: CheckResult['evidence'][number], anchor: string): string {
  const exchange = scenario.exchanges.find((e) => e.id === evidence.exchange);
  const head = exchange
    ? `<a href="#${anchor}-d${n(exchange.id)}">#${n(exchange.id)}</a> ${esc(exchange.actor)} → ${esc(exchange.server)} <span class="muted">${esc(exchange.role)}</span> <code>${esc(`${exchange.request.method} ${truncate(cleanLine(exchange.request.url), 110)}`)}</code> → ${exchange.response ? n(exchange.response.status) : 'no response'}`
    : `#${n(evidence.exchange)} <span class="muted">(exchange not in the report)</span>`;
  const note = evidence.note ? ` <span class="note">— ${esc(cleanLine(evidence.note))}</span>` : '';
  const part = evidence.part ? `<div><code class="part">${esc(partLine(exchange, evidence.part, 200))}</code>${note}</div>` : note ? `<div>${note}</div>` : '';
  return `<li>${head}${part}</li>`;
}

/** A failure or warning: what it says, its evidence, the diagram around it, and the exchanges in full. */
function finding(scenario: ScenarioResult, check: CheckResult, anchor: string): string {
  const kind = verdictKind(check);
  const tone = TONES[kind] ?? 'info';
  const tags = [check.level, ...check.requirements].join(' ');
  const highlights: DiagramHighlight[] = check.evidence.map((e) => ({ ...e, tone }));
  const ids = new Set(check.evidence.map((e) => e.exchange));
  const named = scenario.exchanges.filter((e) => ids.has(e.id)).sort((a, b) => a.id - b.id);
  const parts: string[] = [
    `<h3>${verdictBadge(kind)} <code>${esc(check.id)}</code> ${esc(check.title)} <span class="tags">${esc(tags)}</span></h3>`,
    `<p class="message">${esc(cleanLine(check.message))}</p>`,
  ];
  if (check.evidence.length > 0) parts.push(`<ul class="evidence">${check.evidence.map((e) => evidenceItem(scenario, e, anchor)).join('')}</ul>`);
  if (named.length > 0) {
    const shown = around(scenario.exchanges, ids);
    const label = `Exchanges around the evidence of ${check.id}`;
    parts.push(`<div class="diagram">${renderSequenceDiagram(shown, { highlight: highlights, idPrefix: anchor, label, total: lastId(scenario.exchanges) })}</div>`);
    const details = named.slice(0, MAX_DETAILS).map((e) => renderExchangeDetail(e, { highlight: highlights, idPrefix: anchor }));
    if (named.length > MAX_DETAILS) details.push(`<p class="muted">…and ${plural(named.length - MAX_DETAILS, 'more exchange')} in the trace below.</p>`);
    parts.push(details.join(''));
  }
  if (check.specLinks.length > 0) parts.push(`<p class="links">See ${check.specLinks.map(link).join(', ')}</p>`);
  const body = parts.join('');
  // An expected failure is known and tolerated: folded, so the failures that matter stand out.
  if (kind === 'xfail') return `<details class="finding finding-xfail" id="${anchor}"><summary>${verdictBadge(kind)} <code>${esc(check.id)}</code> expected failure: ${esc(cleanLine(check.message))}</summary>${body}</details>`;
  return `<article class="finding finding-${tone}" id="${anchor}">${body}</article>`;
}

function processBlock(scenario: ScenarioResult): string {
  const open = scenario.status === 'fail' ? ' open' : '';
  return scenario.processes
    .flatMap((p) => {
      const problem = processProblem(p);
      if (!problem) return [];
      const tails = (['stdout', 'stderr'] as const).map((name) => {
        const lines = tailLines(name === 'stdout' ? p.stdoutTail : p.stderrTail, TAIL_LINES);
        if (lines.length === 0) return `<p class="muted">${name}: (empty)</p>`;
        return `<details${open}><summary>${name} (last ${plural(lines.length, 'line')})</summary><pre class="tail">${esc(lines.join('\n'))}</pre></details>`;
      });
      return [`<div class="process"><p class="problem">${esc(p.actor)} ${esc(problem)}</p><p class="muted">command: <code>${esc(p.command)}</code></p>${tails.join('')}</div>`];
    })
    .join('');
}

function propertyBlock(scenario: ScenarioResult): string {
  const p = scenario.property;
  if (!p) return '';
  const lines: string[] = [];
  if (p.counterexample !== undefined) {
    const shrunk = p.shrinks !== undefined ? `, shrunk ${n(plural(p.shrinks, 'time'))}` : '';
    lines.push(`<p class="counterexample"><strong>Counterexample</strong> after ${n(plural(p.runs, 'run'))}${shrunk} (seed ${n(p.seed)}): ${esc(p.counterexample)}</p>`);
    if (p.replay) lines.push(`<p>Replay: <code class="command">${esc(p.replay)}</code></p>`);
    lines.push('<p class="muted">The exchanges and checks below are those of the counterexample.</p>');
  } else {
    lines.push(`<p>Property ${scenario.status === 'pass' ? 'held' : 'searched'} in ${n(plural(p.runs, 'run'))}, seed ${n(p.seed)}.</p>`);
  }
  const outcomes = Object.entries(p.outcomes ?? {}).sort(([, a], [, b]) => b - a);
  if (outcomes.length > 0) {
    lines.push(`<table class="outcomes"><thead><tr><th>Cases</th><th>Outcome</th></tr></thead><tbody>${outcomes.map(([outcome, count]) => `<tr><td>${n(count)}</td><td>${esc(outcome)}</td></tr>`).join('')}</tbody></table>`);
  }
  return `<div class="property">${lines.join('')}</div>`;
}

function scenarioSection(scenario: ScenarioResult, index: number): string {
  const group = groupOf(scenario);
  const anchor = `s${index + 1}`;
  const open = group === 'fail' || group === 'warn' ? ' open' : '';
  const summary =
    `<summary>${scenarioBadge(group)} <span class="sid">${esc(scenario.id)}</span> <span class="stitle">${esc(scenario.title)}</span> ` +
    `<span class="counts">${esc(scenario.status === 'skip' ? (scenario.skipReason ?? 'not run') : scenarioCounts(scenario))}</span></summary>`;
  const parts: string[] = [];
  if (scenario.description) parts.push(`<p class="desc">${esc(scenario.description)} <span class="muted">Protocol version ${esc(scenario.protocolVersion)}.</span></p>`);
  if (scenario.status === 'skip') {
    parts.push(`<p class="skip-reason">Not run: ${esc(scenario.skipReason ?? 'no reason given')}.</p>`);
    return `<section class="scenario scenario-skip" id="${anchor}" data-status="skip"><details>${summary}<div class="scenario-body">${parts.join('')}</div></details></section>`;
  }
  parts.push(propertyBlock(scenario));

  const findings = sortVerdicts(scenario.checks.filter((c) => TONES[verdictKind(c)] !== undefined));
  const findingAnchor = new Map(findings.map((c) => [c, `${anchor}-c${scenario.checks.indexOf(c) + 1}`]));
  if (scenario.status === 'fail' && !scenario.checks.some((c) => verdictKind(c) === 'fail')) {
    const problems = scenario.processes.flatMap((p) => {
      const problem = processProblem(p);
      return problem ? [`${p.actor} ${problem}`] : [];
    });
    parts.push(`<article class="finding finding-fail"><h3>${verdictBadge('fail')} the scenario failed outside its checks</h3><p class="message">${esc(problems.join('; ') || 'none of its checks failed; the cause lies outside them')}</p></article>`);
  }
  // What went wrong comes first, drawn; the table of every check after it is the overview.
  for (const check of findings) parts.push(finding(scenario, check, findingAnchor.get(check)!));
  parts.push(processBlock(scenario));
  if (scenario.checks.length > 0) {
    const rows = sortVerdicts(scenario.checks).map((c) => checkRow(c, findingAnchor.get(c)));
    parts.push(`<table class="checks"><thead><tr><th>Status</th><th>Check</th><th>Level</th><th>Requirements</th><th>Message</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }

  if (scenario.exchanges.length > 0) {
    const sorted = [...scenario.exchanges].sort((a, b) => a.id - b.id);
    const shown = sorted.slice(0, MAX_TRACE);
    const more = sorted.length > MAX_TRACE ? ` (the first ${MAX_TRACE} drawn)` : '';
    parts.push(
      `<details class="trace"><summary>Trace: ${plural(sorted.length, 'exchange')}${more}, with every check</summary>` +
        renderTraceWithVerdicts(shown, scenario.checks, { idPrefix: `${anchor}-t`, label: `Every exchange of ${scenario.id}`, total: lastId(sorted) }) +
        '</details>',
    );
  }
  return `<section class="scenario scenario-${group}" id="${anchor}" data-status="${group}"><details${open}>${summary}<div class="scenario-body">${parts.join('')}</div></details></section>`;
}

export function renderHtml(report: Report): string {
  const verdict = runVerdict(report);
  const counts = runCounts(report);
  const ordered = report.scenarios
    .map((scenario, index) => ({ scenario, index, group: groupOf(scenario) }))
    .sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || a.index - b.index);

  const facts: [string, string][] = [
    ['Role', esc(report.role)],
    ['Target', `<code>${esc(targetLine(report))}</code>`],
    ['Spec version', esc(report.specVersion)],
    ...(report.shard ? [['Shard', esc(`${report.shard.index} of ${report.shard.total}`)] as [string, string]] : []),
    ['Strict', report.strict ? 'yes: SHOULD requirements fail' : 'no'],
    ['Started', esc(report.startedAt)],
    ['Duration', esc(formatDuration(report.durationMs))],
    ['Tool', esc(`${report.tool.name} ${report.tool.version}`)],
  ];
  const notes: string[] = [];
  if (report.interrupted) notes.push('<p class="note-box">Interrupted: the run was cut short; these results hold the scenarios that finished.</p>');
  if (report.stoppedEarly !== undefined) notes.push(`<p class="note-box">Stopped early: ${esc(report.stoppedEarly)}</p>`);
  const stale = report.summary.staleExpectedFailures;
  if (stale.length > 0) notes.push(`<p class="note-box">Stale expected-failure entries (they no longer fail; remove them from the baseline): ${stale.map((s) => `<code>${esc(s)}</code>`).join(', ')}</p>`);
  const index = ordered.map(({ scenario, index: i, group }) => `<li>${scenarioBadge(group)} <a href="#s${i + 1}">${esc(scenario.id)}</a></li>`).join('');
  const title = `${report.tool.name}: ${report.role} ${verdict.text} (spec ${report.specVersion})`;
  // An interrupted run says nothing against the target: it is shown apart from a failed one.
  const runClass = verdict.passed ? 'pass' : report.interrupted ? 'warn' : 'fail';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_CSS}${SEQUENCE_DIAGRAM_CSS}</style>
</head>
<body>
<header class="run run-${runClass}">
<h1><span class="verdict">${{ pass: '✓', warn: '!', fail: '✗' }[runClass]} ${esc(report.role)} ${esc(verdict.text)}</span> <span class="exit">exit code ${n(verdict.exitCode)}</span></h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
<p class="totals">${esc(counts.scenarios)} · ${esc(counts.checks)} · ${esc(counts.expected)}</p>
${notes.join('\n')}
<details class="index"><summary>All ${plural(report.scenarios.length, 'scenario')}</summary><ol>${index}</ol></details>
</header>
<main>
${ordered.map(({ scenario, index: i }) => scenarioSection(scenario, i)).join('\n')}
</main>
</body>
</html>
`;
}

const PAGE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; background: #f6f8fa; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12px; }
code { overflow-wrap: anywhere; }
a { color: #0969da; }
.muted { color: #57606a; }
header.run { padding: 16px 24px; background: #fff; border-bottom: 4px solid #1a7f37; }
header.run-fail { border-bottom-color: #cf222e; } header.run-warn { border-bottom-color: #d4a72c; }
header.run h1 { margin: 0 0 8px; font-size: 22px; }
header.run-pass .verdict { color: #1a7f37; } header.run-fail .verdict { color: #cf222e; } header.run-warn .verdict { color: #9a6700; }
header.run .exit { font-size: 14px; font-weight: 400; color: #57606a; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0 0 8px; }
.facts div { display: flex; gap: 6px; min-width: 0; } .facts dt { color: #57606a; } .facts dd { margin: 0; min-width: 0; }
.totals { margin: 0 0 6px; font-weight: 600; }
.note-box { margin: 6px 0; padding: 6px 10px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; }
.index ol { columns: 3 320px; margin: 6px 0 0; padding-left: 24px; }
main { padding: 16px 24px 40px; max-width: 1400px; }
section.scenario { background: #fff; border: 1px solid #d0d7de; border-left: 6px solid #8c959f; border-radius: 6px; margin-bottom: 12px; }
section.scenario-fail { border-left-color: #cf222e; } section.scenario-warn { border-left-color: #d4a72c; } section.scenario-pass { border-left-color: #1a7f37; }
section.scenario > details > summary { padding: 10px 14px; cursor: pointer; font-size: 15px; }
.sid { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 700; }
.stitle { margin-left: 4px; } .counts { color: #57606a; font-size: 13px; margin-left: 6px; }
.scenario-body { padding: 0 14px 12px; }
.desc { margin: 0 0 8px; color: #424a53; }
.badge { display: inline-block; min-width: 44px; text-align: center; font: 700 11px/18px system-ui, sans-serif; border-radius: 3px; padding: 0 5px; color: #fff; vertical-align: 1px; }
.badge-fail { background: #cf222e; } .badge-warn { background: #9a6700; } .badge-pass { background: #1a7f37; } .badge-skip { background: #6e7781; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #d8dee4; }
th { font-size: 12px; color: #57606a; font-weight: 600; }
table.checks td:first-child { width: 96px; } table.checks td:nth-child(3) { width: 64px; }
.check-title { color: #57606a; font-size: 12px; }
table.outcomes { width: auto; } table.outcomes td:first-child { text-align: right; }
.finding { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.finding-fail { border-color: #ff8182; background: #fffafa; } .finding-warn { border-color: #d4a72c; background: #fffdf2; }
.finding h3 { margin: 0 0 4px; font-size: 15px; } .finding .tags { color: #57606a; font-weight: 400; font-size: 12px; }
.finding .message { margin: 0 0 6px; }
.finding > summary { cursor: pointer; }
.evidence { margin: 4px 0 8px; padding-left: 20px; }
.evidence .part { font-weight: 700; } .evidence .note { color: #57606a; }
.diagram { margin: 8px 0; padding: 6px; background: #fff; border: 1px solid #d8dee4; border-radius: 6px; overflow-x: auto; }
.diagram .sd { min-width: 560px; }
.process { margin: 8px 0; } .process .problem { margin: 0; font-weight: 700; color: #cf222e; } .process p { margin: 2px 0; }
pre.tail { margin: 4px 0; padding: 6px 8px; background: #f6f8fa; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.property { margin: 6px 0; } .property p { margin: 2px 0; } .command { background: #f6f8fa; padding: 1px 4px; }
details.trace { margin-top: 12px; } details.trace > summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }
.links { font-size: 12px; color: #57606a; }
`;
