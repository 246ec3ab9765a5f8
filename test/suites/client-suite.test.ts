// The proof that every check of the client suite works both ways (DESIGN: "What makes a check
// trustworthy"): the correct clients pass every check, and for every row of the mutant matrix the
// mutant with exactly that defect fails exactly that check, for that reason, with evidence, and breaks
// nothing beyond the consequences the row states.
//
// Every client run goes through the engine (runClientScenarios), as real processes against real worlds:
// one run per spec version for the reference client, one for the defect-free mutant (which keeps
// nothing between starts: warnings allowed, no failure), and one per defect
// over the scenarios its rows name. Checks that need a client with a store (several starts, racing
// copies) are proven with the reference mutant: the reference client with one part made defective. Runs go two at a time, a few ahead of the test that waits for them,
// so the machine stays busy while earlier tests report.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSafely } from '../../core/check.js';
import { shellQuote } from '../../core/targets/client/process.js';
import { PROCESS_CHECK, runClientScenarios, type PropertyOptions } from '../../core/engine.js';
import type { CheckResult, Report, ScenarioResult } from '../../core/report.js';
import { checksAt, type ClientScenario } from '../../core/scenario.js';
import { LATEST_SPEC_VERSION, SELECTABLE_SPEC_VERSIONS, type SpecVersion } from '../../core/spec.js';
import type { Trace } from '../../core/trace.js';
import { clientScenarios } from '../../suites/client/index.js';
import { OVERLAPPED_REQUESTS } from '../../suites/client/preconditions.js';
import { CLIENT_DEFECTS } from '../mutants/client-defects.js';
import { REFERENCE_DEFECTS } from '../mutants/reference-defects.js';
import { ensureCompiled, MUTANT_CLIENT, REFERENCE_CLIENT, REFERENCE_MUTANT, ROOT, type Build } from '../support/compiled.js';
import { MUTANT_MATRIX, REFERENCE_MUTANT_MATRIX, type MutantCase, type ReferenceMutantCase } from './mutant-matrix.js';

/** The default version first: every other test relies on it. */
const NEWEST_FIRST = [...SELECTABLE_SPEC_VERSIONS].reverse();
/** runClientScenarios calls at once; each runs up to JOBS scenarios at once (most defect runs have one). */
const LANES = 2;
const JOBS = 2;
/**
 * The reference client gives up after REFERENCE_DEADLINE_MS itself, the mutant client after 20 s; this only
 * catches a hung process. Its default 20 s is too short when two test runs share two cores: eight racing
 * copies queue for one lock file and each revalidates discovery while holding it.
 */
const REFERENCE_DEADLINE_MS = 60_000;
const CLIENT_TIMEOUT_MS = REFERENCE_DEADLINE_MS + 10_000;
/** A test may wait for runs queued before its own, on a machine that is busy with other test files. */
const TEST_TIMEOUT_MS = 600_000;

/** sh -c runs the command: absolute paths, quoted, so neither the working directory nor spaces matter. */
const nodeCommand = (build: Build, env = ''): string => `${env}${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, build.compiled))}`;
// The defect list is set explicitly, so a MUTANT_DEFECTS left in the developer's shell cannot leak in.
const mutantCommand = (defect = ''): string => nodeCommand(MUTANT_CLIENT, `MUTANT_DEFECTS=${defect} `);
const referenceEnv = `REFERENCE_CLIENT_DEADLINE_MS=${REFERENCE_DEADLINE_MS} `;
const referenceMutantCommand = (defect: string): string => nodeCommand(REFERENCE_MUTANT, `${referenceEnv}REFERENCE_DEFECTS=${defect} `);

interface RunResult {
  report: Report;
  /** The trace of every scenario that ran, by id: verdicts are judged again from it to see their outcome. */
  traces: Map<string, Trace>;
}

type Settled = { ok: true; value: RunResult } | { ok: false; error: unknown };

/** One runClientScenarios call the tests need, in the order the tests below ask for them. */
interface PlannedRun {
  key: string;
  command: string;
  scenarios: ClientScenario[];
  specVersion: SpecVersion;
  strict: boolean;
  /** How the property scenarios among them are searched. */
  property?: PropertyOptions;
  requested: boolean;
  launched: boolean;
  /** Never rejects, so a run that no test awaits yet cannot end as an unhandled rejection. */
  settled: Promise<Settled>;
  settle: (outcome: Settled) => void;
}

const referenceKey = (version: SpecVersion) => `reference@${version}`;
const CLEAN_MUTANT_KEY = 'mutant@clean';
const defectKey = (defect: string) => `mutant@${defect}`;
const referenceDefectKey = (defect: string) => `reference-mutant@${defect}`;

