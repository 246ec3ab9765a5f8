// Turns --suite and --scenario into the list of scenarios to run, and --requirement into catalogue
// entries. Mistakes are usage errors that say what would have been valid, because a typo in a CI
// file must not silently run nothing.
import type { Requirement, RequirementCatalogue } from './requirement.js';
import type { ScenarioBase } from './scenario.js';

/** A mistake in the command line or a configuration file: reported in one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Selection {
  /** Scenario ids, in the order given; repeats are ignored. */
  scenarios?: readonly string[];
  /** `all` when absent. */
  suite?: string;
}

/** Every suite name a user may give: the fixed list plus any a scenario names. */
export function suiteNames(all: readonly ScenarioBase[]): string[] {
  const names = new Set<string>(['all']);
  for (const scenario of all) for (const suite of scenario.suites) names.add(suite);
  return [...names];
}

export function inSuite(scenario: ScenarioBase, suite: string): boolean {
  return suite === 'all' || scenario.suites.includes(suite);
}

export function selectScenarios<S extends ScenarioBase>(all: readonly S[], selection: Selection): S[] {
  const suite = selection.suite ?? 'all';
  const suites = suiteNames(all);
  if (!suites.includes(suite)) {
    throw new UsageError(`unknown suite "${suite}"${nearHint(suite, suites)}; valid suites: ${suites.join(', ')}`);
  }
  const members = all.filter((scenario) => inSuite(scenario, suite));
  const wanted = [...new Set(selection.scenarios ?? [])];
  if (wanted.length === 0) {
    if (members.length === 0) throw new UsageError(`suite "${suite}" has no scenarios`);
    return members;
  }
  const byId = new Map(all.map((scenario) => [scenario.id, scenario]));
  return wanted.map((id) => {
    const scenario = byId.get(id);
    if (!scenario) {
      const ids = [...byId.keys()];
      const hint = nearHint(id, ids);
      throw new UsageError(`unknown scenario "${id}"${hint || '; run "mcp-auth-conformance list" to see every scenario'}`);
    }
    if (!inSuite(scenario, suite)) throw new UsageError(`scenario "${id}" is not in suite "${suite}"`);
    return scenario;
  });
}

/** The entries of the given ids, in the order given, repeats dropped; ids are upper case, so any case is accepted. */
export function selectRequirements(catalogue: RequirementCatalogue, ids: readonly string[]): Requirement[] {
  const chosen = new Map<string, Requirement>();
  for (const given of ids) {
    const requirement = catalogue.get(given.trim().toUpperCase());
    if (!requirement) {
      const hint = nearHint(given.trim(), [...catalogue.keys()]);
      throw new UsageError(`unknown requirement "${given}"${hint || '; requirement ids look like C-PKCE-03 and are listed in suites/requirements.md'}`);
    }
    chosen.set(requirement.id, requirement);
  }
  return [...chosen.values()];
}

function nearHint(given: string, candidates: readonly string[]): string {
  const near = nearMatches(given, candidates);
  return near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
}

/**
 * Candidates within a small edit distance of `given`, or containing it, closest first. Scenario ids
 * share long prefixes (auth/...), so the distance is measured on the whole id and on the last segment.
 */
export function nearMatches(given: string, candidates: readonly string[], limit = 5): string[] {
  const needle = given.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase();
    const tail = hay.slice(hay.lastIndexOf('/') + 1);
    const needleTail = needle.slice(needle.lastIndexOf('/') + 1);
    const distance = Math.min(editDistance(needle, hay), editDistance(needleTail, tail));
    const allowed = Math.max(2, Math.floor(needleTail.length / 5));
    if (distance <= allowed) scored.push([candidate, distance]);
    else if (needle.length >= 4 && hay.includes(needle)) scored.push([candidate, allowed + 1]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([candidate]) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
