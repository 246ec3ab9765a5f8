// The compiled bin as users and CI run it: exit codes, one-line errors, help, list, reports, Ctrl-C.
// Needs a build (npm test builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'dist/bin/mcp-auth-conformance.js');
const referenceClient = `node ${path.join(root, 'dist/examples/clients/reference-client.js')}`;

interface Result {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

let cwd: string;
beforeAll(() => {
  if (!existsSync(bin)) throw new Error('build first: npx tsc -p tsconfig.json');
});
beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-cli-test-'));
});
afterEach(async () => rm(cwd, { recursive: true, force: true }));

function start(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Result> } {
  const env = { ...process.env, ...extraEnv };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<Result>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

const cli = (args: string[], env?: NodeJS.ProcessEnv): Promise<Result> => start(args, env).done;

function expectUsageError(result: Result, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mcp-auth-conformance: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe('');
}

describe('usage errors: one line on stderr, exit code 2', () => {
  it('unknown option', async () => expectUsageError(await cli(['client', '--command', 'true', '--frobnicate']), /unknown option '--frobnicate'/));
  it('unknown option at top level', async () => expectUsageError(await cli(['--clinet', 'true']), /unknown option '--clinet'.*--client/));
  it('bad --spec-version', async () => expectUsageError(await cli(['client', '--command', 'true', '--spec-version', '2024-01-01']), /2024-01-01.*2026-07-28/));
  it('missing --command', async () => expectUsageError(await cli(['client']), /--command/));
  it('nothing to do', async () => expectUsageError(await cli([]), /missing --client/));
  it('unknown command', async () => expectUsageError(await cli(['clent']), /unknown command "clent" \(did you mean client\?\)/));
  it('non-numeric --timeout', async () => expectUsageError(await cli(['--client', 'true', '--timeout', '5s']), /--timeout/));
  it('non-numeric --jobs', async () => expectUsageError(await cli(['client', '--command', 'true', '--jobs', 'many']), /--jobs/));
  it('unknown reporter', async () => expectUsageError(await cli(['client', '--command', 'true', '--reporter', 'console,pdf']), /unknown reporter "pdf"; valid reporters: console, json, junit, markdown, html/));
  it('unknown scenario, with near matches', async () =>
    expectUsageError(await cli(['client', '--command', 'true', '--scenario', 'auth/metadata-defualt']), /unknown scenario "auth\/metadata-defualt" \(did you mean auth\/metadata-default\?\)/));
  it('unknown requirement, with near matches', async () =>
    expectUsageError(await cli(['list', '--requirement', 'C-PKCE-03', '--requirement', 'C-PKCE-3']), /unknown requirement "C-PKCE-3" \(did you mean C-PKCE-03, /));
  it('unknown requirement, nothing near', async () => expectUsageError(await cli(['list', '--json', '--requirement', 'XYZZY']), /unknown requirement "XYZZY"; requirement ids look like C-PKCE-03/));
  it('unknown suite, listing the valid ones', async () => expectUsageError(await cli(['client', '--command', 'true', '--suite', 'nope']), /unknown suite "nope".*core/));
  it('missing expected-failures file', async () =>
    expectUsageError(await cli(['client', '--command', 'true', '--expected-failures', 'absent.yaml']), /absent\.yaml: no such file/));
  it('malformed expected-failures file', async () => {
    await writeFile(path.join(cwd, 'baseline.yaml'), 'client:\n  - auth/metadata-default\n  bad: [\n');
    expectUsageError(await cli(['client', '--command', 'true', '--expected-failures', 'baseline.yaml']), /baseline\.yaml/);
  });
});

describe('--runs, --seed and --replay', () => {
  const run = ['client', '--command', 'true', '--scenario', 'auth/metadata-default'];
  it('--runs must be a positive whole number', async () => {
    expectUsageError(await cli([...run, '--runs', '0']), /--runs must be a positive whole number/);
    expectUsageError(await cli([...run, '--runs', '2.5']), /--runs must be a positive whole number/);
  });
  it('--seed must be a 32-bit whole number', async () => {
    expectUsageError(await cli([...run, '--seed', 'abc']), /--seed must be a whole number/);
    expectUsageError(await cli([...run, '--seed', '2147483648']), /--seed must be a whole number between -2147483648 and 2147483647/);
  });
  it('--replay must be a path of numbers', async () => expectUsageError(await cli([...run, '--seed', '1', '--replay', '3:x']), /--replay must be a counterexample path/));
  it('--replay needs --seed', async () => expectUsageError(await cli([...run, '--replay', '3:0']), /--replay needs the --seed/));
  it('--replay needs exactly one property scenario', async () =>
    expectUsageError(await cli([...run, '--seed', '-5', '--replay', '3:0']), /select it with --scenario \(none is selected\)/));
  it('a negative seed is accepted; without a property scenario it is noted and changes nothing', async () => {
    const result = await cli([...run, '--seed', '-5', '--runs', '3', '--reporter', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('note: --runs, --seed apply to property scenarios only, and none is selected');
  });
  it('--no-shrink is a property option like the others', async () => {
    const result = await cli([...run, '--no-shrink', '--reporter', 'json']);
    expect(result.stderr).toContain('note: --no-shrink applies to property scenarios only, and none is selected');
  });
});

describe('help and list', () => {
  it('--help prints usage and exit codes to stdout and exits 0, for every command', async () => {
    for (const args of [['--help'], ['client', '--help'], ['server', '--help'], ['list', '--help']]) {
      const result = await cli(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('Usage: mcp-auth-conformance');
    }
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/Exit codes:[\s\S]*3 +the target could not be run[\s\S]*130/);
    expect(top.stdout).toContain('--spec-version');
  });

  it('list --json gives every scenario with its checks, requirement ids and spec versions', async () => {
    const result = await cli(['list', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as {
      scenarios: Array<{
        id: string;
        suites: string[];
        specVersions: string[];
        checks: Array<{
          id: string;
          level: string;
          requirements: string[];
          requirementDetails: Array<{ id: string; keyword: string | null; text: string | null; source: string | null }>;
          specVersions: string[];
        }>;
      }>;
    };
    expect(listing.scenarios.length).toBeGreaterThan(5);
    const ids = listing.scenarios.map((s) => s.id);
    expect(ids).toContain('auth/metadata-default');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('server/token-validation');
    for (const scenario of listing.scenarios) {
      expect(scenario.specVersions.length).toBeGreaterThan(0);
      expect(scenario.checks[0].id).toBe(scenario.id.startsWith('server/') ? 'server-available' : scenario.id.startsWith('as/') ? 'authorization-server-available' : 'client-process');
      expect(scenario.checks.length).toBeGreaterThan(1);
    }
    const servers = JSON.parse((await cli(['list', '--json', '--role', 'server'])).stdout) as typeof listing;
    expect(servers.scenarios.length).toBeGreaterThan(5);
    expect(servers.scenarios.every((s) => s.id.startsWith('server/'))).toBe(true);
    expect(listing.scenarios.flatMap((s) => s.checks).some((c) => c.requirements.length > 0)).toBe(true);
    for (const check of listing.scenarios.flatMap((s) => s.checks)) {
      expect(check.requirementDetails.map((r) => r.id)).toEqual(check.requirements);
      for (const requirement of check.requirementDetails) expect(requirement.text, `${check.id} cites ${requirement.id}`).toEqual(expect.any(String));
    }
    const pkce = listing.scenarios.find((s) => s.id === 'auth/metadata-default')!.checks.find((c) => c.id === 'pkce-s256')!;
    expect(pkce.requirementDetails[0]).toEqual({ id: 'C-PKCE-03', keyword: 'MUST', text: 'Use `S256` when technically capable', source: 'SEC' });

    const narrowed = JSON.parse((await cli(['list', '--json', '--suite', 'pkce', '--spec-version', '2025-11-25'])).stdout) as typeof listing;
    expect(narrowed.scenarios.length).toBeGreaterThan(0);
    expect(narrowed.scenarios.length).toBeLessThan(listing.scenarios.length);
    for (const scenario of narrowed.scenarios) {
      expect(scenario.suites).toContain('pkce');
      expect(scenario.specVersions).toContain('2025-11-25');
      for (const check of scenario.checks) expect(check.specVersions).toContain('2025-11-25');
    }
  });

  it('list prints text by default', async () => {
    const result = await cli(['list', '--suite', 'core']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/auth\/metadata-default/);
    expect(result.stdout).toMatch(/MUST +client-process/);
    expect(result.stdout).toMatch(/\d+ scenarios, \d+ checks\n$/);
  });

  it('list --requirement prints what a requirement says and which checks test it, in which scenarios', async () => {
    const result = await cli(['list', '--requirement', 'c-pkce-03', '--requirement', 'AT-18', '--requirement', 'C-PKCE-03']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const [pkce, attack, ...rest] = result.stdout.trimEnd().split('\n\n');
    expect(rest).toEqual([]);
    expect(pkce).toMatch(/^C-PKCE-03  MUST\n  Use `S256` when technically capable\n  source: SEC\n  reference: O21 §4\.1\.1; RFC 7636 §4\.2\n  since: 2025-11-25\n/);
    expect(pkce).toContain('  section: 1. MCP authorization spec, latest dated revision (2026-07-28 = draft) › 1.2 MCP client (C) › Authorization request and response');
    expect(pkce).toMatch(/  tested by:\n    MUST   pkce-s256  uses code_challenge_method=S256, never plain  \(2025-03-26, .*\)\n           in \d+ scenarios: auth\/metadata-default, /);
    expect(attack).toMatch(/^AT-18  \(no BCP 14 keyword\)\n  Step-up loop\n/);
    expect(attack).toContain('  pass criterion: Client stops after a few attempts (retry limit)');
    expect(attack).toMatch(/  tested by: no check$/);
  });

  it('list --requirement --json gives the catalogue entry with the checks and scenarios that test it, within the selection', async () => {
    const listing = async (args: string[]) =>
      JSON.parse((await cli(['list', '--json', '--requirement', 'PRM-C-04', ...args])).stdout) as {
        requirements: Array<{ id: string; keyword: string; text: string; source: string; reference: null; section: string[]; checks: Array<{ id: string; level: string; scenarios: string[] }> }>;
      };
    const { requirements } = await listing([]);
    expect(requirements).toHaveLength(1);
    expect(requirements[0]).toMatchObject({ id: 'PRM-C-04', keyword: 'MUST NOT', source: '§3.3, §7.3', reference: null, section: ['2. Testable requirements from the underlying RFCs / drafts', '2.1 RFC 9728: Protected Resource Metadata', 'Client'] });
    expect(requirements[0].text).toMatch(/^Use the metadata if `resource` ≠ the identifier/);
    expect(requirements[0].checks).toEqual([{ id: 'prm-resource-validated', title: expect.any(String), level: 'MUST', specVersions: expect.any(Array), scenarios: ['auth/resource-mismatch'] }]);
    expect((await listing(['--suite', 'pkce'])).requirements[0].checks).toEqual([]);
  });
});

describe('runs', () => {
  it('exits 3 when the client command does not exist', async () => {
    const result = await cli(['--client', 'mcp-auth-conformance-no-such-client', '--scenario', 'auth/metadata-default', '--scenario', 'auth/pkce-not-advertised']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('could not be started');
  });

  it('exits 0 for the reference client and writes report.json and junit.xml', async () => {
    const result = await cli(['client', '--command', referenceClient, '--scenario', 'auth/metadata-default', '--reporter', 'console,json,junit', '--output-dir', 'out']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('auth/metadata-default');
    // Progress goes to stderr, never into the report on stdout.
    expect(result.stderr).toMatch(/PASS auth\/metadata-default/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
    const report = JSON.parse(readFileSync(path.join(cwd, 'out/report.json'), 'utf8')) as { summary: { exitCode: number }; scenarios: unknown[] };
    expect(report.summary.exitCode).toBe(0);
    expect(report.scenarios).toHaveLength(1);
    expect(readFileSync(path.join(cwd, 'out/junit.xml'), 'utf8')).toContain('<testsuites');
  });

  it('exits 1 when a required check fails, and 0 when the baseline expects exactly that', async () => {
    const args = ['--client', 'true', '--scenario', 'auth/metadata-default', '--reporter', 'json'];
    const failing = await cli(args);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toBe('');
    await writeFile(path.join(cwd, 'baseline.yaml'), 'client:\n  - auth/metadata-default\n');
    const baselined = await cli([...args, '--expected-failures', 'baseline.yaml']);
    expect(baselined.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as { summary: { checks: { expectedFailures: number } } };
    expect(report.summary.checks.expectedFailures).toBeGreaterThan(0);
  });

  it('on SIGINT stops the clients, writes what finished and exits 130', async () => {
    const script = path.join(cwd, 'hang.sh');
    await writeFile(script, `case "$MCP_CONFORMANCE_SCENARIO" in auth/metadata-default) exit 0 ;; esac\necho $$ > "${cwd}/client.pid"\nexec sleep 60\n`);
    const run = start([
      'client', '--command', `exec sh ${script}`, '--jobs', '1', '--timeout', '60000', '--reporter', 'console,json',
      '--scenario', 'auth/metadata-default', '--scenario', 'auth/metadata-var1', '--scenario', 'auth/metadata-var2',
    ]);
    const pidFile = path.join(cwd, 'client.pid');
    // Generous: the CLI and the client start on a machine that may be running other test files.
    const deadline = Date.now() + 60_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error('the hanging client never started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const clientPid = Number(readFileSync(pidFile, 'utf8').trim());
    run.child.kill('SIGINT');
    const result = await run.done;

    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('interrupted');
    expect(() => process.kill(clientPid, 0)).toThrow();
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as {
      interrupted: boolean;
      scenarios: Array<{ id: string; status: string; skipReason?: string }>;
    };
    expect(report.interrupted).toBe(true);
    expect(report.scenarios.map((s) => [s.id, s.skipReason])).toEqual([
      ['auth/metadata-default', undefined],
      ['auth/metadata-var1', 'interrupted'],
      ['auth/metadata-var2', 'interrupted'],
    ]);
    expect(result.stdout).toContain('Interrupted');
  }, 120_000);
});

describe('server', () => {
  const referenceServer = `node ${path.join(root, 'dist/examples/servers/reference-server.js')}`;

  it.each([
    [[], 'give the server as --url'],
    [['--url', 'http://127.0.0.1:1/mcp', '--command', 'true'], 'one of the two'],
    [['--url', 'http://127.0.0.1:1/mcp'], 'with --url, give --as-port'],
    [['--url', 'not a url'], '--url must be an absolute URL'],
    [['--url', 'http://127.0.0.1:1/mcp#x', '--as-port', '1'], 'fragment'],
    [['--command', 'true', '--tool-scope', 'test-tool'], '--tool-scope takes tool=scope'],
    [['--command', 'true', '--token-format', 'paseto'], 'paseto'],
    [['--url', 'http://127.0.0.1:1/mcp', '--as-port', '1', '--mcp-path', '/mcp'], '--mcp-path goes with --command'],
  ])('a usage mistake (%j) is one line and exit code 2', async (args, said) => {
    const result = await cli(['server', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(said);
  });

  it('an --as-port that is taken is one line and exit code 2', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const result = await cli(['server', '--url', 'http://127.0.0.1:9/mcp', '--as-port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`mcp-auth-conformance: cannot run the kit's authorization server on --as-port ${port}: EADDRINUSE`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('nothing listening at --url is exit code 3 with the reason, and the reports are still written', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const result = await cli(['server', '--url', 'http://127.0.0.1:9/mcp', '--as-port', String(port), '--reporter', 'console,json']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('nothing listens at 127.0.0.1:9');
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as { role: string; summary: { exitCode: number }; scenarios: Array<{ status: string }> };
    expect(report.role).toBe('server');
    expect(report.summary.exitCode).toBe(3);
    expect(report.scenarios.every((s) => s.status === 'skip')).toBe(true);
  });

  it('a server command that dies before it listens is exit code 3 with its last words, and nothing is left running', async () => {
    const result = await cli(['server', '--command', `node -e "console.error('Error: cannot read config.json'); process.exit(4)"`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('exited with code 4 before it listened');
    expect(result.stderr).toContain('cannot read config.json');
  });

  it('the reference server passes every scenario (exit 0); the report names the target it started', async () => {
    const result = await cli(['server', '--command', referenceServer, '--tool-scope', 'test-tool=mcp:write', '--reporter', 'console,json,junit']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as { target: { url: string; command: string }; scenarios: Array<{ id: string; status: string }> };
    expect(report.target.command).toBe(referenceServer);
    expect(report.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(report.scenarios.filter((s) => s.status === 'fail')).toEqual([]);
    expect(existsSync(path.join(cwd, 'results/junit.xml'))).toBe(true);
  });
});

describe('server baselines, replays and requirements', () => {
  const mutant = (defects: string) => `REFERENCE_SERVER_DEFECTS=${defects} node ${path.join(root, 'dist/test/mutants/reference-server-mutant.js')}`;

  it('a server: entry of the baseline excuses the failure it names, and only that one', async () => {
    const args = ['server', '--command', mutant('no-scope-check'), '--tool-scope', 'test-tool=mcp:write', '--scenario', 'server/insufficient-scope'];
    expect((await cli(args)).code).toBe(1);
    await writeFile(path.join(cwd, 'baseline.yaml'), 'server:\n  - server/insufficient-scope:scope-enforced\n');
    const excused = await cli([...args, '--expected-failures', 'baseline.yaml']);
    expect(excused.code, excused.stdout + excused.stderr).toBe(0);
    await writeFile(path.join(cwd, 'client-only.yaml'), 'client:\n  - server/insufficient-scope:scope-enforced\n');
    expect((await cli([...args, '--expected-failures', 'client-only.yaml'])).code).toBe(1);
  });

  it('a fuzz counterexample prints the command that replays it, and the replay finds it again', async () => {
    const first = await cli(['server', '--command', mutant('strips-non-ascii'), '--scenario', 'server/token-fuzz', '--seed', '20261202', '--tool-scope', 'test-tool=mcp:write', '--reporter', 'json']);
    expect(first.code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as { scenarios: Array<{ property?: { replay?: string; counterexample?: string } }> };
    const property = report.scenarios[0].property!;
    expect(property.counterexample).toMatch(/followed by U\+/);
    expect(property.replay).toMatch(/^mcp-auth-conformance server --command .* --scenario server\/token-fuzz .*--tool-scope test-tool=mcp:write --seed=20261202 --replay [\d:]+$/);
    const replayArgs = property.replay!.match(/--seed=(\S+) --replay (\S+)$/)!;
    const again = await cli(['server', '--command', mutant('strips-non-ascii'), '--scenario', 'server/token-fuzz', '--tool-scope', 'test-tool=mcp:write', `--seed=${replayArgs[1]}`, '--replay', replayArgs[2], '--reporter', 'json']);
    expect(again.code).toBe(1);
    const replayed = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as typeof report;
    expect(replayed.scenarios[0].property!.counterexample).toBe(property.counterexample);
  });

  it('list --requirement names the server checks that test a resource-server requirement', async () => {
    const result = await cli(['list', '--requirement', 'S-TOK-02']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rejects-foreign-audience');
    expect(result.stdout).toContain('server/token-validation');
  });
});

describe('authorization-server', () => {
  const mockAs = (policy = 'grace-same') => `MOCK_REFRESH_POLICY=${policy} node ${path.join(root, 'dist/examples/authorization-servers/mock-authorization-server.js')}`;
  const freePort = (): Promise<number> =>
    new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });

  it.each([
    [[], 'give the authorization server as --issuer'],
    [['--issuer', 'http://127.0.0.1:1', '--command', 'true'], 'one of the two'],
    [['--issuer', 'not a url'], '--issuer must be an absolute URL'],
    [['--command', 'true', '--resource', 'http://127.0.0.1:3000/mcp#x'], '--resource must not have a fragment'],
    [['--command', 'true', '--client-secret', 's3cret'], '--client-secret needs --client-id'],
    [['--command', 'true', '--username', 'alice'], '--username needs the password in MCP_CONFORMANCE_PASSWORD'],
    [['--issuer', 'http://127.0.0.1:1', '--issuer-path', '/oidc'], '--issuer-path goes with --command'],
  ])('a usage mistake (%j) is one line and exit code 2', async (args, said) => {
    const result = await cli(['authorization-server', ...args], { MCP_CONFORMANCE_PASSWORD: '' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(said);
  });

  it('nothing listening at --issuer is exit code 3 with the reason, and the reports are still written', async () => {
    const port = await freePort();
    const result = await cli(['authorization-server', '--issuer', `http://127.0.0.1:${port}`, '--reporter', 'console,json']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`stopped early: nothing listens at 127.0.0.1:${port}`);
    const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as { role: string; scenarios: Array<{ status: string }> };
    expect(report.role).toBe('authorization-server');
    expect(report.scenarios.every((s) => s.status === 'skip')).toBe(true);
  });

  it('a started server that never serves metadata is exit code 3, and its process is gone', async () => {
    const script = path.join(cwd, 'listens.mjs');
    await writeFile(script, `import('node:http').then(({ createServer }) => createServer((q, r) => r.writeHead(404).end()).listen(Number(process.env.PORT), '127.0.0.1'));\nprocess.title='mac-as-no-metadata';\n`);
    const result = await cli(['authorization-server', '--command', `node ${script}`, '--start-timeout', '1500']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/stopped early: the authorization server listened, but its metadata did not answer within 1500 ms/);
  });

  it('judges the kit\'s own mock authorization server: exit 0, every scenario that applies passes, no credential in the report', async () => {
    const result = await cli(['authorization-server', '--command', mockAs(), '--runs', '3', '--reporter', 'console,json']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const text = readFileSync(path.join(cwd, 'results/report.json'), 'utf8');
    const report = JSON.parse(text) as { scenarios: Array<{ id: string; status: string; exchanges: Array<{ response?: { body?: string } }> }> };
    // The mock vouches for the kit's own CIMD URL without fetching documents, so it does not advertise CIMD.
    expect(report.scenarios.map((s) => [s.id, s.status]).filter(([, status]) => status !== 'pass')).toEqual([['as/cimd', 'skip']]);
    // Every token the server issued shows as a fingerprint only.
    expect(text).not.toMatch(/"(access_token|refresh_token|id_token|client_secret|code)\\?":\s*\\?"(?!\[redacted )[^"\\]{20,}/);
    expect(text).toMatch(/\[redacted [0-9a-f]{8}\]/);
  });

  it('--no-redact keeps the credentials, and a refresh-race counterexample prints the command that replays it', async () => {
    const args = ['authorization-server', '--command', mockAs('no-invalidation'), '--scenario', 'as/refresh-race', '--seed', '20261202', '--reporter', 'json', '--no-redact'];
    const first = await cli(args);
    expect(first.code).toBe(1);
    const text = readFileSync(path.join(cwd, 'results/report.json'), 'utf8');
    expect(text).not.toContain('[redacted ');
    const report = JSON.parse(text) as { scenarios: Array<{ property?: { replay?: string; outcomes?: Record<string, number> } }> };
    const property = report.scenarios[0].property!;
    expect(property.replay).toMatch(/^mcp-auth-conformance authorization-server --command .* --scenario as\/refresh-race .*--seed=20261202 --replay [\d:]+$/);
    expect(Object.keys(property.outcomes ?? {}).some((outcome) => /distinct successors, \d+ alive afterwards/.test(outcome))).toBe(true);
  });

  it('an authorization-server: baseline entry excuses a known failure', async () => {
    const args = ['authorization-server', '--command', mockAs('no-invalidation'), '--scenario', 'as/refresh'];
    expect((await cli(args)).code).toBe(1);
    await writeFile(path.join(cwd, 'baseline.yaml'), 'authorization-server:\n  - as/refresh:refresh-superseded-refused\n');
    const excused = await cli([...args, '--expected-failures', 'baseline.yaml']);
    expect(excused.code, excused.stdout + excused.stderr).toBe(0);
  });

  it('list --role authorization-server lists its scenarios with the engine check first', async () => {
    const result = await cli(['list', '--role', 'authorization-server']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/as\/metadata[\s\S]*authorization-server-available[\s\S]*metadata-published/);
    expect(result.stdout).not.toContain('auth/metadata-default');
  });
});
