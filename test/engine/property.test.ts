// Property scenarios: fast-check draws the runs, the engine runs each case against a fresh world,
// a failure shrinks to the smallest case, and the report says how to see it again.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckDef } from '../../core/check.js';
import { met, unmet } from '../../core/check.js';
import { runClientCommand, type ClientCommandOptions } from '../../bin/run-command.js';
import { runClientScenarios, type ClientRunOptions } from '../../core/engine.js';
import { checkProperty } from '../../core/property.js';
import type { Report } from '../../core/report.js';
import type { ClientScenario, ScenarioProperty } from '../../core/scenario.js';
import { SPEC_VERSIONS } from '../../core/spec.js';
import type { Trace } from '../../core/trace.js';
import { renderJson } from '../../reporters/json.js';
import { groupAlive, isAlive, readPid, tempDir, testScenario, waitFor, writeScript } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

/** Stands in for a race check: it fails whenever `limit` or more copies ran at once. */
function fewerCopiesThan(limit: number): CheckDef {
  return {
    id: 'fewer-copies',
    title: `fewer than ${limit} copies at once`,
    requirements: [],
    level: 'MUST',
    specVersions: [...SPEC_VERSIONS],
    specLinks: [],
    judge: (trace: Trace) => {
      const most = Math.max(...(trace.runs ?? []).map((r) => r.actors.length));
      return most >= limit ? unmet(`${most} copies ran at once`, []) : met(`at most ${most} copies ran at once`);
    },
  };
}

/** Draws how many copies race (1 to 6) and whether they start staggered. */
const copies: ScenarioProperty<{ instances: number; staggered: boolean }> = {
  cases: fc.record({ instances: fc.integer({ min: 1, max: 6 }), staggered: fc.boolean() }),
  build: ({ instances, staggered }) => ({
    world: { as: { accessTokenTtlSeconds: 60 } },
    runs: [{ label: 'racing copies', instances, ...(staggered ? { startOffsetsMs: Array.from({ length: instances }, (_, i) => i * 5) } : {}) }],
  }),
  describe: ({ instances, staggered }) => `${instances} copies${staggered ? ', staggered' : ''}`,
  defaultRuns: 15,
};

function propertyScenario(limit: number, overrides: Partial<ClientScenario> = {}): ClientScenario {
  return testScenario('test/race', { property: copies, checks: [fewerCopiesThan(limit)], ...overrides });
}

async function runProperty(scenario: ClientScenario, extra: Partial<ClientRunOptions> = {}): Promise<{ report: Report; traces: Trace[] }> {
  const traces: Trace[] = [];
  const report = await runClientScenarios({
    command: 'true',
    scenarios: [scenario],
    specVersion: '2026-07-28',
    jobs: 1,
    timeoutMs: 10_000,
    strict: false,
    onTrace: (_id, trace) => traces.push(trace),
    ...extra,
  });
  return { report, traces };
}

describe('the property runner without processes', () => {
  it('shrinks to the smallest failing case and hands back what that case recorded', async () => {
    const property: ScenarioProperty<number> = { cases: fc.integer({ min: 0, max: 1000 }), build: () => ({ runs: [] }), describe: String, defaultRuns: 50 };
    const seen: number[] = [];
    const outcome = await checkProperty(property, { runs: 50, seed: 42 }, async (n) => {
      seen.push(n);
      return { held: n < 137, interrupted: false, recorded: `recorded ${n}` };
    }, () => false);
    expect(outcome).toMatchObject({ held: false, interrupted: false, seed: 42, counterexample: 137, counterexampleRecorded: 'recorded 137' });
    expect(outcome.shrinks).toBeGreaterThan(0);
    expect(outcome.path).toMatch(/^\d+(:\d+)*$/);
    // Replaying the path runs the counterexample first.
    const replayed: number[] = [];
    const again = await checkProperty(property, { runs: 50, seed: 42, path: outcome.path! }, async (n) => {
      replayed.push(n);
      return { held: n < 137, interrupted: false, recorded: n };
    }, () => false);
    expect(replayed[0]).toBe(137);
    expect(again).toMatchObject({ held: false, runs: 1, shrinks: 0, counterexample: 137 });
  });

  it('reports the first failing case as drawn when told not to shrink (--no-shrink)', async () => {
    const property: ScenarioProperty<number> = { cases: fc.integer({ min: 0, max: 1000 }), build: () => ({ runs: [] }), describe: String, defaultRuns: 50 };
    const seen: number[] = [];
    const outcome = await checkProperty(property, { runs: 50, seed: 42, shrink: false }, async (n) => {
      seen.push(n);
      return { held: n < 137, interrupted: false, recorded: `recorded ${n}` };
    }, () => false);
    const firstFailing = seen.find((n) => n >= 137)!;
    expect(seen.at(-1)).toBe(firstFailing);
    expect(outcome).toMatchObject({ held: false, shrinks: 0, counterexample: firstFailing, counterexampleRecorded: `recorded ${firstFailing}` });
  });

  it('stops without shrinking once interrupted', async () => {
    const property: ScenarioProperty<number> = { cases: fc.nat(), build: () => ({ runs: [] }), describe: String, defaultRuns: 100 };
    let calls = 0;
    let stop = false;
    const outcome = await checkProperty(property, { runs: 100, seed: 1 }, async () => {
      if (++calls === 3) stop = true;
      return { held: !stop, interrupted: stop, recorded: calls };
    }, () => stop);
    expect(calls).toBe(3);
    expect(outcome.interrupted).toBe(true);
    expect(outcome.counterexample).toBeUndefined();
  });
});