/**
 * How a defect of the race is searched for: the property's hardest known case first, then a few
 * drawn ones with a fixed seed, stopping at the first failing case without shrinking it. On a
 * loaded machine one timing can let a lock defect slip through; the search does not depend on one.
 * The matrix proves what the checks say about a case, not the shrinking (test/engine/property.test.ts
 * proves that), which would spend minutes on every defect.
 */
const RACE_SEARCH: PropertyOptions = { runs: 4, seed: 20261202, shrink: false };

function planned(key: string, command: string, scenarioIds: readonly string[], specVersion: SpecVersion, strict: boolean, property?: PropertyOptions): PlannedRun {
  let settle!: (outcome: Settled) => void;
  const settled = new Promise<Settled>((resolve) => (settle = resolve));
  const scenarios = clientScenarios.filter((s) => scenarioIds.includes(s.id));
  return { key, command, scenarios, specVersion, strict, ...(property ? { property } : {}), requested: false, launched: false, settled, settle };
}

/** Each defect runs once, over every scenario its rows name: rows that share a defect share its run. */
function scenariosByDefect(rows: ReadonlyArray<{ defect: string; scenario: string }>): Map<string, string[]> {
  const byDefect = new Map<string, string[]>();
  for (const row of rows) {
    const scenarios = byDefect.get(row.defect) ?? [];
    if (!scenarios.includes(row.scenario)) scenarios.push(row.scenario);
    byDefect.set(row.defect, scenarios);
  }
  return byDefect;
}

const ALL_SCENARIOS = clientScenarios.map((s) => s.id);
const PLAN: PlannedRun[] = [
  ...NEWEST_FIRST.map((version) => planned(referenceKey(version), nodeCommand(REFERENCE_CLIENT, referenceEnv), ALL_SCENARIOS, version, true)),
  // Not strict: the mutant keeps nothing between starts, so the SHOULDs of caching and refreshing warn.
  planned(CLEAN_MUTANT_KEY, mutantCommand(), ALL_SCENARIOS, LATEST_SPEC_VERSION, false),
  ...[...scenariosByDefect(MUTANT_MATRIX)].map(([defect, scenarios]) => planned(defectKey(defect), mutantCommand(defect), scenarios, LATEST_SPEC_VERSION, false)),
  ...[...scenariosByDefect(REFERENCE_MUTANT_MATRIX)].map(([defect, scenarios]) =>
    planned(referenceDefectKey(defect), referenceMutantCommand(defect), scenarios, LATEST_SPEC_VERSION, false, RACE_SEARCH),
  ),
];

// Runs start when a test asks for them, plus the next few in plan order so that both lanes stay busy
// while tests report one after another. Bounded, so that running a single test (-t) starts little else.
const LOOKAHEAD = 3;
const stop = new AbortController();
let horizon = -1;
let active = 0;

