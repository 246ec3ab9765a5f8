// What the `list` command prints: the scenarios with their checks, or, asked about requirement ids,
// what the catalogue says of each and which checks and scenarios test it. Text for people, JSON for
// tools; the bin passes the scenarios and the catalogue in, so nothing here reads the suites.
import { plural } from '../reporters/text.js';
import type { CheckDef } from './check.js';
import { toolInfo } from './engine.js';
import type { Requirement, RequirementCatalogue } from './requirement.js';
import type { ScenarioBase } from './scenario.js';
import { inSuite, selectRequirements, suiteNames, UsageError } from './select.js';
import type { SelectableSpecVersion, SpecVersion } from './spec.js';

export interface ListOptions {
  suite: string;
  /** Only scenarios and checks that apply at this revision; every one when absent. */
  specVersion?: SelectableSpecVersion;
  json: boolean;
  /** --requirement: these catalogue entries and what tests them, instead of the scenarios. */
  requirements?: readonly string[];
  /** The checks the role's engine adds to every scenario (the client process check), listed first. */
  engineChecks?: (scenario: ScenarioBase) => CheckDef[];
}

type ListedCheck = Pick<CheckDef, 'id' | 'title' | 'level' | 'requirements' | 'specVersions' | 'specLinks'> & {
  /** The same ids with what the catalogue says, so a tool need not parse the catalogue itself. */
  requirementDetails: Array<{ id: string; keyword: string | null; text: string | null; source: string | null }>;
};

type ListedScenario = Pick<ScenarioBase, 'id' | 'title' | 'description' | 'suites' | 'specVersions' | 'protocolVersion'> & {
  clientRefuses?: boolean;
  checks: ListedCheck[];
};

/** A check that tests a requirement, with the listed scenarios that run it. */
type Tester = Pick<CheckDef, 'id' | 'title' | 'level' | 'specVersions'> & { scenarios: string[] };

// The catalogue's `since` notation (its section 0.3), spelled out for people reading a terminal.
const SINCE_CODES: Record<string, SpecVersion> = { '03': '2025-03-26', '06': '2025-06-18', '11': '2025-11-25', '26': '2026-07-28' };

/**
 * The `list` command's output: every scenario with its checks, requirement ids and spec versions,
 * or with `requirements`, those catalogue entries and what tests them among the same scenarios.
 */
export function listScenarios(all: readonly ScenarioBase[], catalogue: RequirementCatalogue, options: ListOptions): string {
  const suites = suiteNames(all);
  if (!suites.includes(options.suite)) throw new UsageError(`unknown suite "${options.suite}"; valid suites: ${suites.join(', ')}`);
  const wanted = selectRequirements(catalogue, options.requirements ?? []);
  const listed = listedScenarios(all, catalogue, options);
  const document = { tool: toolInfo(), role: 'client', suite: options.suite, specVersion: options.specVersion ?? null };
  if (wanted.length > 0) {
    const entries = wanted.map((requirement) => ({ requirement, testers: testersOf(requirement.id, listed) }));
    if (options.json) return json({ ...document, requirements: entries.map(({ requirement, testers }) => ({ ...requirementJson(requirement), checks: testers })) });
    const narrowed = options.suite !== 'all' || options.specVersion !== undefined;
    return `${entries.map(({ requirement, testers }) => requirementText(requirement, testers, listed.length, narrowed).join('\n')).join('\n\n')}\n`;
  }
  if (options.json) return json({ ...document, scenarios: listed });
  return scenarioText(listed);
}

