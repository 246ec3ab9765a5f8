// The store lock. Every process that shares the credential store takes it around each
// read-modify-write and around the whole refresh transaction (RT-C-02, RT-C-11).
//
// Two layers: an in-process queue, so the tasks of one process take turns without touching the
// disk, and a lock file created with O_CREAT|O_EXCL ('wx'), which exactly one process can create.
// The file names its holder (pid, host, time, a random nonce); a holder that died, or a lock older
// than any run can live, is broken. Breaking moves the file aside first and checks that what moved
// is what was judged stale: another waiter may have broken it and locked anew in between, and that
// fresh lock is put back.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { LOCK_STALE_MS, LOCK_WAIT_MS } from './config.js';
import { log, sleep } from './log.js';

/** Waiting for the lock took too long. The caller must fail, never go on unlocked (RT-C-11). */
export class LockTimeoutError extends Error {}

export interface Lock {
  withLock<T>(work: () => Promise<T> | T): Promise<T>;
}

/** Mutual exclusion among the tasks of this process only. */
export class InProcessLock implements Lock {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(protected readonly timeoutMs: number = LOCK_WAIT_MS) {}

  async withLock<T>(work: () => Promise<T> | T): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    await this.enter();
    try {
      await this.acquireShared(deadline);
      try {
        return await work();
      } finally {
        this.releaseShared();
      }
    } finally {
      this.leave();
    }
  }

  /** The part shared with other processes; nothing here. */
  protected acquireShared(_deadline: number): Promise<void> | void {}

  protected releaseShared(): void {}

  private enter(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        reject(new LockTimeoutError(`waited ${this.timeoutMs} ms for the store lock inside this process`));
      }, this.timeoutMs);
      this.waiting.push(turn);
    });
  }

  /** Hands the lock straight to the next waiter, so no task can slip in between. */
  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

interface Holder {
  pid: number;
  host: string;
  since: number;
  nonce: string;
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The in-process queue plus a lock file that other processes respect. */
export class FileLock extends InProcessLock {
  /** What we wrote into the lock file, while we hold it. */
  private held: string | undefined;

  constructor(
    readonly file: string,
    timeoutMs: number = LOCK_WAIT_MS,
    private readonly staleMs: number = LOCK_STALE_MS,
  ) {
    super(timeoutMs);
    // A run that ends while holding the lock (its deadline, a signal turned into exit) leaves no lock behind.
    process.once('exit', () => this.releaseShared());
  }

  protected override async acquireShared(deadline: number): Promise<void> {
    const holder: Holder = { pid: process.pid, host: hostname(), since: Date.now(), nonce: randomBytes(8).toString('hex') };
    const content = JSON.stringify(holder);
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    for (;;) {
      try {
        const fd = openSync(this.file, 'wx', 0o600);
        try {
          writeSync(fd, content);
        } finally {
          closeSync(fd);
        }
        this.held = content;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (this.breakIfStale()) continue;
      if (Date.now() >= deadline) throw new LockTimeoutError(`${this.file} is still held by another process after ${this.timeoutMs} ms`);
      await sleep(10 + Math.random() * 20);
    }
  }

  protected override releaseShared(): void {
    const mine = this.held;
    if (mine === undefined) return;
    this.held = undefined;
    // Only our own: a lock broken as stale (we were far too slow) may now be another process's.
    if (readQuietly(this.file) === mine) unlinkQuietly(this.file);
  }

  /** True when the lock file is gone (or was just removed as stale): try to create it again at once. */
  private breakIfStale(): boolean {
    const seen = readQuietly(this.file);
    if (seen === undefined) return true;
    if (!this.isStale(seen)) return false;
    const aside = `${this.file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(this.file, aside);
    } catch {
      return true;
    }
    const moved = readQuietly(aside);
    if (moved !== seen) {
      // Not the stale lock but a fresh one taken since we looked: put it back. link() fails if a
      // third process locked in the microseconds between; then two hold it, the one case this
      // scheme does not cover (it needs a holder crash and three racing waiters).
      try {
        linkSync(aside, this.file);
      } catch {
        // see above
      }
    } else {
      log('lock', `removed a stale lock left by ${this.describe(seen)}`);
    }
    unlinkQuietly(aside);
    return true;
  }

  private isStale(content: string): boolean {
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(content) as Holder;
    } catch {
      holder = undefined;
    }
    if (!holder?.since) {
      // Created but not yet written, or its creator died in between: judge by the file's age.
      try {
        return Date.now() - statSync(this.file).mtimeMs > this.staleMs;
      } catch {
        return false;
      }
    }
    if (Date.now() - holder.since > this.staleMs) return true;
    return holder.host === hostname() && !isAlive(holder.pid);
  }

  private describe(content: string): string {
    try {
      const holder = JSON.parse(content) as Holder;
      return `pid ${holder.pid} (${Math.round((Date.now() - holder.since) / 1000)} s old)`;
    } catch {
      return 'a process that never finished writing it';
    }
  }
}
