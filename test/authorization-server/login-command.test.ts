// A user's login command in place of the kit's user agent: the redirect URL it prints is read as a
// Location would be, a command that prints none is reported with what it said, and one that hangs is
// ended with everything it started.
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loginWithCommand } from '../../core/targets/authorization-server/login-command.js';
import { isAlive, tempDir } from '../engine/helpers.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const AUTHORIZATION_URL = "https://as.example/authorize?client_id=c&state=it's&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback";

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});
afterAll(async () => remove());

async function script(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** Writes a login command and runs it on the test's authorization request. */
async function login(name: string, body: string, timeoutMs = 30_000): ReturnType<typeof loginWithCommand> {
  return loginWithCommand(AUTHORIZATION_URL, { command: await script(name, body), redirectUri: REDIRECT_URI, timeoutMs });
}

describe('a login command', () => {
  it('is handed the authorization URL and its last line on the redirect URI is the outcome', async () => {
    // Prints the URL it was given (argument and environment agree) and two redirect URLs, the last winning.
    const command = await script(
      'print.sh',
      [
        '[ "$1" = "$MCP_CONFORMANCE_AUTHORIZATION_URL" ] || { echo "argument and environment differ" >&2; exit 3; }',
        'echo "opening $1"',
        'echo "$MCP_CONFORMANCE_REDIRECT_URI?code=early"',
        'printf "  %s#code=late&state=%s\\n" "$MCP_CONFORMANCE_REDIRECT_URI" "$(echo "$1" | sed "s/.*state=\\([^&]*\\).*/\\1/")"',
        'echo "http://127.0.0.1:9/callbackish?code=not-this"',
        'printf "done"',
      ].join('\n'),
    );

    const outcome = await loginWithCommand(AUTHORIZATION_URL, { command, redirectUri: REDIRECT_URI, timeoutMs: 30_000 });

    expect(outcome).toMatchObject({ kind: 'redirected', url: `${REDIRECT_URI}#code=late&state=it's`, params: { code: 'late', state: "it's" }, from: 'fragment' });
    expect(outcome.exchange).toBeUndefined();
    expect(outcome.process).toMatchObject({ actor: 'login-command', exitCode: 0, signal: null, timedOut: false });
    expect(outcome.process.command).toBe(`${command} 'https://as.example/authorize?client_id=c&state=it'\\''s&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback'`);
    expect(outcome.process.stdoutTail).toContain(`opening ${AUTHORIZATION_URL}`);
    expect(outcome.process.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('that prints no URL and fails is reported with its exit code and last error line', async () => {
    const outcome = await login('fail.sh', 'echo "logging in..."\necho "warming up" >&2\necho "error: the password was refused" >&2\nexit 1');

    expect(outcome).toEqual({
      kind: 'stopped',
      reason: 'the login command exited with code 1 and printed no URL starting with http://127.0.0.1:9/callback; its last error line: error: the password was refused',
      process: expect.objectContaining({ exitCode: 1, timedOut: false, stdoutTail: 'logging in...\n' }),
    });
  });

  it('that succeeds without printing a URL is reported as such', async () => {
    const outcome = await login('quiet.sh', 'exit 0');

    expect(outcome).toMatchObject({ kind: 'stopped', reason: 'the login command exited with code 0 and printed no URL starting with http://127.0.0.1:9/callback' });
  });

  it('that hangs is killed after timeoutMs with everything it started', async () => {
    // Announces its own pid and a child's, then waits forever.
    const outcome = await login('hang.sh', 'sleep 600 &\necho "pids $$ $!" >&2\nwait', 500);

    expect(outcome).toMatchObject({
      kind: 'stopped',
      reason: 'the login command printed no URL starting with http://127.0.0.1:9/callback within 500 ms and was stopped',
      process: { timedOut: true, exitCode: null },
    });
    expect(outcome.process.signal).not.toBeNull();
    const pids = /pids (\d+) (\d+)/.exec(outcome.process.stderrTail);
    expect(pids, outcome.process.stderrTail).not.toBeNull();
    // The kill was sent before the outcome came; the kernel may take a moment to carry it out.
    for (const pid of pids!.slice(1).map(Number)) await vi.waitFor(() => expect(isAlive(pid), `process ${pid}`).toBe(false), { timeout: 10_000, interval: 20 });
  });

  it('is ended when the run is interrupted', async () => {
    const command = await script('wait.sh', 'echo ready\nexec sleep 600');
    const controller = new AbortController();
    const running = loginWithCommand(AUTHORIZATION_URL, { command, redirectUri: REDIRECT_URI, timeoutMs: 60_000, signal: controller.signal });
    controller.abort();

    expect(await running).toMatchObject({ kind: 'stopped', reason: 'the run was interrupted', process: { timedOut: false } });
  });

  it('that cannot be found is reported with what the shell said', async () => {
    const outcome = await loginWithCommand(AUTHORIZATION_URL, { command: path.join(dir, 'missing.sh'), redirectUri: REDIRECT_URI, timeoutMs: 30_000 });

    expect(outcome).toMatchObject({ kind: 'stopped', process: { exitCode: 127 } });
    expect(outcome.kind === 'stopped' && outcome.reason).toMatch(/^the login command exited with code 127 .*; its last error line: .*missing\.sh/);
  });
});
