// The expected-failures baseline: a YAML file of known failures that a CI run tolerates until they
// are fixed. The file format is the official suite's (`client:` / `server:` lists of `scenario` or
// `scenario:check-id`), so a baseline written for that harness loads here unchanged; we add an
// `authorization-server:` list for our third role.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { CheckResult, Report, ScenarioResult } from './report.js';
import { exitCodeOf, isFailing, scenarioStatusOf, summarize } from './summary.js';

export { exitCodeOf, summarize } from './summary.js';

export const BASELINE_ROLES = ['client', 'server', 'authorization-server'] as const;
export type BaselineRole = (typeof BASELINE_ROLES)[number];

export interface BaselineEntry {
  scenario: string;
  /** Absent: the whole scenario is expected to fail. */
  check?: string;
  /** 1-based line in the source file, for messages that send the user back to it. */
  line: number;
}

export interface ExpectedFailures {
  /** The file name the entries came from, as given to the parser. */
  source: string;
  entries: Record<BaselineRole, BaselineEntry[]>;
}

/** The baseline file cannot be used; the message names the file, the line where known, and the fault. */
export class ExpectedFailuresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectedFailuresError';
  }
}

/** An entry written back the way a user writes it; also the form of `summary.staleExpectedFailures`. */
export function formatEntry(entry: Pick<BaselineEntry, 'scenario' | 'check'>): string {
  return entry.check === undefined ? entry.scenario : `${entry.scenario}:${entry.check}`;
}

export function emptyExpectedFailures(source = '(none)'): ExpectedFailures {
  return { source, entries: { client: [], server: [], 'authorization-server': [] } };
}

/**
 * Parses a baseline file. An empty file (or one holding only comments) is an empty baseline, and
 * so is a role key with nothing under it, since commenting out the last entry must not turn a
 * working file into an error. Everything else that is not exactly the documented shape is
 * rejected, because a baseline that silently ignores a line lets a real failure through.
 */
export function parseExpectedFailures(yamlText: string, sourceName: string): ExpectedFailures {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false });
  const fail = (node: YamlNode | null | undefined, what: string): never => {
    const offset = node?.range?.[0];
    const where = offset === undefined ? sourceName : `${sourceName}:${lines.linePos(offset).line}`;
    throw new ExpectedFailuresError(`${where}: ${what}`);
  };

  const yamlError = doc.errors[0];
  if (yamlError) {
    // Without pretty errors yaml's message is one plain sentence; the position comes from our counter.
    const headline = yamlError.message.split('\n')[0].replace(/:$/, '');
    throw new ExpectedFailuresError(`${sourceName}:${lines.linePos(yamlError.pos[0]).line}: invalid YAML: ${headline}`);
  }

  const result = emptyExpectedFailures(sourceName);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return result;
  if (!isMap(root)) return fail(root, `the top level must be a mapping with the keys ${BASELINE_ROLES.join(', ')}`);

  for (const pair of root.items) {
    const keyNode = isScalar(pair.key) ? pair.key : undefined;
    const key = keyNode?.value;
    if (typeof key !== 'string' || !(BASELINE_ROLES as readonly string[]).includes(key)) {
      fail(pair.key as YamlNode, `unknown key ${JSON.stringify(key ?? null)}; allowed keys are ${BASELINE_ROLES.join(', ')}`);
    }
    const role = key as BaselineRole;
    const list = pair.value;
    if (list === null || (isScalar(list) && list.value === null)) continue;
    if (!isSeq(list)) return fail(list as YamlNode, `'${role}' must be a list of 'scenario' or 'scenario:check-id' entries`);
    result.entries[role] = parseEntries(list.items as (YamlNode | null)[], role, { sourceName, lines, fail });
  }
  return result;
}

interface ParseContext {
  sourceName: string;
  lines: LineCounter;
  fail: (node: YamlNode | null | undefined, what: string) => never;
}

function parseEntries(items: (YamlNode | null)[], role: BaselineRole, ctx: ParseContext): BaselineEntry[] {
  const { fail } = ctx;
  const entries: BaselineEntry[] = [];
  const seen = new Map<string, BaselineEntry>();
  for (const item of items) {
    const entry = parseEntry(item, role, ctx);
    const text = formatEntry(entry);
    const earlier = seen.get(text);
    if (earlier) fail(item, `'${role}' lists ${JSON.stringify(text)} twice (first on line ${earlier.line})`);
    seen.set(text, entry);
    entries.push(entry);
  }

  // Listing a scenario wholesale already excuses each of its checks, so a per-check entry beside it
  // is either dead or a sign the user meant to narrow the baseline and forgot to delete the line.
  const wholesale = new Map(entries.filter((e) => e.check === undefined).map((e) => [e.scenario, e]));
  for (const entry of entries) {
    const whole = entry.check === undefined ? undefined : wholesale.get(entry.scenario);
    if (whole) {
      throw new ExpectedFailuresError(
        `${ctx.sourceName}:${entry.line}: '${role}' lists ${JSON.stringify(entry.scenario)} as a whole scenario (line ${whole.line}) and also ${JSON.stringify(formatEntry(entry))}; keep one of them`,
      );
    }
  }
  return entries;
}