describe('property scenarios', () => {
  it('shrink a failure to exactly 3 copies, report seed, counterexample and replay, and replay it in one run', async () => {
    const seed = 20240613;
    const { report, traces } = await runProperty(propertyScenario(3), { property: { seed, runs: 15 } });
    const [scenario] = report.scenarios;
    expect(scenario.status).toBe('fail');
    expect(scenario.property).toMatchObject({ seed, counterexample: '3 copies' });
    const { runs, shrinks, path: replayPath, replay } = scenario.property!;
    expect(replayPath).toMatch(/^\d+(:\d+)*$/);
    expect(replay).toBe(`mcp-auth-conformance client --command 'true' --scenario test/race --spec-version 2026-07-28 --seed=${seed} --replay ${replayPath}`);

    // The counterexample's own case is reported: its three processes, its trace, its verdicts.
    expect(scenario.processes.map((p) => p.actor)).toEqual(['client-1', 'client-2', 'client-3']);
    expect(traces).toHaveLength(1);
    expect(traces[0].runs!.map((r) => r.actors.length)).toEqual([3]);
    expect((traces[0].world.knobs as { as: { accessTokenTtlSeconds: number } }).as.accessTokenTtlSeconds).toBe(60);
    const check = scenario.checks.find((c) => c.id === 'fewer-copies')!;
    expect(check.status).toBe('fail');
    expect(check.message).toBe(`counterexample after ${runs} runs, shrunk ${shrinks} times: 3 copies — 3 copies ran at once`);
    // Passing checks keep their message.
    expect(scenario.checks.find((c) => c.id === 'client-process')!.message).toMatch(/^all 3 client processes ended as they should/);
    expect(report.summary.exitCode).toBe(1);

    const again = await runProperty(propertyScenario(3), { property: { seed, replay: replayPath! } });
    expect(again.report.scenarios[0].status).toBe('fail');
    expect(again.report.scenarios[0].property).toMatchObject({ runs: 1, shrinks: 0, seed, counterexample: '3 copies' });
  });

  it('shrink a SHOULD violation too: a warning, with its counterexample and replay, exit 0 unless strict', async () => {
    const should: CheckDef = { ...fewerCopiesThan(3), level: 'SHOULD' };
    const { report } = await runProperty(propertyScenario(3, { checks: [should] }), { property: { seed: 99, runs: 15 } });
    const [scenario] = report.scenarios;
    expect(scenario.property).toMatchObject({ seed: 99, counterexample: '3 copies' });
    expect(scenario.property!.replay).toMatch(/--replay \d+/);
    const check = scenario.checks.find((c) => c.id === 'fewer-copies')!;
    expect(check).toMatchObject({ status: 'warn', message: expect.stringMatching(/^counterexample after \d+ runs, shrunk \d+ times: 3 copies — 3 copies ran at once$/) });
    expect(report.summary.exitCode).toBe(0);
  });

  it('report every check as holding, with the runs and the seed, when no case fails', async () => {
    const { report, traces } = await runProperty(propertyScenario(7), { property: { runs: 4 } });
    const [scenario] = report.scenarios;
    expect(scenario.status).toBe('pass');
    const seed = scenario.property!.seed;
    expect(Number.isInteger(seed)).toBe(true);
    expect(scenario.property).toEqual({ runs: 4, seed });
    for (const check of scenario.checks) {
      expect(check.status).toBe('pass');
      expect(check.message.endsWith(` (held in 4 runs, seed ${seed})`)).toBe(true);
    }
    // The last case's trace and exchanges are the ones shown.
    expect(traces).toHaveLength(1);
    expect(scenario.processes).toHaveLength(traces[0].processes.length);
  });

  it('run each case in a fresh state directory', async () => {
    const stateRoot = path.join(dir, 'state');
    const script = await writeScript(dir, 'state.sh', 'if [ -e "$MCP_CONFORMANCE_STATE_DIR/mark" ]; then echo "error: state left over" >&2; exit 1; fi\necho $$ > "$MCP_CONFORMANCE_STATE_DIR/mark"\n');
    // A mark left by an earlier case would make the client fail. The second search keeps the same
    // directories as the first (keepTemp leaves them in place), so only emptying them keeps it green.
    const single: ScenarioProperty<number> = { cases: fc.integer({ min: 0, max: 9 }), build: () => ({ runs: [{ label: 'once' }] }), describe: String, defaultRuns: 5 };
    for (let search = 0; search < 2; search++) {
      const { report } = await runProperty(testScenario('test/fresh', { property: single }), { command: `sh ${script}`, stateRoot, keepTemp: true });
      expect(report.scenarios[0].status, JSON.stringify(report.scenarios[0].checks)).toBe('pass');
      expect(report.scenarios[0].property!.runs).toBe(5);
    }
    expect(readdirSync(path.join(stateRoot, 'test_fresh', 'cases')).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('stop at Ctrl-C in the middle of a case and leave no process behind', async () => {
    const script = await writeScript(dir, 'hang.sh', `echo $$ > "${dir}/pid-$$"\nexec sleep 60\n`);
    const controller = new AbortController();
    const hanging: ScenarioProperty<number> = { cases: fc.integer({ min: 2, max: 3 }), build: (n) => ({ runs: [{ label: 'hang', instances: n }] }), describe: String, defaultRuns: 10 };
    const run = runProperty(testScenario('test/hang', { property: hanging, checks: [] }), { command: `exec sh ${script}`, timeoutMs: 30_000, signal: controller.signal });
    const pidFiles = () => readdirSync(dir).filter((f) => f.startsWith('pid-'));
    await waitFor(() => pidFiles().length >= 2, 10_000, 'the copies of the first case to start');
    const abortedAt = Date.now();
    controller.abort();
    const { report } = await run;
    expect(Date.now() - abortedAt).toBeLessThan(3_000);
    expect(report.interrupted).toBe(true);
    expect(report.scenarios[0]).toMatchObject({ status: 'skip', skipReason: 'interrupted' });
    expect(report.scenarios[0].property?.seed).toEqual(expect.any(Number));
    // No second case started, and every copy of the first is gone with its group.
    const pids = pidFiles().map((f) => readPid(path.join(dir, f)));
    expect(pids.length).toBeLessThanOrEqual(3);
    for (const pid of pids) {
      expect(isAlive(pid), `pid ${pid}`).toBe(false);
      expect(groupAlive(pid), `group ${pid}`).toBe(false);
    }
  });

  it('print the seed, the counterexample and the replay command on the console', async () => {
    let stdout = '';
    const options: ClientCommandOptions = {
      command: 'true',
      scenarios: ['test/race'],
      suite: 'all',
      specVersion: '2026-07-28',
      reporters: ['console'],
      outputDir: path.join(dir, 'out'),
      timeoutMs: 10_000,
      jobs: 1,
      strict: false,
      verbose: false,
      color: false,
      seed: 7,
      runs: 10,
    };
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {}, cwd: dir };
    const code = await runClientCommand([propertyScenario(3)], options, io);
    expect(code).toBe(1);
    expect(stdout).toMatch(/counterexample after \d+ runs?, shrunk \d+ times? \(seed 7\): 3 copies/);
    expect(stdout).toMatch(/replay: mcp-auth-conformance client --command 'true' --scenario test\/race --spec-version 2026-07-28 --seed=7 --replay \d+(:\d+)*/);

    stdout = '';
    expect(await runClientCommand([propertyScenario(7)], { ...options, runs: 2 }, io)).toBe(0);
    expect(stdout).toMatch(/PASS test\/race .*held in 2 runs, seed 7/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('carry the property into report.json, which the schema accepts', async () => {
    const { report } = await runProperty(propertyScenario(3), { property: { seed: -1204, runs: 10 } });
    const rendered = JSON.parse(renderJson(report));
    expect(rendered.scenarios[0].property).toEqual(report.scenarios[0].property);
    expect(rendered.scenarios[0].property.replay).toContain('--seed=-1204 --replay ');
    const schema = JSON.parse(readFileSync(new URL('../../reporters/report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const validate = ajv.compile(schema);
    expect(validate(rendered), JSON.stringify(validate.errors)).toBe(true);
    rendered.scenarios[0].property.extra = 1;
    expect(validate(rendered)).toBe(false);
  });
});
