// The report as JUnit XML in the Ant/Jenkins shape that CI systems (Jenkins, GitLab, GitHub
// test-report actions, Azure Pipelines) all read: a scenario is a testsuite, a check a testcase.
//
// Mapping: fail -> <failure> with the evidence as text; warn -> passing testcase whose
// <system-out> carries the warning (--strict already turned warnings into failures); skip and
// expected failures -> <skipped>. A scenario that failed although none of its checks did (its
// client could not be run, say) gets a testcase of its own with <error>, so the failure is
// visible in viewers that only list testcases; a skipped scenario without checks gets one with
// <skipped> for the same reason. Output tails of processes that crashed, timed out or exited
// non-zero go into the testsuite's <system-err>.
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult, Report, ScenarioResult } from '../core/report.js';
import { evidenceLines, PLAIN_STYLE } from './evidence.js';
import { cleanLine, cleanText, processProblem, tailLines } from './text.js';

type XmlNode = Record<string, unknown>;

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const EVIDENCE_WIDTH = 120;

export function renderJunit(report: Report): string {
  const suites = report.scenarios.map((scenario, index) => testsuite(report, scenario, index));
  const total: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const { counts } of suites) {
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  }

  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': attr(`${report.tool.name} ${report.role} (spec ${report.specVersion})`),
      '@_tests': total.tests,
      '@_failures': total.failures,
      '@_errors': total.errors,
      '@_skipped': total.skipped,
      '@_time': seconds(report.durationMs),
      '@_timestamp': antTimestamp(report.startedAt),
      testsuite: suites.map((s) => s.node),
    },
  };

  const builder = new XMLBuilder({
    ignoreAttributes: false,
    format: true,
    suppressEmptyNode: true,
    // By default a value of "true" is written as a bare attribute name, which is not XML.
    suppressBooleanAttributes: false,
    // Attribute and text values are escaped by the builder; cleanText/cleanLine have already removed
    // what escaping cannot fix (characters XML 1.0 forbids outright).
    processEntities: true,
  });
  return builder.build(document);
}

function testsuite(report: Report, scenario: ScenarioResult, index: number): { node: XmlNode; counts: SuiteCounts } {
  const counts: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: XmlNode[] = [];
  const classname = attr(scenario.id);

  for (const check of scenario.checks) {
    const { node, outcome } = testcase(classname, scenario, check);
    cases.push(node);
    counts.tests++;
    if (outcome === 'failure') counts.failures++;
    if (outcome === 'skipped') counts.skipped++;
  }

  const problems = scenario.processes.flatMap((p) => {
    const problem = processProblem(p);
    return problem ? [{ process: p, problem }] : [];
  });

  if (scenario.status === 'skip' && scenario.checks.length === 0) {
    cases.push({
      '@_classname': classname,
      '@_name': attr(`(scenario) ${scenario.title}`),
      '@_time': seconds(0),
      skipped: { '@_message': attr(scenario.skipReason ?? 'not run') },
    });
    counts.tests++;
    counts.skipped++;
  } else if (scenario.status === 'fail' && !scenario.checks.some((c) => (c.status === 'fail' || c.status === 'not-reached') && !c.expectedFailure)) {
    const why = problems.map((p) => `${p.process.actor} ${p.problem}`).join('; ') || 'the scenario failed outside its checks';
    cases.push({
      '@_classname': classname,
      '@_name': attr(`(scenario) ${scenario.title}`),
      '@_time': seconds(scenario.durationMs),
      error: { '@_message': attr(why), '@_type': 'scenario', '#text': text(why) },
    });
    counts.tests++;
    counts.errors++;
  }

  const node: XmlNode = {
    '@_name': attr(scenario.id),
    '@_id': index,
    '@_package': attr(report.role),
    '@_tests': counts.tests,
    '@_failures': counts.failures,
    '@_errors': counts.errors,
    '@_skipped': counts.skipped,
    '@_time': seconds(scenario.durationMs),
    '@_timestamp': antTimestamp(report.startedAt),
    properties: { property: properties(report, scenario) },
    testcase: cases,
  };
  if (problems.length > 0) node['system-err'] = text(problems.map((p) => processReport(p.process, p.problem)).join('\n\n'));
  return { node, counts };
}

