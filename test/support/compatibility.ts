// What the kit says about clients nobody here wrote (and two of the kit's own test clients), each
// verdict written out with the reason for it, and the README section made from that. The
// compatibility test (test/integration/compatibility.test.ts) runs every client through the whole
// suite and compares the report with these pins; the README's tables are generated from the pins,
// so what users read is what the test holds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Report, ScenarioResult } from '../../core/report.js';
import type { Requirement } from '../../core/requirement.js';
import { clientScenarios } from '../../suites/client/index.js';
import { requirementCatalogue } from '../../suites/requirements.js';
import { ROOT, type Build } from './compiled.js';

/** A check's status other than pass, as pinned. */
export type PinnedVerdict = 'fail' | 'warn' | 'skip' | 'not-reached';

/** The pseudo check id of a whole scenario that did not run or exercised nothing. */
export const WHOLE_SCENARIO = '(scenario)';

/** Verdicts that share one cause, with that cause. */
export interface Finding {
  /** What the client does that earns these verdicts, from the trace and its source; or why they do not apply. */
  why: string;
  /** `scenario:check-id` -> its status. Every check not pinned in any finding must pass. */
  verdicts: Record<string, PinnedVerdict>;
}

/** A property scenario whose counterexample, and so its verdicts, depends on how the copies interleaved. */
export interface CounterexamplePin {
  why: string;
  /** A check that did not pass says this. */
  says: RegExp;
  /** How bad the counterexample gets: a failure, warnings only, or either, as the interleaving goes. */
  severity: 'fail' | 'warn' | 'fail or warn';
}

export interface ClientPins {
  /** The column heading of the README table. */
  name: string;
  /** What the client is and how it runs here, as the README introduces it. */
  about: string;
  /** npm packages and the versions the pins were taken with (checked against node_modules). */
  packages?: Record<string, string>;
  /** The kit's compile guard for a client built from test/, if it is one. */
  build?: Build;
  /** The client command, with absolute paths. */
  command: string;
  findings: Finding[];
  counterexamples?: Record<string, CounterexamplePin>;
  /**
   * Scenarios where timing decides part of what the client does: only `always` is pinned (check id
   * -> verdict, every run), the rest may go either way. Without `always` the scenario shows as "varies".
   */
  unsettled?: Record<string, { why: string; always?: Record<string, PinnedVerdict> }>;
  /** A scenario whose result is an accident of the machine (a port another process held) is run once more. */
  rerunIf?: (scenario: ScenarioResult) => boolean;
}

export function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Every pinned verdict of the client, by `scenario:check-id`; a key pinned twice is a mistake in the pins. */
export function pinnedVerdicts(pins: ClientPins): Map<string, PinnedVerdict> {
  const all = new Map<string, PinnedVerdict>();
  for (const finding of pins.findings) {
    for (const [key, verdict] of Object.entries(finding.verdicts)) {
      if (all.has(key)) throw new Error(`${pins.name}: ${key} is pinned in two findings`);
      all.set(key, verdict);
    }
  }
  return all;
}

