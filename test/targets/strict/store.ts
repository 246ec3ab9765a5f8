// What the strict client keeps between runs, as a host does: one JSON file in the state directory
// shared by every copy and run of a scenario, keyed by authorization server issuer (a client
// identity and its tokens belong to one issuer, C-REG-15). The file is only ever replaced whole
// (written to a temporary file, then renamed over the old one), so a reader never sees half of it.
//
// Changes are made under an exclusive lock file (created with O_EXCL, so exactly one process can
// hold it), re-reading the file first: a copy never writes back a store older than the one on disk.
// A refresh holds the lock from the decision to refresh until the answer is on disk, so racing
// copies never present the same refresh token twice.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Failure, sleep } from './http.js';

/** A validated discovery document and how long it may be reused (RFC 9111 freshness). */
export interface Kept<T> {
  url: string;
  value: T;
  fetchedAt: number;
  freshUntil: number;
  /** Until then a stale copy may stand in when revalidation meets an error (RFC 5861 §4 stale-if-error). */
  staleIfErrorUntil?: number;
}

export interface Prm {
  resource: string;
  authorizationServers: string[];
  scopesSupported?: string[];
}

export interface AsMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint?: string;
  tokenEndpointAuthMethods?: string[];
  issSupported: boolean;
  cimdSupported: boolean;
}

export type AuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

export interface ClientIdentity {
  client_id: string;
  client_secret?: string;
  method: AuthMethod;
  source: 'pre-registered' | 'cimd' | 'registered';
}

export interface Grant {
  access_token: string;
  refresh_token?: string;
  /** What the server granted (RFC 6749 §5.1: absent in the answer means what was requested). */
  scope?: string;
  /** Every scope asked for in the authorization that started this grant (C-STP-03 keeps them). */
  requested_scope?: string;
  client_id: string;
}

export interface IssuerEntry {
  /** null: the server publishes no metadata (a 2025-03-26 server's default endpoints apply). */
  metadata?: Kept<AsMetadata | null>;
  client?: ClientIdentity;
  /** By resource (the canonical MCP server URL the tokens are for). */
  grants: Record<string, Grant>;
}

export interface ResourceEntry {
  issuer: string;
  /** value null: the server publishes no protected resource metadata (2025-03-26); absent: it said no-store. */
  prm?: Kept<Prm | null>;
}

export interface StoreData {
  issuers: Record<string, IssuerEntry>;
  resources: Record<string, ResourceEntry>;
}

/** A lock older than this was left by a copy that died holding it. */
const LOCK_STALE_MS = 10_000;
/** How long a copy waits for the lock before it gives up (never going on without it). */
const LOCK_WAIT_MS = 15_000;

export function issuerEntry(data: StoreData, issuer: string): IssuerEntry {
  return (data.issuers[issuer] ??= { grants: {} });
}

export class Store {
  private readonly lockFile: string;
  /** What this process wrote into the lock file while it holds it. */
  private holding: string | undefined;

  constructor(readonly file: string) {
    this.lockFile = `${file}.lock`;
    // A run that ends (its deadline, an exit) while holding the lock must not leave it behind.
    process.once('exit', () => this.unlock());
  }

  read(): StoreData {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { issuers: {}, resources: {} };
      throw error;
    }
    try {
      return JSON.parse(text) as StoreData;
    } catch {
      // Never replaced with an empty store: that would throw away every copy's credentials.
      throw new Failure(`the store ${this.file} is not JSON`);
    }
  }

  /**
   * Runs `work` holding the lock. `change` applies a modification to the store as it is on disk
   * now and writes it at once, so what `work` decided is persisted before anything uses it.
   */
  async locked<T>(work: (change: (modify: (data: StoreData) => void) => StoreData) => Promise<T>): Promise<T> {
    await this.lock();
    try {
      return await work((modify) => {
        const data = this.read();
        modify(data);
        this.replace(data);
        return data;
      });
    } finally {
      this.unlock();
    }
  }

  private replace(data: StoreData): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}`;
    // 0600: the file holds refresh tokens and client secrets.
    writeFileSync(temporary, JSON.stringify(data, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private async lock(): Promise<void> {
    mkdirSync(path.dirname(this.lockFile), { recursive: true, mode: 0o700 });
    const mine = JSON.stringify({ pid: process.pid, since: Date.now(), nonce: randomBytes(8).toString('hex') });
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        // 'wx' is O_CREAT | O_EXCL: it fails when the file exists, atomically.
        writeFileSync(this.lockFile, mine, { flag: 'wx', mode: 0o600 });
        this.holding = mine;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      this.removeIfStale();
      if (Date.now() > giveUpAt) throw new Failure(`the store lock ${this.lockFile} was held by another copy for ${LOCK_WAIT_MS / 1000} s`);
      await sleep(10 + Math.random() * 25);
    }
  }

  private unlock(): void {
    const mine = this.holding;
    if (mine === undefined) return;
    this.holding = undefined;
    // Only our own lock: one that was judged stale and replaced belongs to someone else now.
    if (this.lockContent() === mine) this.removeLock();
  }

  /** A lock whose holder has held it longer than any copy lives was left by a crash. */
  private removeIfStale(): void {
    const seen = this.lockContent();
    if (seen === undefined) return;
    let since: number;
    try {
      since = (JSON.parse(seen) as { since: number }).since;
    } catch {
      // Created but not yet written: its age is the file's.
      try {
        since = statSync(this.lockFile).mtimeMs;
      } catch {
        return;
      }
    }
    if (Date.now() - since <= LOCK_STALE_MS) return;
    // Only the lock we judged: another waiter may have replaced it since.
    if (this.lockContent() === seen) this.removeLock();
  }

  private lockContent(): string | undefined {
    try {
      return readFileSync(this.lockFile, 'utf8');
    } catch {
      return undefined;
    }
  }

  private removeLock(): void {
    try {
      unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }
}