function properties(report: Report, scenario: ScenarioResult): XmlNode[] {
  const list: [string, string][] = [
    ['role', report.role],
    ['spec-version', report.specVersion],
    ['protocol-version', scenario.protocolVersion],
    ['strict', String(report.strict)],
    ['title', scenario.title],
  ];
  if (scenario.skipReason) list.push(['skip-reason', scenario.skipReason]);
  const requirements = [...new Set(scenario.checks.flatMap((c) => c.requirements))];
  if (requirements.length > 0) list.push(['requirements', requirements.join(' ')]);
  return list.map(([name, value]) => ({ '@_name': name, '@_value': attr(value) }));
}

function testcase(classname: string, scenario: ScenarioResult, check: CheckResult): { node: XmlNode; outcome: 'pass' | 'failure' | 'skipped' } {
  const node: XmlNode = {
    '@_classname': classname,
    '@_name': attr(`${check.id}: ${check.title}`),
    // Checks judge a finished trace and take no measurable time of their own.
    '@_time': seconds(0),
  };
  const label = [check.level, ...check.requirements].join(' ');
  if ((check.status === 'fail' || check.status === 'not-reached') && check.expectedFailure) {
    node.skipped = { '@_message': attr(`expected failure: ${check.message}`) };
    return { node, outcome: 'skipped' };
  }
  switch (check.status) {
    case 'pass':
      return { node, outcome: 'pass' };
    case 'skip':
      node.skipped = { '@_message': attr(check.message) };
      return { node, outcome: 'skipped' };
    case 'warn':
      node['system-out'] = text(`WARNING (${label}): ${check.message}\n${explanation(scenario, check)}`);
      return { node, outcome: 'pass' };
    case 'fail':
      node.failure = { '@_message': attr(check.message), '@_type': attr(label), '#text': text(explanation(scenario, check)) };
      return { node, outcome: 'failure' };
    // Counted once, on the failure that caused it: the run still fails through that testcase.
    case 'not-reached':
      node.skipped = { '@_message': attr(`not reached: left undone by the failure of ${(check.cause ?? []).join(' and ') || 'an earlier step'} (${check.message})`) };
      return { node, outcome: 'skipped' };
  }
}

/** The evidence in full form (whole URLs, one query parameter per line), then the spec links. */
function explanation(scenario: ScenarioResult, check: CheckResult): string {
  const layout = { width: EVIDENCE_WIDTH, full: true, style: PLAIN_STYLE };
  const blocks = check.evidence.map((e) => evidenceLines(scenario, e, layout).join('\n'));
  if (check.specLinks.length > 0) blocks.push(check.specLinks.map((l) => `see ${l}`).join('\n'));
  return blocks.join('\n\n');
}

function processReport(process: ScenarioResult['processes'][number], problem: string): string {
  const lines = [`${process.actor} ${problem}`, `command: ${process.command}`];
  for (const [name, tail] of [['stdout', process.stdoutTail], ['stderr', process.stderrTail]] as const) {
    const kept = tailLines(tail, 0);
    lines.push(kept.length > 0 ? `--- ${name} (last lines) ---\n${kept.join('\n')}` : `--- ${name}: (empty) ---`);
  }
  return lines.join('\n');
}

/** Text content: cleaned of characters XML 1.0 cannot carry, line breaks kept. */
function text(value: string): string {
  return cleanText(value);
}

/** Attribute values: XML folds line breaks in attributes to spaces anyway, so fold them visibly here. */
function attr(value: string): string {
  return cleanLine(value);
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The Ant schema's timestamp pattern: ISO 8601 without zone or fraction, here in UTC. */
function antTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? cleanLine(iso) : date.toISOString().slice(0, 19);
}
