// The process driver through the engine: timeouts, crashes, missing commands, and what a client
// leaves behind, in its process group or out of it. Every test checks that no process it caused is
// still alive afterwards.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INBOX_ENV, killAllClients } from '../../core/targets/client/process.js';
import { runClientScenarios, type ClientRunOptions } from '../../core/engine.js';
import type { Report } from '../../core/report.js';
import type { Trace } from '../../core/trace.js';
import { groupAlive, isAlive, processesWithEnvEntry, readPid, tempDir, testScenario, waitFor, writeScript } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

function run(command: string, timeoutMs = 20_000, scenarioCount = 1, extra: Partial<ClientRunOptions> = {}): Promise<Report> {
  return runClientScenarios({
    command,
    scenarios: Array.from({ length: scenarioCount }, (_, i) => testScenario(`test/process-${i + 1}`)),
    specVersion: '2026-07-28',
    jobs: 2,
    timeoutMs,
    strict: false,
    ...extra,
  });
}

/** A one-scenario run with its trace, which holds the process events the report leaves out. */
async function runTraced(command: string, timeoutMs?: number): Promise<{ report: Report; trace: Trace }> {
  let trace: Trace | undefined;
  const report = await run(command, timeoutMs, 1, { onTrace: (_id, judged) => (trace = judged) });
  if (!trace) throw new Error('the scenario was not judged');
  return { report, trace };
}

