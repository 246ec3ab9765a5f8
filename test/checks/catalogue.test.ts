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

  it('names in `requires` only preconditions that a check of the scenario declares', () => {
    for (const s of clientScenarios) {
      const declared = new Set(s.checks.flatMap((c) => (c.preconditions ?? []).map((p) => p.id)));
      for (const id of s.requires ?? []) expect(declared.has(id), `${s.id} requires ${id}`).toBe(true);
    }
  });

  it('judges, beside every check whose optional precondition has a carrier, that carrier, unless the scenario requires the behaviour or is about that check', () => {
    // Otherwise a client without the behaviour gets "not applicable" and no verdict on it in that
    // scenario. A scenario about the check alone is skipped as not exercised instead; the exceptions
    // below are scenarios where that is the right outcome and say why.
    const withoutCarrier: Record<string, string> = {
      'auth/discovery-outage:kept-credentials':
        'a client that keeps nothing has no last known authorization server, and giving up in an outage is all it can do; keeping credentials is judged where a refresh token lives (refresh-instead-of-reauthorization)',
    };
    for (const s of clientScenarios) {
      const ids = new Set(s.checks.map((c) => c.id));
      for (const c of s.checks)
        for (const p of c.preconditions ?? []) {
          if (!p.optional || !p.judgedBy || s.requires?.includes(p.id) || s.about?.includes(c.id) || withoutCarrier[`${s.id}:${p.id}`]) continue;
          expect(p.judgedBy.some((id) => ids.has(id)), `${s.id}: ${c.id} needs ${p.id}, carried by ${p.judgedBy.join(' or ')}`).toBe(true);
        }
    }
  });

  it('names only checks that exist as carriers, and only its own checks in `about` and `exitExplainedBy`', () => {
    const known = new Set(allChecks.map((c) => c.id));
    for (const p of allChecks.flatMap((c) => c.preconditions ?? [])) for (const id of p.judgedBy ?? []) expect(known.has(id), `${p.id} judgedBy ${id}`).toBe(true);
    for (const s of clientScenarios) {
      const ids = new Set(s.checks.map((c) => c.id));
      for (const id of [...(s.about ?? []), ...(s.exitExplainedBy ?? [])]) expect(ids.has(id), `${s.id} names ${id}`).toBe(true);
    }
  });

  it('pairs each mutant case with a scenario that runs that check', () => {
    for (const m of allMutantCases) {
      const s = clientScenarios.find((x) => x.id === m.scenario);
      expect(s, m.scenario).toBeDefined();
      expect(s!.checks.some((c) => c.id === m.check), `${m.scenario} runs ${m.check}`).toBe(true);
    }
  });
});
