// The suite's own integrity: ids are unique, requirement ids exist in the catalogue, and every
// check that a scenario uses has a mutant that must fail it.
import { describe, expect, it } from 'vitest';
import { clientScenarios } from '../../suites/client/index.js';
import { requirementCatalogue } from '../../suites/requirements.js';
import { MUTANT_MATRIX, REFERENCE_MUTANT_MATRIX } from '../suites/mutant-matrix.js';

const catalogue = requirementCatalogue();
const allChecks = clientScenarios.flatMap((s) => s.checks);
/** Both mutants prove checks: the mutant client, and the reference client with one part swapped (checks that need a store). */
const allMutantCases = [...MUTANT_MATRIX, ...REFERENCE_MUTANT_MATRIX];

describe('client suite catalogue', () => {
  it('has unique scenario ids and unique check ids within each scenario', () => {
    expect(new Set(clientScenarios.map((s) => s.id)).size).toBe(clientScenarios.length);
    for (const s of clientScenarios) expect(new Set(s.checks.map((c) => c.id)).size, s.id).toBe(s.checks.length);
  });

  it('gives one meaning to each check id across scenarios', () => {
    const byId = new Map(allChecks.map((c) => [c.id, c]));
    for (const c of allChecks) expect(byId.get(c.id), c.id).toBe(c);
  });

  it('cites only requirement ids that the catalogue defines', () => {
    for (const c of allChecks) for (const r of c.requirements) expect(catalogue.has(r), `${c.id} cites ${r}`).toBe(true);
  });

  it('has a one-defect mutant for every check a scenario uses', () => {
    const proven = new Set(allMutantCases.map((m) => m.check));
    const unproven = [...new Set(allChecks.map((c) => c.id))].filter((id) => !proven.has(id));
    expect(unproven).toEqual([]);
  });

  it('pairs each mutant case with a scenario that runs that check', () => {
    for (const m of allMutantCases) {
      const s = clientScenarios.find((x) => x.id === m.scenario);
      expect(s, m.scenario).toBeDefined();
      expect(s!.checks.some((c) => c.id === m.check), `${m.scenario} runs ${m.check}`).toBe(true);
    }
  });
});