function listedScenarios(all: readonly ScenarioBase[], catalogue: RequirementCatalogue, options: ListOptions): ListedScenario[] {
  const version = options.specVersion as SpecVersion | undefined;
  const applies = (versions: readonly SpecVersion[]): boolean => version === undefined || versions.includes(version);
  return all
    .filter((scenario) => inSuite(scenario, options.suite) && applies(scenario.specVersions))
    .map((scenario) => ({
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      suites: scenario.suites,
      specVersions: scenario.specVersions,
      ...(scenario.protocolVersion ? { protocolVersion: scenario.protocolVersion } : {}),
      ...('clientRefuses' in scenario || 'world' in scenario ? { clientRefuses: (scenario as { clientRefuses?: boolean }).clientRefuses === true } : {}),
      // As the engine judges them: only requirements that hold at the revision the world speaks too.
      checks: [...(options.engineChecks?.(scenario) ?? []), ...scenario.checks]
        .filter((check) => applies(check.specVersions) && (scenario.protocolVersion === undefined || check.specVersions.includes(scenario.protocolVersion)))
        .map((check) => ({
          id: check.id,
          title: check.title,
          level: check.level,
          requirements: check.requirements,
          requirementDetails: check.requirements.map((id) => {
            const requirement = catalogue.get(id);
            return { id, keyword: requirement?.keyword ?? null, text: requirement?.text ?? null, source: requirement?.source ?? null };
          }),
          specVersions: check.specVersions,
          specLinks: check.specLinks,
        })),
    }));
}

function testersOf(id: string, listed: readonly ListedScenario[]): Tester[] {
  const byCheck = new Map<string, Tester>();
  for (const scenario of listed) {
    for (const check of scenario.checks.filter((c) => c.requirements.includes(id))) {
      const tester = byCheck.get(check.id) ?? { id: check.id, title: check.title, level: check.level, specVersions: check.specVersions, scenarios: [] };
      tester.scenarios.push(scenario.id);
      byCheck.set(check.id, tester);
    }
  }
  return [...byCheck.values()];
}

/** Every field present, absent ones as null, so the shape does not depend on the table a requirement comes from. */
function requirementJson(requirement: Requirement): Record<string, unknown> {
  return {
    id: requirement.id,
    keyword: requirement.keyword ?? null,
    text: requirement.text,
    source: requirement.source ?? null,
    reference: requirement.reference ?? null,
    since: requirement.since ?? null,
    role: requirement.role ?? null,
    section: requirement.section,
    more: requirement.more,
  };
}

function requirementText(requirement: Requirement, testers: readonly Tester[], scenarioCount: number, narrowed: boolean): string[] {
  const lines = [`${requirement.id}  ${requirement.keyword ?? '(no BCP 14 keyword)'}`, `  ${requirement.text}`];
  const facts: Array<[string, string | undefined]> = [
    ['source', requirement.source],
    ['reference', requirement.reference],
    ['since', requirement.since?.replace(/\b(03|06|11|26)\b/g, (code) => SINCE_CODES[code])],
    ['role', requirement.role],
    ...Object.entries(requirement.more).map(([header, value]): [string, string] => [header.toLowerCase(), value]),
    ['section', requirement.section.join(' › ')],
  ];
  for (const [label, value] of facts) if (value !== undefined) lines.push(`  ${label}: ${value}`);
  if (testers.length === 0) {
    lines.push(`  tested by: no check${narrowed ? ' in the selected scenarios' : ''}`);
    return lines;
  }
  lines.push('  tested by:');
  for (const tester of testers) {
    const where = tester.scenarios.length === scenarioCount ? `every scenario listed (${scenarioCount})` : `${plural(tester.scenarios.length, 'scenario')}: ${tester.scenarios.join(', ')}`;
    lines.push(`    ${tester.level.padEnd(6)} ${tester.id}  ${tester.title}  (${tester.specVersions.join(', ')})`, `           in ${where}`);
  }
  return lines;
}

function scenarioText(listed: readonly ListedScenario[]): string {
  const lines: string[] = [];
  for (const scenario of listed) {
    const extras = [`suites: ${['all', ...scenario.suites].join(', ')}`, `spec: ${scenario.specVersions.join(', ')}`];
    if (scenario.protocolVersion) extras.push(`protocol: ${scenario.protocolVersion}`);
    if (scenario.clientRefuses) extras.push('a correct client refuses');
    lines.push(`${scenario.id}  ${scenario.title}`, `  ${extras.join('; ')}`);
    for (const check of scenario.checks) {
      const requirements = check.requirements.length > 0 ? check.requirements.join(' ') : '-';
      lines.push(`  ${check.level.padEnd(6)} ${check.id}  [${requirements}]  (${check.specVersions.join(', ')})`);
    }
    lines.push('');
  }
  const checks = listed.reduce((sum, scenario) => sum + scenario.checks.length, 0);
  lines.push(`${listed.length} scenarios, ${checks} checks`);
  return `${lines.join('\n')}\n`;
}

function json(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
