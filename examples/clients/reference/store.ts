// The credential store every copy of the client shares: one JSON file, keyed by MCP server URL and
// then by authorization server issuer (C-PRM-07, C-REG-15), holding the client registration, the
// tokens with a generation counter, and the discovery cache.
//
// The file is the only source of truth between processes. It is never edited in place: a write
// goes to a temporary file that is flushed to disk and renamed over the old one, so a reader sees
// the old store or the new one, never half of one. Every change is a read-modify-write of the
// current file under the store lock, so one process's change never undoes another's (RT-C-04).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AuthorizationServerMetadata, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Lock } from './lock.js';

export type AsMetadata = AuthorizationServerMetadata & { authorization_response_iss_parameter_supported?: boolean };

/** A discovery document and how long it may be reused; `document: null` records that there was none. */
export interface CachedDocument<T> {
  url: string | null;
  document: T | null;
  fetchedAt: number;
  /** Reuse until then (Cache-Control, DC-C-02); after it, still the last known good one (DC-C-05). */
  expiresAt: number;
}

export interface ClientRecord {
  client_id: string;
  client_secret?: string;
  /** From the registration response; absent for pre-registered clients, whose method the AS decides. */
  token_endpoint_auth_method?: string;
  source: 'pre-registered' | 'cimd' | 'dcr';
}

export interface TokenRecord {
  access_token: string;
  refresh_token?: string;
  /** Epoch ms; absent when the AS gave no lifetime. */
  expires_at?: number;
  /** What the AS granted. */
  scope?: string;
  /** What the authorization that started this token family asked for (C-SCP-05). */
  requested_scope?: string;
  /** The client the tokens were issued to: a refresh must authenticate as it. */
  client_id: string;
  /** +1 with every write of tokens for this key (RT-C-04). */
  generation: number;
}

export interface IssuerRecord {
  /** The last token generation written for this key; kept when dead tokens are deleted, so it never goes back. */
  generation?: number;
  metadata?: CachedDocument<AsMetadata>;
  client?: ClientRecord;
  tokens?: TokenRecord;
}

export interface ServerRecord {
  /** The authorization server the server's PRM named last (or its own origin, for a 2025-03-26 server). */
  issuer?: string;
  prm?: CachedDocument<OAuthProtectedResourceMetadata>;
  authorizationServers: Record<string, IssuerRecord>;
}

export interface StoreData {
  version: 1;
  servers: Record<string, ServerRecord>;
}

export function serverRecord(data: StoreData, server: string): ServerRecord {
  return (data.servers[server] ??= { authorizationServers: {} });
}

export function issuerRecord(data: StoreData, server: string, issuer: string): IssuerRecord {
  return (serverRecord(data, server).authorizationServers[issuer] ??= {});
}

/** Read-only lookup that creates nothing. */
export function findIssuerRecord(data: StoreData, server: string, issuer: string | undefined): IssuerRecord | undefined {
  return issuer === undefined ? undefined : data.servers[server]?.authorizationServers[issuer];
}

export class CredentialStore {
  constructor(
    readonly file: string,
    readonly lock: Lock,
  ) {}

  /** The store as it is on disk now. Needs no lock: the file is only ever replaced whole. */
  read(): StoreData {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, servers: {} };
      throw error;
    }
    // A store that cannot be parsed is not overwritten with an empty one: that would log every copy out.
    return JSON.parse(text) as StoreData;
  }

  /** Read-modify-write of the current file. The caller holds the lock. */
  modify(change: (data: StoreData) => void): StoreData {
    const data = this.read();
    change(data);
    this.write(data);
    return data;
  }

  /** A read-modify-write under the lock. */
  update(change: (data: StoreData) => void): Promise<StoreData> {
    return this.lock.withLock(() => this.modify(change));
  }

  /** Temporary file, fsync, rename: atomic replacement of the whole file. */
  protected write(data: StoreData): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      // 0600: refresh tokens are secrets (C-RT-01).
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(data, null, 2));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.file);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created, or already renamed
      }
      throw error;
    }
  }
}
