// Starts a target that listens (`server --command`, `authorization-server --command`), waits until
// it does, and stops it with its whole process group. A target that exits before it listens, or
// never listens, is reported with the tail of its output: the one line a user needs to see what went
// wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Actor, ProcessOutcome } from '../trace.js';
import { listenerInGroup } from './socket-owner.js';
import { ProcessRecord, signalGroup, trackGroup, untrackGroup } from './process-group.js';

/** SIGTERM, then SIGKILL after this long. */
const KILL_GRACE_MS = 2000;
const POLL_MS = 50;

/**
 * How often a target is started on a new port when another program took the one it was given: the
 * kernel's free port is free only until someone else asks for one (another test run, say).
 */
export const PORT_ATTEMPTS = 3;

/** The target could not bind its port because something else had it. */
export function portWasTaken(outcome: ProcessOutcome): boolean {
  return /EADDRINUSE|address already in use/i.test(`${outcome.stderrTail}\n${outcome.stdoutTail}`);
}

/** A port nobody listens on now, for the server to take: the kernel's choice, released at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections at 127.0.0.1:port. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

export interface ListeningLaunch {
  command: string;
  /** The process's name in traces: `server`, `authorization-server`. */
  actor: Actor;
  env: NodeJS.ProcessEnv;
  /** Where the server is expected to listen. */
  host: string;
  port: number;
  /** How long it may take to listen. */
  startTimeoutMs: number;
  signal?: AbortSignal;
}

export type Readiness = { ready: true; afterMs: number } | { ready: false; reason: string };

export interface ListeningProcess {
  readonly pid: number | undefined;
  /** Resolves once the process listens, or with why it never will. */
  readonly ready: Promise<Readiness>;
  /** Still running. */
  running(): boolean;
  /** Resolves when the process has exited (never, while it runs). */
  readonly ended: Promise<void>;
  /** How it ended (or how it stands, while it runs): exit code, signal, output tails. */
  outcome(): ProcessOutcome;
  /** Stops the whole group (SIGTERM, then SIGKILL) and resolves once it is gone. */
  stop(): Promise<ProcessOutcome>;
}

export function startListening(launch: ListeningLaunch): ListeningProcess {
  const record = new ProcessRecord(launch.actor, launch.command);
  let exited = false;
  let child: ChildProcess | undefined;
  try {
    child = spawn('/bin/sh', ['-c', launch.command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: launch.env });
  } catch (error) {
    record.spawnError = (error as Error).message;
  }
  const pid = child?.pid;
  if (pid !== undefined) trackGroup(pid);
  child?.stdout?.setEncoding('utf8').on('data', (chunk: string) => record.stdout.push(chunk));
  child?.stderr?.setEncoding('utf8').on('data', (chunk: string) => record.stderr.push(chunk));
  const ended = new Promise<void>((resolve) => {
    if (!child) return resolve();
    child.once('error', (error) => {
      record.spawnError ??= error.message;
      exited = true;
      resolve();
    });
    child.once('close', (code, signal) => {
      record.exited(code, signal);
      exited = true;
      if (pid !== undefined) untrackGroup(pid);
      resolve();
    });
  });

  const outcome = (): ProcessOutcome => record.outcome();

  const ready = (async (): Promise<Readiness> => {
    if (record.spawnError !== undefined || pid === undefined) return { ready: false, reason: `could not be started: ${record.spawnError ?? 'no process'}` };
    const deadline = record.began + launch.startTimeoutMs;
    while (!exited && !launch.signal?.aborted) {
      // Something listening on the port is not enough: it must be this process (group), not a program
      // that took the port between the kit choosing it and the target binding it.
      if ((await listening(launch.port, launch.host)) && listenerInGroup(launch.port, pid) !== false) return { ready: true, afterMs: record.durationMs() };
      if (performance.now() > deadline) {
        record.timedOut = true;
        return { ready: false, reason: `did not listen on ${launch.host}:${launch.port} within ${launch.startTimeoutMs} ms` };
      }
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    }
    if (launch.signal?.aborted) return { ready: false, reason: 'the run was interrupted' };
    const how = record.signal ? `was killed by ${record.signal}` : `exited with code ${record.exitCode}`;
    return { ready: false, reason: `${how} before it listened on ${launch.host}:${launch.port}` };
  })();

  let stopping: Promise<ProcessOutcome> | undefined;
  return {
    pid,
    ready,
    ended,
    running: () => pid !== undefined && !exited,
    outcome,
    stop() {
      stopping ??= (async () => {
        if (pid !== undefined && !exited) {
          signalGroup(pid, 'SIGTERM');
          const kill = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
          await ended;
          clearTimeout(kill);
        }
        // Whatever it spawned into its group and left behind goes too.
        if (pid !== undefined) {
          signalGroup(pid, 'SIGKILL');
          untrackGroup(pid);
        }
        return outcome();
      })();
      return stopping;
    },
  };
}