/** One line per verdict that moved; empty when the report says exactly what the pins say. */
export function pinChanges(report: Report, pins: ClientPins): string[] {
  const pinned = pinnedVerdicts(pins);
  const lines: string[] = [];
  const seen = new Set<string>();
  const looseIds = new Set([...Object.keys(pins.counterexamples ?? {}), ...Object.keys(pins.unsettled ?? {})]);
  for (const scenario of report.scenarios) {
    const counterexample = pins.counterexamples?.[scenario.id];
    if (counterexample) {
      if (!scenario.property?.counterexample) lines.push(`property ${scenario.id} found no counterexample (${scenario.status})`);
      else if (!scenario.checks.some((c) => c.status !== 'pass' && counterexample.says.test(c.message))) lines.push(`property ${scenario.id} found a counterexample, but no check said ${counterexample.says}`);
      else if (!counterexample.severity.split(' or ').includes(scenario.status === 'fail' ? 'fail' : 'warn')) lines.push(`property ${scenario.id}: a counterexample that ${scenario.status === 'fail' ? 'fails' : 'only warns'}, pinned ${counterexample.severity}`);
      continue;
    }
    const unsettled = pins.unsettled?.[scenario.id];
    if (unsettled) {
      for (const [check, verdict] of Object.entries(unsettled.always ?? {})) {
        const status = scenario.checks.find((c) => c.id === check)?.status ?? 'absent';
        if (status !== verdict) lines.push(`${scenario.id}:${check} is always ${verdict} (${unsettled.why}), now ${status}`);
      }
      continue;
    }
    if (looseIds.has(scenario.id)) continue;
    const found: Array<{ key: string; verdict: string; message: string }> = [];
    if (scenario.status === 'skip') found.push({ key: `${scenario.id}:${WHOLE_SCENARIO}`, verdict: 'skip', message: scenario.skipReason ?? '' });
    for (const check of scenario.checks) if (check.status !== 'pass') found.push({ key: `${scenario.id}:${check.id}`, verdict: check.status, message: check.message });
    for (const { key, verdict, message } of found) {
      seen.add(key);
      const expected = pinned.get(key);
      if (expected === undefined) lines.push(`new ${verdict}: ${key} (${message})`);
      else if (expected !== verdict) lines.push(`was ${expected}, now ${verdict}: ${key} (${message})`);
    }
  }
  for (const id of looseIds) if (!report.scenarios.some((s) => s.id === id)) lines.push(`${id} did not run`);
  for (const [key, verdict] of pinned) if (!seen.has(key)) lines.push(`pinned ${verdict}, now passes or is gone: ${key}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The README section.

type Cell = 'pass' | 'warn' | 'fail' | 'skip' | 'varies';

const SYMBOL: Record<Cell, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–', varies: '~' };

/** What a scenario comes to for a client, from its pins alone. */
export function scenarioCell(pins: ClientPins, scenarioId: string): Cell {
  const unsettled = pins.unsettled?.[scenarioId];
  if (unsettled) {
    const always = Object.values(unsettled.always ?? {});
    return always.some((v) => v === 'fail' || v === 'not-reached') ? 'fail' : 'varies';
  }
  const counterexample = pins.counterexamples?.[scenarioId];
  if (counterexample) return counterexample.severity === 'fail or warn' ? 'varies' : counterexample.severity;
  const verdicts = [...pinnedVerdicts(pins)].filter(([key]) => key.startsWith(`${scenarioId}:`)).map(([key, verdict]) => ({ check: key.slice(scenarioId.length + 1), verdict }));
  if (verdicts.some((v) => v.verdict === 'fail' || v.verdict === 'not-reached')) return 'fail';
  if (verdicts.some((v) => v.check === WHOLE_SCENARIO)) return 'skip';
  if (verdicts.some((v) => v.verdict === 'warn')) return 'warn';
  return 'pass';
}

/** Scenario rows, one column per client. */
export function compatibilityTable(clients: ClientPins[]): string {
  const header = `| Scenario | ${clients.map((c) => c.name).join(' | ')} |`;
  const rule = `|---|${clients.map(() => ':-:').join('|')}|`;
  const rows = clientScenarios.map((s) => `| \`${s.id}\` | ${clients.map((c) => SYMBOL[scenarioCell(c, s.id)]).join(' | ')} |`);
  const totals = `| passing (✓ or !) | ${clients.map((c) => clientScenarios.filter((s) => ['pass', 'warn'].includes(scenarioCell(c, s.id))).length).join(' | ')} |`;
  return [header, rule, ...rows, totals].join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A requirement as the catalogue words it, for the reader who wants the text a verdict rests on. */
function quoted(id: string, catalogue: ReadonlyMap<string, Requirement>): string {
  const requirement = catalogue.get(id);
  return requirement ? `**${id}** (${requirement.keyword ?? 'no keyword'}) ${requirement.text}` : `**${id}**`;
}

/** The checks a finding fails or warns on, by check, with the scenarios, and the requirements they rest on. */
function findingRow(finding: Finding, catalogue: ReadonlyMap<string, Requirement>): string | undefined {
  const byCheck = new Map<string, { verdict: PinnedVerdict; scenarios: string[] }>();
  for (const [key, verdict] of Object.entries(finding.verdicts)) {
    if (verdict !== 'fail' && verdict !== 'warn') continue;
    const [scenario, check] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
    const entry = byCheck.get(`${check} ${verdict}`) ?? { verdict, scenarios: [] };
    entry.scenarios.push(scenario.replace(/^auth\//, ''));
    byCheck.set(`${check} ${verdict}`, entry);
  }
  if (byCheck.size === 0) return undefined;
  const definitions = new Map(clientScenarios.flatMap((s) => s.checks).map((c) => [c.id, c]));
  const verdicts = [...byCheck].map(([key, { verdict, scenarios }]) => `${verdict} \`${key.split(' ')[0]}\` (${scenarios.join(', ')})`);
  const requirements = [...new Set([...byCheck.keys()].flatMap((key) => definitions.get(key.split(' ')[0])?.requirements ?? []))];
  const texts = requirements.length > 0 ? requirements.map((id) => quoted(id, catalogue)).join('<br>') : 'the client contract: exit 0 within the timeout';
  return `| ${cell(finding.why)} | ${cell(verdicts.join('; '))} | ${cell(texts)} |`;
}

/** Unsettled scenarios explained by one and the same finding, as one row. */
function unsettledGroups(client: ClientPins): Array<{ why: string; always?: Record<string, PinnedVerdict>; ids: string[] }> {
  const groups = new Map<NonNullable<ClientPins['unsettled']>[string], string[]>();
  for (const [id, pin] of Object.entries(client.unsettled ?? {})) groups.set(pin, [...(groups.get(pin) ?? []), id]);
  return [...groups].map(([pin, ids]) => ({ ...pin, ids }));
}

/** Per client: what fails or warns, why, and the text of the requirements each verdict rests on. */
export function findingsSection(clients: ClientPins[]): string {
  const catalogue = requirementCatalogue();
  const definitions = new Map(clientScenarios.flatMap((s) => s.checks).map((c) => [c.id, c]));
  const parts: string[] = [];
  for (const client of clients) {
    parts.push(`#### ${client.name}`, '', client.about, '');
    const rows = client.findings.flatMap((f) => findingRow(f, catalogue) ?? []);
    const loose = [
      ...Object.entries(client.counterexamples ?? {}).map(([id, pin]) => `| ${cell(pin.why)} | ${pin.severity} \`${id}\` (a counterexample, shrunk) | see the race checks (RT-C-*) |`),
      ...unsettledGroups(client).map(({ why, always, ids }) => {
        const pinned = Object.entries(always ?? {}).map(([check, verdict]) => `${verdict} \`${check}\``);
        const requirements = Object.keys(always ?? {}).flatMap((check) => definitions.get(check)?.requirements ?? []);
        const scenarios = ids.map((id) => id.replace(/^auth\//, '')).join(', ');
        return `| ${cell(why)} | ${pinned.length > 0 ? `${pinned.join('; ')} (${scenarios}; the rest varies)` : `varies (${scenarios})`} | ${cell(requirements.map((r) => quoted(r, catalogue)).join('<br>') || '-')} |`;
      }),
    ];
    if (rows.length + loose.length === 0) parts.push('Nothing fails and nothing warns.', '');
    else parts.push('| What it does | Verdicts (scenarios) | The text they rest on |', '|---|---|---|', ...rows, ...loose, '');
  }
  return parts.join('\n').trimEnd();
}

/** The generated part of the README, between its markers. */
export function compatibilitySection(clients: ClientPins[]): string {
  return `${compatibilityTable(clients)}\n\n${findingsSection(clients)}`;
}

export const README_MARKERS = { start: '<!-- compatibility: generated from test/integration/clients/ -->', end: '<!-- end of compatibility -->' };

/** One check's verdict in each of the scenarios named: the shape most findings take. */
export function inEach(check: string, verdict: PinnedVerdict, scenarios: string[]): Record<string, PinnedVerdict> {
  return Object.fromEntries(scenarios.map((scenario) => [`${scenario}:${check}`, verdict]));
}

/**
 * What any correct client that keeps nothing between starts gets, as the verdict rules intend: in the
 * multi-start scenarios it authorizes again while its refresh token lives (RT-C-08 warns) and
 * registers again (DC-C-08 warns), and the checks of a refresh or a warm start do not apply.
 */
export const COLD_AT_EVERY_START: Record<string, PinnedVerdict> = {
  ...inEach('refresh-instead-of-reauthorization', 'warn', [
    'auth/scope-never-narrows',
    'auth/refresh-across-runs',
    'auth/refresh-concurrent-requests',
    'auth/discovery-warm-reconnect',
    'auth/discovery-max-age',
  ]),
  'auth/scope-never-narrows:scope-never-narrows': 'skip',
  'auth/refresh-across-runs:refresh-token-rotated-used': 'skip',
  'auth/refresh-across-runs:refresh-token-kept-when-not-rotated': 'skip',
  'auth/refresh-across-runs:refresh-survives-transient-errors': 'skip',
  'auth/refresh-concurrent-requests:refresh-single-flight-in-process': 'skip',
  'auth/discovery-warm-reconnect:discovery-cached-warm': 'skip',
  'auth/discovery-max-age:discovery-max-age-honoured': 'skip',
  'auth/discovery-warm-reconnect:registration-once': 'warn',
  'auth/registration-reused:registration-once': 'warn',
};