function parseEntry(item: YamlNode | null, role: BaselineRole, { fail, lines }: ParseContext): BaselineEntry {
  const line = item?.range ? lines.linePos(item.range[0]).line : 0;
  if (item === null || (isScalar(item) && (item.value === null || item.value === ''))) {
    return fail(item, `'${role}' has an empty entry`);
  }
  if (isMap(item)) {
    // `- auth/x: check` is the likely typo for `- auth/x:check`: YAML reads a mapping.
    const pair = item.items.length === 1 ? item.items[0] : undefined;
    const k = pair && isScalar(pair.key) ? pair.key.value : undefined;
    const v = pair && isScalar(pair.value) ? pair.value.value : undefined;
    const hint =
      typeof k === 'string' && (typeof v === 'string' || typeof v === 'number') && String(v) !== ''
        ? `; did you mean '${k}:${String(v)}' (no space after the colon)?`
        : '';
    return fail(item, `'${role}' entry is a mapping, not a 'scenario' or 'scenario:check-id' string${hint}`);
  }
  if (!isScalar(item) || typeof item.value !== 'string') {
    const shown = isScalar(item) ? String(item.value) : isSeq(item) ? 'a list' : 'a non-string value';
    return fail(item, `'${role}' entry ${shown} is not a 'scenario' or 'scenario:check-id' string`);
  }

  const text = item.value;
  if (/\s/.test(text)) return fail(item, `'${role}' entry ${JSON.stringify(text)} contains whitespace; ids never do`);
  // Scenario ids hold slashes but never colons, and check ids hold no colons, so the first colon splits.
  const colon = text.indexOf(':');
  if (colon < 0) return { scenario: text, line };
  const scenario = text.slice(0, colon);
  const check = text.slice(colon + 1);
  if (!scenario || !check || check.includes(':')) {
    return fail(item, `'${role}' entry ${JSON.stringify(text)} is not 'scenario' or 'scenario:check-id'`);
  }
  return { scenario, check, line };
}

/**
 * Applies a baseline to a report and returns a new report (the input is not modified).
 *
 * - A failing check (`fail` or `not-reached`) listed per check, or in a scenario listed wholesale,
 *   gets `expectedFailure: true` and stops counting as a failure. So does a `not-reached` check
 *   whose every cause is an expected failure: the baseline excuses the defect, and the steps it
 *   left undone go with it. A scenario whose failures are all expected passes; a scenario listed
 *   wholesale passes even when it failed for a reason outside its checks (a crash).
 * - Stale (the entry no longer earns its place, and fails the run until removed):
 *   a per-check entry whose check passed; a wholesale entry for a scenario that ran, passed, and
 *   had neither a failing nor a warning check.
 * - Not stale, because they prove nothing either way: entries for scenarios absent from the
 *   report or skipped (not run at this spec version, interrupted), and per-check entries whose
 *   check was skipped or is absent from the scenario.
 * - A `warn` check keeps its status and is not flagged; its entry is not stale either, since the
 *   requirement is still unmet and the same baseline must hold under --strict, where it fails.
 * - When a check id occurs more than once in a scenario, the entry covers every occurrence and
 *   is stale only if none failed or warned and one passed.
 *
 * Flags from an earlier application are dropped and recomputed, but a scenario that a wholesale
 * entry turned green stays green; judge the engine's report, not an already baselined one.
 */
export function applyExpectedFailures(report: Report, expected: ExpectedFailures, role: BaselineRole = report.role): Report {
  const entries = expected.entries[role] ?? [];
  const wholesale = new Set(entries.filter((e) => e.check === undefined).map((e) => e.scenario));
  const perCheck = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (entry.check === undefined) continue;
    const ids = perCheck.get(entry.scenario) ?? new Set<string>();
    ids.add(entry.check);
    perCheck.set(entry.scenario, ids);
  }

  const scenarios = report.scenarios.map((scenario) => {
    const listedWhole = wholesale.has(scenario.id);
    const listedChecks = perCheck.get(scenario.id);
    const listed = (check: CheckResult) => listedWhole || (listedChecks?.has(check.id) ?? false);
    const excused = new Set(scenario.checks.filter((c) => c.status === 'fail' && listed(c)).map((c) => c.id));
    const checks = scenario.checks.map((check): CheckResult => {
      const { expectedFailure: _previous, ...rest } = check;
      const followsExcused = check.status === 'not-reached' && (check.cause ?? []).length > 0 && check.cause!.every((id) => excused.has(id));
      const expectedHere = isFailing(check) && (listed(check) || followsExcused);
      return expectedHere && scenario.status !== 'skip' ? { ...rest, expectedFailure: true } : rest;
    });
    const status = listedWhole && scenario.status !== 'skip' ? 'pass' : scenarioStatusOf(checks, scenario.status);
    return { ...scenario, checks, status } satisfies ScenarioResult;
  });

  const stale: string[] = [];
  const byId = new Map(report.scenarios.map((s) => [s.id, s]));
  for (const entry of entries) {
    const scenario = byId.get(entry.scenario);
    if (!scenario || scenario.status === 'skip') continue;
    if (entry.check === undefined) {
      const stillFailing = scenario.status === 'fail' || scenario.checks.some((c) => isFailing(c) || c.status === 'warn');
      if (!stillFailing) stale.push(formatEntry(entry));
      continue;
    }
    const occurrences = scenario.checks.filter((c) => c.id === entry.check);
    const stillFailing = occurrences.some((c) => isFailing(c) || c.status === 'warn');
    if (!stillFailing && occurrences.some((c) => c.status === 'pass')) stale.push(formatEntry(entry));
  }

  const counts = summarize(scenarios, stale);
  const summary = { ...counts, exitCode: report.summary.exitCode };
  summary.exitCode = exitCodeOf({ scenarios, summary });
  return { ...report, scenarios, summary };
}