describe('client process', () => {
  it('kills a client that hangs at --timeout, children included, even one that ignores SIGTERM', async () => {
    const script = await writeScript(
      dir,
      'hang.sh',
      `echo $$ > "${dir}/leader.pid"
(trap '' TERM; exec sleep 60) &
echo $! > "${dir}/stubborn.pid"
sleep 60 &
echo $! > "${dir}/child.pid"
wait
`,
    );
    const began = Date.now();
    const report = await run(`sh ${script}`, 600);
    const elapsed = Date.now() - began;

    const outcome = report.scenarios[0].processes[0];
    expect(outcome.timedOut).toBe(true);
    expect(outcome.exitCode).toBeNull();
    expect(outcome.signal).toMatch(/SIGTERM|SIGKILL/);
    const check = report.scenarios[0].checks.find((c) => c.id === 'client-process')!;
    expect(check.status).toBe('fail');
    expect(check.message).toContain('timeout');
    expect(report.scenarios[0].status).toBe('fail');
    // Killed, not waited for: the children would have slept 60 s. (How soon after the timeout is
    // not asserted: a machine running two test runs at once took 6.4 s once.)
    expect(elapsed).toBeLessThan(30_000);

    const leader = readPid(path.join(dir, 'leader.pid'));
    for (const pid of [leader, readPid(path.join(dir, 'stubborn.pid')), readPid(path.join(dir, 'child.pid'))]) {
      expect(isAlive(pid), `pid ${pid}`).toBe(false);
    }
    expect(groupAlive(leader)).toBe(false);
  });

  it('escalates to SIGKILL when the client itself ignores SIGTERM', async () => {
    const script = await writeScript(dir, 'stubborn.sh', `trap '' TERM\necho $$ > "${dir}/leader.pid"\nsleep 60\nsleep 60\n`);
    // exec: the trapping shell itself leads the group, rather than a plain sh that SIGTERM ends at once.
    const report = await run(`exec sh ${script}`, 400);
    const outcome = report.scenarios[0].processes[0];
    expect(outcome.timedOut).toBe(true);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1_300);
    const leader = readPid(path.join(dir, 'leader.pid'));
    expect(isAlive(leader)).toBe(false);
    expect(groupAlive(leader)).toBe(false);
  });

  it('records the exit code and the stderr tail of a client that crashes', async () => {
    const script = await writeScript(
      dir,
      'crash.sh',
      `i=0
while [ $i -lt 80 ]; do echo "line $i"; i=$((i+1)); done
echo "fatal: cannot reach $1" >&2
exit 3
`,
    );
    const report = await run(`sh ${script}`);
    const [scenario] = report.scenarios;
    const outcome = scenario.processes[0];
    expect(outcome.exitCode).toBe(3);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.spawnError).toBeUndefined();
    expect(outcome.stderrTail).toContain('fatal: cannot reach http://127.0.0.1:');
    // Only the tail of stdout is kept.
    expect(outcome.stdoutTail.split('\n').filter(Boolean)).toHaveLength(50);
    expect(outcome.stdoutTail).toContain('line 79');
    expect(outcome.stdoutTail).not.toContain('line 29\n');
    const check = scenario.checks.find((c) => c.id === 'client-process')!;
    expect(check.status).toBe('fail');
    expect(check.message).toContain('exited with code 3');
    expect(check.message).toContain('fatal: cannot reach');
    expect(report.summary.exitCode).toBe(1);
  });

  it('does not hold a non-zero exit against a client where refusing is correct', async () => {
    const report = await runClientScenarios({
      command: 'sh -c "exit 1"',
      scenarios: [testScenario('test/refuses', { clientRefuses: true })],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
    });
    const check = report.scenarios[0].checks.find((c) => c.id === 'client-process')!;
    expect(check.status).toBe('pass');
    expect(report.summary.exitCode).toBe(0);
  });

  it('reports exit code 3 when the command does not exist', async () => {
    const report = await run('mcp-auth-conformance-no-such-client --flag', 10_000, 2);
    for (const scenario of report.scenarios) {
      const outcome = scenario.processes[0];
      expect(outcome.exitCode).toBe(127);
      expect(outcome.spawnError).toMatch(/command not found/);
      expect(scenario.checks.find((c) => c.id === 'client-process')!.message).toMatch(/could not be started/);
    }
    expect(report.summary.exitCode).toBe(3);
  });

  it('is not exit code 3 when the command runs somewhere', async () => {
    // A client that exits 127 after talking to the server did run.
    const script = await writeScript(dir, 'talks.mjs', 'await fetch(process.argv.at(-1)).catch(() => undefined);\nprocess.exit(127);\n');
    const report = await run(`node ${script}`);
    expect(report.scenarios[0].processes[0].exitCode).toBe(127);
    expect(report.scenarios[0].processes[0].spawnError).toBeUndefined();
    expect(report.summary.exitCode).toBe(1);
  });

  it('kills what a client leaves running after it exits', async () => {
    const script = await writeScript(dir, 'leaves.sh', `sleep 60 &\necho $! > "${dir}/child.pid"\necho $$ > "${dir}/leader.pid"\nexit 0\n`);
    const report = await run(`sh ${script}`);
    const [scenario] = report.scenarios;
    expect(scenario.processes[0].exitCode).toBe(0);
    const child = readPid(path.join(dir, 'child.pid'));
    await waitFor(() => !isAlive(child), 2_000, 'the left-behind child to die');
    expect(groupAlive(readPid(path.join(dir, 'leader.pid')))).toBe(false);
    expect(scenario.checks.find((c) => c.id === 'client-process')!.status).toBe('pass');
  });

  it('keeps stdin open and silent while the client runs, so a CLI that quits at end of input is not cut short', async () => {
    // mcp-remote-client shuts down when its stdin ends; the official suite gives clients an open pipe.
    const script = await writeScript(
      dir,
      'stdin.mjs',
      `let got = '';
process.stdin.on('data', (chunk) => (got += chunk));
process.stdin.on('end', () => { console.error('stdin ended, ' + got.length + ' bytes'); process.exit(4); });
setTimeout(() => { console.log('stdin still open, ' + got.length + ' bytes'); process.exit(0); }, 500);
`,
    );
    const report = await run(`node ${script}`);
    const outcome = report.scenarios[0].processes[0];
    expect(outcome.stderrTail).toBe('');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdoutTail).toBe('stdin still open, 0 bytes\n');
  });

  it('hands the client the contract: URL last, scenario, version, context, state dir, HOME, XDG, BROWSER, PATH', async () => {
    const script = await writeScript(
      dir,
      'env.sh',
      `{
echo "url=$1"
echo "scenario=$MCP_CONFORMANCE_SCENARIO"
echo "version=$MCP_CONFORMANCE_PROTOCOL_VERSION"
echo "context=$MCP_CONFORMANCE_CONTEXT"
echo "state=$MCP_CONFORMANCE_STATE_DIR"
echo "home=$HOME"
echo "config=$XDG_CONFIG_HOME"
echo "data=$XDG_DATA_HOME"
echo "statehome=$XDG_STATE_HOME"
echo "cache=$XDG_CACHE_HOME"
echo "browser=$BROWSER"
echo "xdg=$(command -v xdg-open)"
echo "open=$(command -v open)"
test -d "$XDG_CACHE_HOME" && echo "cache-exists"
} > "${dir}/env.txt"
`,
    );
    const report = await runClientScenarios({
      command: `sh ${script}`,
      scenarios: [
        testScenario('auth/pre-registration-like', {
          protocolVersion: '2025-03-26',
          context: (facts) => ({ name: 'pre-registration', client_id: 'abc', issuer: facts.issuer }),
        }),
      ],
      specVersion: '2025-11-25',
      jobs: 1,
      timeoutMs: 10_000,
      strict: false,
    });
    expect(report.scenarios[0].status).toBe('pass');
    const env = Object.fromEntries(
      readFileSync(path.join(dir, 'env.txt'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.url).toBe(report.scenarios[0].world!.mcpUrl);
    expect(env.scenario).toBe('auth/pre-registration-like');
    expect(env.version).toBe('2025-03-26');
    expect(JSON.parse(env.context)).toEqual({ name: 'pre-registration', client_id: 'abc', issuer: report.scenarios[0].world!.issuer });
    expect(env.home.startsWith(env.state)).toBe(true);
    for (const key of ['config', 'data', 'statehome', 'cache']) expect(env[key].startsWith(env.home)).toBe(true);
    const shimDir = path.dirname(env.browser);
    expect(env.xdg).toBe(path.join(shimDir, 'xdg-open'));
    expect(env.open).toBe(path.join(shimDir, 'open'));
    expect(report.scenarios[0].processes[0].stdoutTail).toBe('');
    expect(readFileSync(path.join(dir, 'env.txt'), 'utf8')).toContain('cache-exists');
  });
});

