// The proof that every check of the server suite works both ways: the reference server passes every
// check it can be judged by (both token formats, every revision), and for every row of the matrix the
// reference with exactly that defect fails exactly that check, for the reason the row states, with
// evidence, and fails or warns on nothing beyond the consequences the row lists.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../core/report.js';
import { SELECTABLE_SPEC_VERSIONS, LATEST_SPEC_VERSION } from '../../core/spec.js';
import { SERVER_CHECK } from '../../core/targets/server/run.js';
import { serverScenarios } from '../../suites/server/index.js';
import { REFERENCE_SERVER_DEFECTS } from '../mutants/server-defects.js';
import { ensureCompiled, REFERENCE_SERVER, SERVER_MUTANT } from '../support/compiled.js';
import { RunQueue, type ServerRun } from './server-harness.js';
import { SERVER_MUTANT_MATRIX, type ServerMutantCase } from './server-mutant-matrix.js';

/** Server runs at once: each is one server process and a few hundred loopback requests. */
const queue = new RunQueue(2);
const TEST_TIMEOUT_MS = 300_000;

const REFERENCE_RUNS: ServerRun[] = [
  ...SELECTABLE_SPEC_VERSIONS.map((specVersion) => ({ build: REFERENCE_SERVER, specVersion })),
  { build: REFERENCE_SERVER, specVersion: LATEST_SPEC_VERSION, tokenFormat: 'opaque' },
];

function runOf(row: ServerMutantCase): ServerRun {
  return { build: SERVER_MUTANT, defects: [...row.defects], specVersion: row.specVersion ?? LATEST_SPEC_VERSION, ...(row.tokenFormat ? { tokenFormat: row.tokenFormat } : {}) };
}

const failing = (c: CheckResult): boolean => c.status === 'fail' || c.status === 'warn';

beforeAll(() => {
  ensureCompiled(REFERENCE_SERVER, SERVER_MUTANT);
  // Queued now, in the order the tests read them, so the machine is busy while earlier tests report.
  for (const run of REFERENCE_RUNS) void queue.get(run);
  for (const row of SERVER_MUTANT_MATRIX) void queue.get(runOf(row));
}, 120_000);

describe('the reference server', () => {
  it.each(REFERENCE_RUNS.map((run) => [`${run.tokenFormat ?? 'jwt'} tokens at ${run.specVersion}`, run] as const))('passes every check with %s', async (_name, run) => {
    const { report } = await queue.get(run);
    const bad = report.scenarios.flatMap((s) => s.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => `${s.id} ${c.id} ${c.status}: ${c.message}`));
    expect(bad).toEqual([]);
    expect(report.summary.exitCode).toBe(0);
    expect(report.scenarios.filter((s) => s.status === 'skip' && !s.skipReason?.startsWith('not applicable at spec version')).map((s) => `${s.id}: ${s.skipReason}`)).toEqual(
      run.tokenFormat === 'opaque' ? [expect.stringMatching(/^server\/key-rotation: not exercised/)] : [],
    );
  }, TEST_TIMEOUT_MS);

  it('passes each check of the suite somewhere: no check is only ever skipped', async () => {
    const passed = new Set<string>();
    for (const run of REFERENCE_RUNS) for (const s of (await queue.get(run)).report.scenarios) for (const c of s.checks) if (c.status === 'pass') passed.add(c.id);
    const all = new Set([SERVER_CHECK, ...serverScenarios.flatMap((s) => s.checks.map((c) => c.id))]);
    expect([...all].filter((id) => !passed.has(id))).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe('the mutant matrix', () => {
  it('has a row failing every check of the suite, and names only defects the mutant has', () => {
    const all = new Set([SERVER_CHECK, ...serverScenarios.flatMap((s) => s.checks.map((c) => c.id))]);
    const proven = new Set(SERVER_MUTANT_MATRIX.map((row) => row.check));
    expect([...all].filter((id) => !proven.has(id))).toEqual([]);
    for (const row of SERVER_MUTANT_MATRIX) for (const defect of row.defects) expect(Object.keys(REFERENCE_SERVER_DEFECTS)).toContain(defect);
    // Every defect the mutant knows is proven to be caught.
    const used = new Set<string>(SERVER_MUTANT_MATRIX.flatMap((row) => row.defects));
    expect(Object.keys(REFERENCE_SERVER_DEFECTS).filter((d) => !used.has(d))).toEqual([]);
  });

  it.each(SERVER_MUTANT_MATRIX.map((row) => [`${row.defects.join('+')}${row.tokenFormat ? ` (${row.tokenFormat})` : ''}${row.specVersion ? ` at ${row.specVersion}` : ''} fails ${row.check}`, row] as const))(
    '%s',
    async (_name, row) => {
      const { report } = await queue.get(runOf(row));
      const checks = report.scenarios.flatMap((s) => s.checks.map((c) => ({ scenario: s.id, ...c })));
      const target = checks.filter((c) => c.id === row.check && failing(c));
      expect(target.length, `${row.check} does not fail; checks: ${checks.filter(failing).map((c) => `${c.scenario} ${c.id}`).join(', ') || 'none failing'}`).toBeGreaterThan(0);
      const level = target[0].level;
      for (const c of target) {
        expect(c.status).toBe(level === 'MUST' ? 'fail' : 'warn');
        expect(c.message).toMatch(row.reason);
        if (c.id !== SERVER_CHECK) expect(c.evidence.length, `${c.id} names no exchange`).toBeGreaterThan(0);
      }
      const allowed = new Set([row.check, ...(row.alsoFails ?? []), ...(row.mayAlsoFail ?? [])]);
      const beyond = checks.filter((c) => failing(c) && !allowed.has(c.id)).map((c) => `${c.scenario} ${c.id} ${c.status}: ${c.message}`);
      expect(beyond).toEqual([]);
      for (const also of row.alsoFails ?? []) expect(checks.some((c) => c.id === also && failing(c)), `${also} is listed as a consequence but does not fail`).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});
