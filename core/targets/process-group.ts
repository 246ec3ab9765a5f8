// What every target the kit starts has in common: it runs in a process group of its own, so that
// stopping it stops whatever it spawned, and the group is killed whatever way the kit ends. The exit
// hook is the last line of defence when the kit itself dies of an exception: `exit` handlers run
// then, and SIGKILL needs no cooperation.

const TAIL_BYTES = 8 * 1024;
const TAIL_LINES = 50;

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