async function execute(run: PlannedRun): Promise<Settled> {
  try {
    const traces = new Map<string, Trace>();
    const report = await runClientScenarios({
      command: run.command,
      scenarios: run.scenarios,
      specVersion: run.specVersion,
      jobs: JOBS,
      timeoutMs: CLIENT_TIMEOUT_MS,
      strict: run.strict,
      ...(run.property ? { property: run.property } : {}),
      signal: stop.signal,
      onTrace: (id, trace) => traces.set(id, trace),
    });
    return { ok: true, value: { report, traces } };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Fills free lanes: first with runs a test is waiting for, then with the next runs of the plan. */
function pump(): void {
  const candidates = [...PLAN.filter((run) => run.requested), ...PLAN.slice(horizon + 1, horizon + 1 + LOOKAHEAD)];
  for (const run of candidates) {
    if (active >= LANES || stop.signal.aborted) return;
    if (run.launched) continue;
    run.launched = true;
    active++;
    void execute(run).then((outcome) => {
      active--;
      run.settle(outcome);
      pump();
    });
  }
}

async function resultOf(key: string): Promise<RunResult> {
  const index = PLAN.findIndex((run) => run.key === key);
  if (index < 0) throw new Error(`no run ${key} is planned`);
  const run = PLAN[index];
  run.requested = true;
  horizon = Math.max(horizon, index);
  pump();
  const settled = await run.settled;
  if (!settled.ok) throw settled.error;
  if (settled.value.report.interrupted) throw new Error(`run ${key} was interrupted`);
  return settled.value;
}

beforeAll(() => ensureCompiled(REFERENCE_CLIENT, MUTANT_CLIENT, REFERENCE_MUTANT), 120_000);

afterAll(async () => {
  // A test that failed or timed out can leave runs going: the engine kills their clients on abort.
  stop.abort();
  await Promise.all(PLAN.filter((run) => run.launched).map((run) => run.settled));
});

/**
 * Every way a correct client's report falls short: a scenario not passing, a check failing, not
 * reached or (where not allowed) warning, a skip that is not a precondition the client may leave out,
 * a check not judged.
 */
function shortfalls(report: Report, version: SpecVersion, options: { warnings: boolean }): string[] {
  const found: string[] = [];
  for (const scenario of clientScenarios) {
    const result = report.scenarios.find((s) => s.id === scenario.id);
    if (!result) {
      found.push(`${scenario.id}: not in the report`);
      continue;
    }
    if (!scenario.specVersions.includes(version)) {
      if (result.status !== 'skip') found.push(`${scenario.id}: ran (${result.status}) although it does not apply at ${version}`);
      continue;
    }
    if (result.status !== 'pass') found.push(`${scenario.id}: scenario ${result.status}${result.skipReason ? ` (${result.skipReason})` : ''}`);
    for (const check of result.checks) {
      const allowed = check.status === 'pass' || (check.status === 'warn' && options.warnings) || (check.status === 'skip' && check.message.startsWith('not applicable'));
      if (!allowed) found.push(`${scenario.id} ${check.id}: ${check.status}: ${check.message}`);
    }
    const expected = [PROCESS_CHECK, ...checksAt(scenario, version).map((c) => c.id)];
    const judged = result.checks.map((c) => c.id);
    if (expected.join() !== judged.join()) found.push(`${scenario.id}: judged ${judged.join(', ')}; expected ${expected.join(', ')}`);
  }
  return found;
}

/** Both matrices, each row with the defects its mutant knows. */
const ALL_ROWS: Array<{ row: MutantCase | ReferenceMutantCase; defects: Record<string, string> }> = [
  ...MUTANT_MATRIX.map((row) => ({ row, defects: CLIENT_DEFECTS })),
  ...REFERENCE_MUTANT_MATRIX.map((row) => ({ row, defects: REFERENCE_DEFECTS })),
];

describe('the mutant matrix', () => {
  it('names, in every row, a scenario that judges the check at the latest spec version, a known defect and known consequences', () => {
    const wrong: string[] = [];
    for (const { row, defects } of ALL_ROWS) {
      const label = `${row.check} / ${row.scenario} / ${row.defect}`;
      const scenario = clientScenarios.find((s) => s.id === row.scenario);
      if (!scenario) {
        wrong.push(`${label}: no such scenario`);
        continue;
      }
      if (!scenario.specVersions.includes(LATEST_SPEC_VERSION)) wrong.push(`${label}: the scenario does not run at ${LATEST_SPEC_VERSION}`);
      const judged = scenario.checks.filter((c) => c.specVersions.includes(LATEST_SPEC_VERSION)).map((c) => c.id);
      if (!judged.includes(row.check)) wrong.push(`${label}: the scenario does not judge the check at ${LATEST_SPEC_VERSION}`);
      if (!(row.defect in defects)) wrong.push(`${label}: the mutant has no such defect`);
      for (const id of row.alsoFails ?? []) {
        if (id === row.check) wrong.push(`${label}: alsoFails names the row's own check`);
        else if (id !== PROCESS_CHECK && !judged.includes(id)) wrong.push(`${label}: alsoFails names ${id}, which the scenario does not judge`);
      }
      if (new Set(row.alsoFails).size !== (row.alsoFails ?? []).length) wrong.push(`${label}: alsoFails repeats a check`);
      for (const id of row.mayAlsoFail ?? []) {
        if (id === row.check || row.alsoFails?.includes(id)) wrong.push(`${label}: mayAlsoFail names ${id}, which must fail anyway`);
        else if (!judged.includes(id)) wrong.push(`${label}: mayAlsoFail names ${id}, which the scenario does not judge`);
      }
      // Races: copies started at once, or requests overlapping within one process.
      const overlapsInProcess = scenario.checks.some((c) => c.preconditions?.some((p) => p.id === OVERLAPPED_REQUESTS.id));
      if (row.mayAlsoFail?.length && !(scenario.property || scenario.runs?.some((run) => (run.instances ?? 1) > 1) || overlapsInProcess))
        wrong.push(`${label}: mayAlsoFail is for races, and the scenario starts no copies at once and overlaps no requests`);
    }
    expect(wrong).toEqual([]);
  });

  it('has no row twice', () => {
    const keys = ALL_ROWS.map(({ row }) => `${row.check} / ${row.scenario} / ${row.defect}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it('has a row for every check of every scenario', () => {
    const covered = new Set(ALL_ROWS.map(({ row }) => row.check));
    const checks = new Set(clientScenarios.flatMap((s) => s.checks.map((c) => c.id)));
    expect([...checks].filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('the reference client', () => {
  it.each(NEWEST_FIRST)(
    'passes every check of every scenario applicable at %s, strict',
    async (version) => {
      const { report } = await resultOf(referenceKey(version));
      expect(report.scenarios.some((s) => s.status !== 'skip'), 'at least one scenario ran').toBe(true);
      expect(shortfalls(report, version, { warnings: false })).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the mutant client without defects, which keeps nothing between starts', () => {
  it(
    `passes every scenario at ${LATEST_SPEC_VERSION}: no check fails, warnings allowed`,
    async () => {
      const { report } = await resultOf(CLEAN_MUTANT_KEY);
      expect(shortfalls(report, LATEST_SPEC_VERSION, { warnings: true })).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * The outcome behind a verdict, judged again from the same trace: the report says fail, not whether
 * the behaviour was wrong (unmet) or never happened (missing), and only unmet must point at an exchange.
 */
function evidenceProblems(row: MutantCase | ReferenceMutantCase, result: ScenarioResult, trace: Trace, check: CheckResult): string[] {
  const definition = clientScenarios.find((s) => s.id === row.scenario)?.checks.find((c) => c.id === check.id);
  if (!definition) return [`${check.id}: no definition in ${row.scenario}`];
  const finding = judgeSafely(definition, trace);
  // The report may say more around the finding (a counterexample's description before it).
  if (!check.message.endsWith(finding.message)) return [`${check.id}: judged again it says "${finding.message}", the report "${check.message}"`];
  if (finding.outcome !== 'unmet') return [];
  if (finding.evidence.length === 0) return [`${check.id}: unmet without naming an exchange`];
  const exchanges = new Set(result.exchanges.map((e) => e.id));
  return finding.evidence.filter((e) => !exchanges.has(e.exchange)).map((e) => `${check.id}: evidence names exchange ${e.exchange}, which the trace lacks`);
}

/** The row's check fails for its reason with evidence; only the consequences the row names fail besides. */
async function expectCaught(row: MutantCase | ReferenceMutantCase, key: string): Promise<void> {
  const { report, traces } = await resultOf(key);
  const result = report.scenarios.find((s) => s.id === row.scenario);
  const trace = traces.get(row.scenario);
  if (!result || result.status === 'skip') throw new Error(`${row.scenario} did not run: ${result?.skipReason ?? 'not in the report'}`);
  if (!trace) throw new Error(`the engine handed over no trace of ${row.scenario} (ClientRunOptions.onTrace)`);
  const byId = new Map(result.checks.map((c) => [c.id, c]));

  const check = byId.get(row.check);
  if (!check) throw new Error(`${row.scenario} did not judge ${row.check}`);
  // Not strict: a SHOULD check must warn, which only an unmet outcome does (a missing one fails).
  expect({ status: check.status, message: check.message }).toMatchObject({ status: check.level === 'MUST' ? 'fail' : 'warn' });
  if (row.reason) expect(check.message).toMatch(row.reason);

  const consequences = row.alsoFails ?? [];
  const perhaps = row.mayAlsoFail ?? [];
  // client-process judges how the process ended, which no exchange shows.
  const failing = (status: string) => ['fail', 'warn', 'not-reached'].includes(status);
  const failedToo = (id: string) => failing(byId.get(id)?.status ?? 'absent');
  const broken = [check, ...[...consequences, ...perhaps].filter(failedToo).flatMap((id) => byId.get(id) ?? [])].filter((c) => c.id !== PROCESS_CHECK);
  expect(broken.flatMap((c) => evidenceProblems(row, result, trace, c))).toEqual([]);

  const untouchedButFailing = result.checks
    .filter((c) => c.id !== row.check && !consequences.includes(c.id) && !perhaps.includes(c.id) && failing(c.status))
    .map((c) => `${c.id}: ${c.status}: ${c.message}`);
  expect(untouchedButFailing, 'checks this defect should not break').toEqual([]);
  const statedButPassing = consequences.filter((id) => !failedToo(id));
  expect(statedButPassing, 'alsoFails names checks the defect does not break').toEqual([]);
}

describe('each check fails against the mutant with its defect', () => {
  it.each(MUTANT_MATRIX)('$check: $defect in $scenario', (row) => expectCaught(row, defectKey(row.defect)), TEST_TIMEOUT_MS);
});

describe('each check that needs a store fails against the reference client with one defective part', () => {
  it.each(REFERENCE_MUTANT_MATRIX)('$check: $defect in $scenario', (row) => expectCaught(row, referenceDefectKey(row.defect)), TEST_TIMEOUT_MS);
});