// A helper started with setsid leads a session and a group of its own, out of reach of the group
// kill. Each test marks its client's environment with an entry of its own and looks for that entry
// in /proc afterwards, so it sees every process the client caused wherever it went.
describe.runIf(process.platform === 'linux')('processes that leave the client\'s process group', () => {
  let mark: string;
  beforeEach(() => {
    mark = `MAC_TEST_MARK=${randomUUID()}`;
  });
  afterEach(() => {
    for (const pid of processesWithEnvEntry(mark)) process.kill(pid, 'SIGKILL');
  });

  /** Shell lines that start a child in a session of its own and wait until it is there. */
  const escape = (name: string, ignoreTerm = false): string => `setsid sh -c "${ignoreTerm ? "trap '' TERM; " : ''}touch ${dir}/${name}.ready; exec sleep 300" &
echo $! > "${dir}/${name}.pid"
while [ ! -e "${dir}/${name}.ready" ]; do sleep 0.05; done
`;

  const escapedKills = (trace: Trace): number[] =>
    trace.events.filter((e) => e.kind === 'killed' && /escaped the process group/.test(String(e.detail?.reason))).flatMap((e) => e.detail?.pids as number[]);

  it('ends what a client that exits 0 started with setsid or a detached spawn, and records it', async () => {
    const detach = await writeScript(
      dir,
      'detach.mjs',
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
// detached: the child calls setsid() before it runs sleep; spawn returns once it has.
const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
writeFileSync(${JSON.stringify(path.join(dir, 'detached.pid'))}, String(child.pid));
child.unref();
`,
    );
    const script = await writeScript(dir, 'escapes.sh', `${escape('setsid')}node ${detach}\nexit 0\n`);
    const { report, trace } = await runTraced(`${mark} sh ${script}`);

    const [scenario] = report.scenarios;
    expect(scenario.processes[0].exitCode).toBe(0);
    expect(scenario.checks.find((c) => c.id === 'client-process')!.status).toBe('pass');
    const escaped = [readPid(path.join(dir, 'setsid.pid')), readPid(path.join(dir, 'detached.pid'))];
    expect(processesWithEnvEntry(mark)).toEqual([]);
    for (const pid of escaped) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(escapedKills(trace).sort()).toEqual([...escaped].sort());
  });

  it('ends the setsid child of a client killed at --timeout, even one that ignores SIGTERM', async () => {
    const script = await writeScript(dir, 'hangs.sh', `${escape('stubborn', true)}sleep 300\n`);
    const { report, trace } = await runTraced(`${mark} sh ${script}`, 4_000);

    expect(existsSync(path.join(dir, 'stubborn.ready')), 'the child left the group before the timeout').toBe(true);
    expect(report.scenarios[0].processes[0].timedOut).toBe(true);
    const stubborn = readPid(path.join(dir, 'stubborn.pid'));
    expect(processesWithEnvEntry(mark)).toEqual([]);
    expect(isAlive(stubborn)).toBe(false);
    expect(escapedKills(trace)).toEqual([stubborn]);
  });

  it('ends a process that shed its launch\'s entry at the end of the scenario, by its state directory', async () => {
    const script = await writeScript(dir, 'sheds.sh', `unset ${INBOX_ENV}\n${escape('shed')}exit 0\n`);
    const { report, trace } = await runTraced(`${mark} sh ${script}`);

    expect(report.scenarios[0].processes[0].exitCode).toBe(0);
    // The launch could not see it; the scenario's own sweep did.
    expect(escapedKills(trace)).toEqual([]);
    expect(processesWithEnvEntry(mark)).toEqual([]);
    expect(isAlive(readPid(path.join(dir, 'shed.pid')))).toBe(false);
  });

  it('reaches escaped processes from the synchronous exit hook', async () => {
    const script = await writeScript(dir, 'waits.sh', `${escape('stubborn', true)}sleep 300\n`);
    const running = run(`${mark} sh ${script}`, 60_000);
    await waitFor(() => existsSync(path.join(dir, 'stubborn.ready')) && existsSync(path.join(dir, 'stubborn.pid')), 20_000, 'the child to leave the group');
    const stubborn = readPid(path.join(dir, 'stubborn.pid'));

    killAllClients();
    // Waiting without yielding: the driver's own sweep cannot run meanwhile, so only the hook can
    // have ended the child (which ignores the SIGTERM that sweep would start with anyway).
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 20_000;
    while (isAlive(stubborn) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
    expect(isAlive(stubborn)).toBe(false);

    const report = await running;
    expect(report.scenarios[0].processes[0].signal).toBe('SIGKILL');
    expect(processesWithEnvEntry(mark)).toEqual([]);
  });
});
