// Scheduling: the --jobs bound, spec-version skips, Ctrl-C, and a kit that fails in its own parts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClientScenarios } from '../../core/engine.js';
import { prmDiscovered } from '../../suites/client/checks/discovery.js';
import { pkceChallengeSent } from '../../suites/client/checks/pkce.js';
import { tokenAsBearer } from '../../suites/client/checks/token-use.js';
import { startWorld } from '../../mocks/world.js';
import type { World } from '../../mocks/world.js';
import { groupAlive, isAlive, readPid, tempDir, testScenario, throwingCheck, waitFor, writeScript } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

describe('engine', () => {
  it('runs no more than --jobs scenarios at once, and does run them in parallel', async () => {
    const log = path.join(dir, 'log.txt');
    const script = await writeScript(dir, 'slow.sh', `echo "start $MCP_CONFORMANCE_SCENARIO" >> "${log}"\nsleep 0.3\necho "end $MCP_CONFORMANCE_SCENARIO" >> "${log}"\n`);
    let running = 0;
    let peak = 0;
    const report = await runClientScenarios({
      command: `sh ${script}`,
      scenarios: Array.from({ length: 6 }, (_, i) => testScenario(`test/jobs-${i}`)),
      specVersion: '2026-07-28',
      jobs: 2,
      timeoutMs: 10_000,
      strict: false,
      onScenarioStart: () => (peak = Math.max(peak, ++running)),
      onScenarioFinish: () => running--,
    });
    expect(report.scenarios.map((s) => s.status)).toEqual(Array(6).fill('pass'));
    expect(peak).toBe(2);

    let alive = 0;
    let most = 0;
    for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
      alive += line.startsWith('start') ? 1 : -1;
      most = Math.max(most, alive);
    }
    expect(most).toBe(2);
  });

  it('keeps the scenarios in the given order and skips those that do not apply at the spec version', async () => {
    const report = await runClientScenarios({
      command: 'true',
      scenarios: [
        testScenario('test/b'),
        testScenario('test/old-only', { specVersions: ['2025-06-18'] }),
        testScenario('test/a'),
      ],
      specVersion: '2026-07-28',
      jobs: 3,
      timeoutMs: 10_000,
      strict: false,
    });
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([
      ['test/b', 'pass'],
      ['test/old-only', 'skip'],
      ['test/a', 'pass'],
    ]);
    expect(report.scenarios[1].skipReason).toMatch(/not applicable at spec version 2026-07-28/);
    expect(report.scenarios[1].processes).toEqual([]);
    expect(report.summary.scenarios).toEqual({ total: 3, passed: 2, failed: 0, skipped: 1 });
    expect(report.summary.exitCode).toBe(0);
    expect(report.interrupted).toBe(false);
    expect(report).toMatchObject({ schema: 'mcp-auth-conformance/report', schemaVersion: 2, role: 'client', target: { command: 'true' } });
  });

  it('judges only the checks of the run spec version; a check that throws fails instead of crashing', async () => {
    const report = await runClientScenarios({
      command: 'true',
      scenarios: [
        testScenario('test/checks', {
          checks: [throwingCheck, { ...throwingCheck, id: 'old-only', specVersions: ['2025-06-18'] }],
        }),
      ],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
    });
    const [scenario] = report.scenarios;
    expect(scenario.checks.map((c) => c.id)).toEqual(['client-process', 'throws']);
    expect(scenario.checks[1]).toMatchObject({ status: 'fail' });
    expect(scenario.checks[1].message).toContain('boom in check');
    expect(scenario.status).toBe('fail');
    expect(report.summary.exitCode).toBe(1);
  });

  it('fails a scenario whose world cannot start, and closes worlds that did start', async () => {
    let calls = 0;
    let closed = 0;
    const report = await runClientScenarios({
      command: 'true',
      scenarios: [testScenario('test/broken-world'), testScenario('test/fine')],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
      startWorld: async (knobs, options) => {
        if (calls++ === 0) throw new Error('no ports left');
        const world = await startWorld(knobs, options);
        return { ...world, facts: world.facts, origins: world.origins, close: () => (closed++, world.close()) } satisfies World;
      },
    });
    expect(report.scenarios[0].status).toBe('fail');
    expect(report.scenarios[0].checks).toMatchObject([{ id: 'kit-error', status: 'fail' }]);
    expect(report.scenarios[0].checks[0].message).toContain('no ports left');
    expect(report.scenarios[1].status).toBe('pass');
    expect(closed).toBeGreaterThanOrEqual(1);
    expect(report.summary.exitCode).toBe(1);
  });

  it('on abort keeps what finished, kills what runs, and marks the rest interrupted', async () => {
    const script = await writeScript(
      dir,
      'abort.sh',
      `case "$MCP_CONFORMANCE_SCENARIO" in
  test/fast) exit 0 ;;
esac
echo $$ > "${dir}/$(echo "$MCP_CONFORMANCE_SCENARIO" | tr / _).pid"
exec sleep 60
`,
    );
    const controller = new AbortController();
    const pidFiles = ['test_slow-1.pid', 'test_slow-2.pid'].map((name) => path.join(dir, name));
    const finished: string[] = [];
    const run = runClientScenarios({
      command: `exec sh ${script}`,
      scenarios: ['test/fast', 'test/slow-1', 'test/slow-2', 'test/slow-3'].map((id) => testScenario(id)),
      specVersion: '2026-07-28',
      jobs: 2,
      timeoutMs: 30_000,
      strict: false,
      signal: controller.signal,
      onScenarioFinish: (result) => finished.push(result.id),
    });
    await waitFor(() => pidFiles.every(existsSync), 10_000, 'both slow clients to start');
    const pids = pidFiles.map(readPid);
    const abortedAt = Date.now();
    controller.abort();
    const report = await run;

    expect(Date.now() - abortedAt).toBeLessThan(3_000);
    expect(report.interrupted).toBe(true);
    expect(report.scenarios.map((s) => [s.id, s.status, s.skipReason])).toEqual([
      ['test/fast', 'pass', undefined],
      ['test/slow-1', 'skip', 'interrupted'],
      ['test/slow-2', 'skip', 'interrupted'],
      ['test/slow-3', 'skip', 'interrupted'],
    ]);
    expect(existsSync(path.join(dir, 'test_slow-3.pid'))).toBe(false);
    for (const pid of pids) {
      expect(isAlive(pid)).toBe(false);
      expect(groupAlive(pid)).toBe(false);
    }
    expect(finished).toContain('test/fast');
  });

  it('returns at once, every scenario interrupted, when aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await runClientScenarios({
      command: 'true',
      scenarios: [testScenario('test/x')],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
      signal: controller.signal,
    });
    expect(report.interrupted).toBe(true);
    expect(report.scenarios[0]).toMatchObject({ status: 'skip', skipReason: 'interrupted' });
  });

  it('puts what a client that died before its first request left undone on the failure of its process, once', async () => {
    const report = await runClientScenarios({
      command: `sh -c 'echo "Error: cannot load ./client.js" >&2; exit 1'`,
      scenarios: [testScenario('test/dead', { checks: [prmDiscovered, pkceChallengeSent, tokenAsBearer] })],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
    });
    const [scenario] = report.scenarios;
    expect(scenario.checks.map((c) => [c.id, c.status, c.cause])).toEqual([
      ['client-process', 'fail', undefined],
      ['prm-discovered', 'not-reached', ['client-process']],
      ['pkce-code-challenge-sent', 'not-reached', ['client-process']],
      ['token-sent-as-bearer', 'not-reached', ['client-process']],
    ]);
    expect(scenario.checks[0].message).toContain('Error: cannot load ./client.js');
    expect(report.summary.checks).toMatchObject({ fail: 1, notReached: 3 });
    expect(report.summary.exitCode).toBe(1);
  });

  it('stops when the first scenarios all time out without a single request, and says so (exit 3)', async () => {
    const started: string[] = [];
    const report = await runClientScenarios({
      command: "sh -c 'exec sleep 30'",
      scenarios: ['test/silent-1', 'test/silent-2', 'test/silent-3', 'test/silent-4'].map((id) => testScenario(id)),
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 1_000,
      strict: false,
      onScenarioStart: (id) => started.push(id),
    });
    expect(started).toEqual(['test/silent-1', 'test/silent-2']);
    expect(report.stoppedEarly).toMatch(/^the client sent no request at all in the first 2 scenarios \(test\/silent-1, test\/silent-2\) and was killed at the timeout each time/);
    expect(report.scenarios.map((s) => s.status)).toEqual(['fail', 'fail', 'skip', 'skip']);
    expect(report.scenarios[2].skipReason).toBe(`not run: ${report.stoppedEarly}`);
    expect(report.interrupted).toBe(false);
    expect(report.summary.exitCode).toBe(3);
  });

  it('does not stop for a client that exits at once without a request: that costs nothing, and may be a scenario it does not know', async () => {
    const report = await runClientScenarios({
      command: 'exit 1',
      scenarios: ['test/quick-1', 'test/quick-2', 'test/quick-3'].map((id) => testScenario(id)),
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
    });
    expect(report.stoppedEarly).toBeUndefined();
    expect(report.scenarios.map((s) => s.status)).toEqual(['fail', 'fail', 'fail']);
    expect(report.summary.exitCode).toBe(1);
  });

  it('keeps state directories under stateRoot, shared by successive runs of a scenario', async () => {
    const script = await writeScript(dir, 'count.sh', `echo x >> "$MCP_CONFORMANCE_STATE_DIR/runs"\necho x >> "$HOME/home-runs"\n`);
    const stateRoot = path.join(dir, 'state');
    const once = () =>
      runClientScenarios({
        command: `sh ${script}`,
        scenarios: [testScenario('auth/state')],
        specVersion: '2026-07-28',
        jobs: 1,
        timeoutMs: 10_000,
        strict: false,
        stateRoot,
      });
    await once();
    await once();
    const runs = readFileSync(path.join(stateRoot, 'auth_state', 'runs'), 'utf8');
    expect(runs).toBe('x\nx\n');
    expect(readFileSync(path.join(stateRoot, 'auth_state', 'home', 'home-runs'), 'utf8')).toBe('x\nx\n');
  });
});
