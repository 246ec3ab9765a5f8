// Finds the processes a client started that are out of reach of its process-group kill, and ends
// them. A helper started with setsid (a daemon, a browser, a detached child) leads a session and a
// group of its own, so no signal to the client's group reaches it. It did inherit the client's
// environment, though, and every process the kit launches carries values unique to that launch (the
// browser inbox) and to its scenario (the state directory): /proc/<pid>/environ of the helper still
// holds them, and a process may read its own user's environ files.
//
// Linux only. Where there is no /proc (macOS, Windows) nothing is found and nothing is ended; the
// process-group kill is all the kit has there. What this cannot see: a process that exec'ed with an
// environment stripped of the kit's values (env -i), and processes of other users (EACCES), which
// the kit could not signal anyway.
import { readdirSync, readFileSync } from 'node:fs';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { parseProcStat } from '../socket-owner.js';

/** How often the end of a SIGTERMed process is looked for, and how long a SIGKILL round waits. */
const POLL_MS = 50;
/** SIGKILL rounds after the grace; more than one catches what a dying process started meanwhile. */
const KILL_ROUNDS = 3;

export interface CarryingProcess {
  pid: number;
  /** Its process group when found; undefined when it vanished before its stat was read. */
  pgid: number | undefined;
}

/**
 * Whether a NUL-separated environment block holds `entry` (NAME=VALUE bytes) as one whole entry: a
 * longer value that starts with it, or an entry that ends with it, does not count.
 */
export function environHolds(environ: Buffer, entry: Buffer): boolean {
  if (entry.length === 0) return false;
  for (let at = environ.indexOf(entry); at >= 0; at = environ.indexOf(entry, at + 1)) {
    const startsEntry = at === 0 || environ[at - 1] === 0;
    const end = at + entry.length;
    const endsEntry = end === environ.length || environ[end] === 0;
    if (startsEntry && endsEntry) return true;
  }
  return false;
}

function readEnviron(proc: string, pid: number): Buffer | undefined {
  try {
    return readFileSync(`${proc}/${pid}/environ`);
  } catch {
    return undefined; // gone meanwhile (ENOENT, ESRCH) or another user's (EACCES)
  }
}

function groupOfPid(proc: string, pid: number): number | undefined {
  try {
    return parseProcStat(readFileSync(`${proc}/${pid}/stat`, 'utf8'))?.pgid;
  } catch {
    return undefined;
  }
}

function carries(proc: string, pid: number, entries: readonly Buffer[]): boolean {
  const environ = readEnviron(proc, pid);
  return environ !== undefined && entries.some((entry) => environHolds(environ, entry));
}

// Slices of the scan between which an async caller lets the event loop run: the world serves the
// other racing copies from the same loop, and a long scan must not hold their answers up.
const SLICE = 64;

function* scan(entries: readonly string[], proc: string): Generator<void, CarryingProcess[]> {
  const wanted = entries.map((entry) => Buffer.from(entry));
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return []; // no /proc on this platform
  }
  const found: CarryingProcess[] = [];
  let read = 0;
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (carries(proc, pid, wanted)) found.push({ pid, pgid: groupOfPid(proc, pid) });
    if (++read % SLICE === 0) yield;
  }
  return found;
}

/**
 * The processes other than this one whose environment holds any of `entries` (`NAME=VALUE`) whole.
 * Never throws; synchronous, so an exit handler can use it. Zombies have no environment left and are
 * never found: they run nothing.
 *
 * Cost: one scan lists /proc and reads the environ file of every process (the stat only of the few
 * that match); another user's process costs a refused open. Measured on 2 shared cores (Node 20) at
 * about 1.2 ms with ~100 processes on the machine (a median of 2-6 ms while other test runs kept both
 * cores busy), and about 10 ms with ~480 processes of the kit's own user: some 0.02 ms per readable
 * process. The driver pays it once per client exit, more only when something escaped.
 */
export function findProcessesCarrying(entries: readonly string[], proc = '/proc'): CarryingProcess[] {
  const slices = scan(entries, proc);
  let step = slices.next();
  while (!step.done) step = slices.next();
  return step.value;
}

/** findProcessesCarrying, letting the event loop run between slices. */
async function findProcessesCarryingSliced(entries: readonly string[], proc: string): Promise<CarryingProcess[]> {
  const slices = scan(entries, proc);
  let step = slices.next();
  while (!step.done) {
    await setImmediate();
    step = slices.next();
  }
  return step.value;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Ends every process carrying `entry`: SIGTERM, then, after up to `graceMs`, SIGKILL to whatever
 * carries it then (found again, so a pid that was reused in between is never hit, and what the dying
 * started meanwhile is). Resolves with the processes found by the first scan and the later ones,
 * once none is left or the kill rounds are spent.
 */
export async function endProcessesCarrying(entry: string, graceMs: number, proc = '/proc'): Promise<CarryingProcess[]> {
  const first = await findProcessesCarryingSliced([entry], proc);
  if (first.length === 0) return [];
  const ended = new Map(first.map((p) => [p.pid, p]));
  for (const { pid } of first) signal(pid, 'SIGTERM');
  const wanted = [Buffer.from(entry)];
  const deadline = performance.now() + graceMs;
  let left = first.map((p) => p.pid);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - performance.now())));
    left = left.filter((pid) => carries(proc, pid, wanted));
  }
  for (let round = 0; round < KILL_ROUNDS; round++) {
    const still = await findProcessesCarryingSliced([entry], proc);
    if (still.length === 0) break;
    for (const found of still) {
      if (!ended.has(found.pid)) ended.set(found.pid, found);
      signal(found.pid, 'SIGKILL');
    }
    await sleep(POLL_MS);
  }
  return [...ended.values()];
}

/** SIGKILLs every process carrying any of `entries`, without waiting: for exit handlers. */
export function killProcessesCarryingSync(entries: readonly string[], proc = '/proc'): void {
  if (entries.length === 0) return;
  for (const { pid } of findProcessesCarrying(entries, proc)) signal(pid, 'SIGKILL');
}
