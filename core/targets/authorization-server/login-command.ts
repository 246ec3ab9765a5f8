// The user's own way through an authorization server's login, for servers the kit's user agent
// cannot get through (a CAPTCHA, a second factor, a page that needs JavaScript): a command that is
// given the authorization URL, completes the login however it likes, and prints the URL the server
// finally sent the browser to. The kit reads that URL as it would have read the Location itself.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ProcessOutcome } from '../../trace.js';
import { shellQuote } from '../client/process.js';
import { drainOutput, GroupStopper, lastLine, ProcessRecord, signalGroup, trackGroup, untrackGroup } from '../process-group.js';
import { readRedirect, redirectEndpoint, type AuthorizationOutcome } from './user-agent.js';

/** The actor of the login command in traces and reports. */
export const LOGIN_COMMAND_ACTOR = 'login-command';

/** SIGTERM, then SIGKILL after this long. */
const KILL_GRACE_MS = 1000;

export interface LoginCommandOptions {
  /** Run by `sh -c` with the authorization URL appended as its last argument. */
  command: string;
  redirectUri: string;
  timeoutMs: number;
  /** The command's environment before the two MCP_CONFORMANCE_ entries are added; the kit's own when absent. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs the login command for one authorization request and reads where it ended. No outcome names
 * an exchange: the command, not the kit, made the requests. Never throws for the command's behaviour.
 */
export async function loginWithCommand(authorizationUrl: string, options: LoginCommandOptions): Promise<AuthorizationOutcome & { process: ProcessOutcome }> {
  const line = `${options.command} ${shellQuote(authorizationUrl)}`;
  const redirectKey = redirectEndpoint(options.redirectUri);
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    MCP_CONFORMANCE_AUTHORIZATION_URL: authorizationUrl,
    MCP_CONFORMANCE_REDIRECT_URI: options.redirectUri,
  };
  const record = new ProcessRecord(LOGIN_COMMAND_ACTOR, line);
  let interrupted = false;

  // The last line of stdout that is a URL on the redirect URI; the output may come in any chunks.
  let printed: string | undefined;
  let partial = '';
  const scan = (lines: string[]): void => {
    for (const candidate of lines.map((l) => l.trim())) {
      if (candidate.startsWith(redirectKey) && URL.canParse(candidate) && redirectEndpoint(candidate) === redirectKey) printed = candidate;
    }
  };

  let child: ChildProcess | undefined;
  if (options.signal?.aborted) interrupted = true;
  else {
    try {
      child = spawn('/bin/sh', ['-c', line], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    } catch (error) {
      record.spawnError = (error as Error).message;
    }
  }

  if (child) {
    const running = child;
    const pid = running.pid;
    if (pid !== undefined) trackGroup(pid);
    running.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      record.stdout.push(chunk);
      const lines = (partial + chunk).split(/\r\n|\n|\r/);
      partial = lines.pop() ?? '';
      scan(lines);
    });
    running.stderr?.setEncoding('utf8').on('data', (chunk: string) => record.stderr.push(chunk));
    running.stdout?.on('error', () => undefined);
    running.stderr?.on('error', () => undefined);

    const stopper = new GroupStopper(pid, KILL_GRACE_MS);
    let exited = false;
    const timeout = setTimeout(() => {
      if (exited) return;
      record.timedOut = true;
      stopper.stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      interrupted = true;
      stopper.stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const outputClosed = new Promise<void>((resolve) => running.once('close', () => resolve()));
    await new Promise<void>((resolve) => {
      running.once('error', (error: NodeJS.ErrnoException) => {
        if (running.pid !== undefined) return; // a failed kill of a running process changes nothing
        record.spawnError = error.code ? `${error.code}: ${error.message}` : error.message;
        resolve();
      });
      running.once('exit', (code, signal) => {
        exited = true;
        stopper.exited();
        record.exited(code, signal);
        if (pid !== undefined) {
          // A browser or helper it left behind goes with it.
          signalGroup(pid, 'SIGKILL');
          untrackGroup(pid);
        }
        void drainOutput(running, outputClosed).then(resolve);
      });
    });
    clearTimeout(timeout);
    options.signal?.removeEventListener('abort', onAbort);
    scan([partial]);
  }

  const processOutcome = record.outcome();
  const stop = (reason: string): AuthorizationOutcome & { process: ProcessOutcome } => ({ kind: 'stopped', reason, process: processOutcome });

  if (processOutcome.spawnError !== undefined) return stop(`the login command could not be started: ${processOutcome.spawnError}`);
  if (interrupted) return stop('the run was interrupted');
  // A command that printed the URL and then failed or hung still saw where the server sent the browser.
  if (printed !== undefined) return { kind: 'redirected', ...readRedirect(new URL(printed)), process: processOutcome };
  const noUrl = `printed no URL starting with ${redirectKey}`;
  if (processOutcome.timedOut) return stop(`the login command ${noUrl} within ${options.timeoutMs} ms and was stopped`);
  const { exitCode, signal } = processOutcome;
  if (exitCode === 0) return stop(`the login command exited with code 0 and ${noUrl}`);
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  const said = lastLine(processOutcome.stderrTail);
  return stop(`the login command ${how} and ${noUrl}${said ? `; its last error line: ${said}` : ''}`);
}
