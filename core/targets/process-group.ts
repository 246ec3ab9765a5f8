// What every target the kit starts has in common: it runs in a process group of its own, so that
// stopping it stops whatever it spawned, and the group is killed whatever way the kit ends. The exit
// hook is the last line of defence when the kit itself dies of an exception: `exit` handlers run
// then, and SIGKILL needs no cooperation.

import type { ChildProcess } from 'node:child_process';
import type { Actor, ProcessOutcome } from '../trace.js';

const TAIL_BYTES = 8 * 1024;
const TAIL_LINES = 50;
/** After a process exits, how long something that left its group may keep its pipes open. */
const PIPE_DRAIN_MS = 200;
/** The longest line a one-line reason quotes. */
const REASON_LINE_CHARS = 200;

const liveGroups = new Set<number>();
const exitHooks = new Set<() => void>();

/** Signals a whole process group; false when it is gone already. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every tracked group still running; synchronous, for exit and signal handlers. */
export function killAllGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

/** Tracks a group until untracked; `onExit` (the killer of its kind of target) runs if the kit exits first. */
export function trackGroup(pgid: number, onExit: () => void = killAllGroups): void {
  if (!exitHooks.has(onExit)) {
    process.on('exit', onExit);
    exitHooks.add(onExit);
  }
  liveGroups.add(pgid);
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/**
 * Ends a running group: SIGTERM at each `stop`, and SIGKILL a grace period after the first for
 * whatever ignored it. `exited` says the group's leader is gone, after which nothing is sent.
 */
export class GroupStopper {
  private killTimer: NodeJS.Timeout | undefined;
  private gone = false;

  constructor(
    private readonly pgid: number | undefined,
    private readonly graceMs: number,
  ) {}

  stop(): void {
    const { pgid } = this;
    if (pgid === undefined || this.gone) return;
    signalGroup(pgid, 'SIGTERM');
    this.killTimer ??= setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.graceMs);
  }

  exited(): void {
    this.gone = true;
    clearTimeout(this.killTimer);
  }
}

/** The last lines of a stream, bounded in bytes as well as lines. */
export class OutputTail {
  private text = '';

  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * TAIL_BYTES) this.text = this.text.slice(-TAIL_BYTES);
  }

  value(): string {
    const lines = this.text.slice(-TAIL_BYTES).split('\n');
    return lines.slice(-TAIL_LINES - (lines.at(-1) === '' ? 1 : 0)).join('\n');
  }
}

/** What a target process did, gathered while it runs; its ProcessOutcome can be read at any moment. */
export class ProcessRecord {
  readonly stdout = new OutputTail();
  readonly stderr = new OutputTail();
  exitCode: number | null = null;
  signal: string | null = null;
  /** The process could not be started at all. */
  spawnError: string | undefined;
  timedOut = false;
  readonly began = performance.now();
  private endedAt: number | undefined;

  constructor(
    private readonly actor: Actor,
    private readonly command: string,
  ) {}

  exited(code: number | null, signal: string | null): void {
    this.exitCode = code;
    this.signal = signal;
    this.endedAt = performance.now();
  }

  /** Until it exited, or until now while it runs. */
  durationMs(): number {
    return Math.round((this.endedAt ?? performance.now()) - this.began);
  }

  outcome(): ProcessOutcome {
    return {
      actor: this.actor,
      command: this.command,
      exitCode: this.exitCode,
      signal: this.signal,
      timedOut: this.timedOut,
      ...(this.spawnError !== undefined ? { spawnError: this.spawnError } : {}),
      durationMs: this.durationMs(),
      stdoutTail: this.stdout.value(),
      stderrTail: this.stderr.value(),
    };
  }
}

/**
 * Resolves once an exited process's output pipes have closed, or PIPE_DRAIN_MS after the call when
 * something that left its group still holds them; they are destroyed then, so the tails end there.
 */
export async function drainOutput(child: ChildProcess, closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, PIPE_DRAIN_MS)))]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** The last line of some output, cut short, for a one-line reason. */
export function lastLine(text: string): string {
  const line = text.trimEnd().split('\n').at(-1)?.trim() ?? '';
  return line.length > REASON_LINE_CHARS ? `${line.slice(0, REASON_LINE_CHARS)}...` : line;
}
