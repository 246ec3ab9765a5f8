// The reference client with single defects, so that each check of the refresh, step-up and
// caching scenarios can be shown to fail against exactly the defect it looks for.
//
// Usage: node reference-mutant.js <mcp url>, with the kit's environment and
// REFERENCE_DEFECTS=name,name (empty = the reference itself; names in reference-defects.ts).
// Each defect replaces one part of the reference (see `Parts` in examples/clients/reference/main.ts)
// with a subclass that overrides one method; defects compose, each extending what came before.
import type { BearerChallenge } from '../../examples/clients/reference/http.js';
import { existsSync, writeFileSync } from 'node:fs';
import { METADATA_DEFAULT_TTL_MS } from '../../examples/clients/reference/config.js';
import type { Binding } from '../../examples/clients/reference/discovery.js';
import { FileLock, InProcessLock, LockTimeoutError, type Lock } from '../../examples/clients/reference/lock.js';
import { Failure, log } from '../../examples/clients/reference/log.js';
import { REFERENCE_PARTS, runReferenceClient, type Parts } from '../../examples/clients/reference/main.js';
import { CredentialStore, findIssuerRecord, issuerRecord, serverRecord, type CachedDocument, type ClientRecord, type IssuerRecord, type StoreData, type TokenRecord } from '../../examples/clients/reference/store.js';
import type { TokenResponse, TokenResult } from '../../examples/clients/reference/token-endpoint.js';
import { REFERENCE_DEFECTS, type ReferenceDefect } from './reference-defects.js';

/** No mutual exclusion at all. */
class NoLock implements Lock {
  async withLock<T>(work: () => Promise<T> | T): Promise<T> {
    return work();
  }
}

/** Gives up at once when the lock is taken, then does the work anyway. */
class ImpatientLock extends FileLock {
  constructor(file: string) {
    super(file, 0);
  }

  override async withLock<T>(work: () => Promise<T> | T): Promise<T> {
    try {
      return await super.withLock(work);
    } catch (error) {
      if (!(error instanceof LockTimeoutError)) throw error;
      log('lock', 'not free; going on without it');
      return work();
    }
  }
}

/** Keeps the store as it read it first and writes that copy back whole, with each change applied. */
class StaleCopyStore extends CredentialStore {
  private copy: StoreData | undefined;

  override read(): StoreData {
    const data = super.read();
    this.copy ??= structuredClone(data);
    return data;
  }

  override modify(change: (data: StoreData) => void): StoreData {
    this.copy ??= super.read();
    change(this.copy);
    this.write(this.copy);
    return structuredClone(this.copy);
  }
}

/** A cached document that is reused for an hour from when it was fetched, whatever the server said. */
function keptAnHour<T>(document: CachedDocument<T>): CachedDocument<T> {
  return { url: document.url, document: document.document, fetchedAt: document.fetchedAt, expiresAt: document.fetchedAt + METADATA_DEFAULT_TTL_MS };
}

const MUTATIONS: Record<ReferenceDefect, (parts: Parts) => Parts> = {
  'no-lock': (parts) => ({
    ...parts,
    lock: () => new NoLock(),
    Credentials: class extends parts.Credentials {
      // No single flight either: every caller runs its own transaction.
      override refresh(binding: Binding, failed: string | undefined): Promise<TokenRecord | undefined> {
        return this.transaction(binding, failed);
      }
    },
  }),
  'in-process-lock-only': (parts) => ({ ...parts, lock: () => new InProcessLock() }),
  'lock-write-only': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      protected override transaction(binding: Binding, failed: string | undefined): Promise<TokenRecord | undefined> {
        return this.decideAndRefresh(binding, failed, (change) => this.store.update(change));
      }
    },
  }),
  'refresh-unlocked-on-lock-timeout': (parts) => ({ ...parts, lock: (file) => new ImpatientLock(file) }),
  'clear-on-invalid-grant-without-reread': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      // The store as this process found it at start, however long it waited for the lock since.
      private readonly atStart = this.store.read();

      protected override reread(issuer: string): IssuerRecord | undefined {
        return findIssuerRecord(this.atStart, this.target.resource, issuer);
      }

      protected override forgetRejected(record: IssuerRecord): void {
        delete record.tokens;
      }
    },
  }),
  'whole-store-overwrite': (parts) => ({ ...parts, store: (file, lock) => new StaleCopyStore(file, lock) }),
  'refresh-at-every-start': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      override async start(): Promise<void> {
        await super.start();
        const token = this.accessToken();
        if (!token) return;
        const tokens = await this.parts.credentials.refresh(await this.parts.discovery.bind(), token);
        if (tokens) this.use(tokens);
      }
    },
  }),
  'clear-on-5xx': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      protected override definitive(result: TokenResult): boolean {
        return result.kind !== 'issued';
      }
    },
  }),
  'keep-old-refresh-token': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      protected override rotated(stored: TokenRecord, response: TokenResponse) {
        return { ...super.rotated(stored, response), refresh_token: stored.refresh_token };
      }
    },
  }),
  'drop-refresh-token-when-not-rotated': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      protected override rotated(stored: TokenRecord, response: TokenResponse) {
        return { ...super.rotated(stored, response), refresh_token: response.refresh_token };
      }
    },
  }),
  'step-up-via-refresh': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      protected override async widen(binding: Binding, scope: string | undefined, failed: string | undefined): Promise<void> {
        const tokens = await this.parts.credentials.refresh(binding, failed);
        if (tokens) this.use(tokens);
        else await super.widen(binding, scope, failed);
      }
    },
  }),
  'step-up-without-union': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      protected override stepUpScope(challenge: BearerChallenge): string | undefined {
        return challenge.scope;
      }
    },
  }),
  'step-up-keeps-old-refresh-token': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      override async save(issuer: string, client: ClientRecord, response: TokenResponse, requestedScope: string | undefined): Promise<TokenRecord> {
        const before = this.stored(issuer)?.refresh_token;
        return super.save(issuer, client, before ? { ...response, refresh_token: before } : response, requestedScope);
      }
    },
  }),
  'step-up-on-any-403': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      override asksForMoreScope(): boolean {
        return true;
      }
    },
  }),
  'no-retry-limit': (parts) => ({ ...parts, limits: { authorizations: 10, stepUpsPerOperation: 10, recoveries: 12 } }),
  'no-discovery-cache': (parts) => ({
    ...parts,
    Discovery: class extends parts.Discovery {
      protected override fromCache(): Binding | undefined {
        return undefined;
      }

      // Still records which AS the server uses, or stored tokens could not be found again.
      protected override remember(data: StoreData, _prm: unknown, issuer: string): void {
        serverRecord(data, this.target.resource).issuer = issuer;
      }
    },
  }),
  'discover-every-start': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      override async start(): Promise<void> {
        await this.parts.discovery.bind({ revalidate: true });
        await super.start();
      }
    },
  }),
  'origin-fallback-on-outage': (parts) => ({
    ...parts,
    Discovery: class extends parts.Discovery {
      protected override async lastKnownGoodOnFailure<T>(fetch: () => Promise<CachedDocument<T>>, lastKnownGood: CachedDocument<T> | undefined, what: string): Promise<CachedDocument<T>> {
        try {
          return await fetch();
        } catch (error) {
          if (what !== 'PRM') return super.lastKnownGoodOnFailure(fetch, lastKnownGood, what);
          log('discovery', `${(error as Error).message}; no PRM, so the server's origin is the authorization server`);
          // An absent document: the next step names the MCP server origin as the issuer.
          return { url: null, document: null, fetchedAt: Date.now(), expiresAt: Date.now() };
        }
      }
    },
  }),
  'cache-ignores-no-store': (parts) => ({
    ...parts,
    Discovery: class extends parts.Discovery {
      protected override remember(data: StoreData, prm: CachedDocument<never>, issuer: string, metadata: CachedDocument<never>): void {
        super.remember(data, prm, issuer, metadata);
        serverRecord(data, this.target.resource).prm = keptAnHour(prm);
        issuerRecord(data, this.target.resource, issuer).metadata = keptAnHour(metadata);
      }
    },
  }),
  'client-keyed-by-resource': (parts) => ({
    ...parts,
    Registrar: class extends parts.Registrar {
      protected override stored(data: StoreData, issuer: string): ClientRecord | undefined {
        const records = Object.values(data.servers[this.target.resource]?.authorizationServers ?? {});
        return super.stored(data, issuer) ?? records.find((record) => record.client)?.client;
      }
    },
  }),
  'cache-auth-failure': (parts) => ({
    ...parts,
    Authorizer: class extends parts.Authorizer {
      private readonly marker = `${this.parts.target.storeFile}.failed`;

      override async start(): Promise<void> {
        if (existsSync(this.marker)) throw new Failure(`${this.parts.target.resource} refused every token before; not trying again`);
        await super.start();
      }

      override async recover(failed: string | undefined, challenge: BearerChallenge): Promise<void> {
        try {
          await super.recover(failed, challenge);
        } catch (error) {
          if (error instanceof Failure) writeFileSync(this.marker, String(Date.now()));
          throw error;
        }
      }
    },
  }),
  'give-up-on-refused-refresh': (parts) => ({
    ...parts,
    Credentials: class extends parts.Credentials {
      // Where the reference falls through to a new authorization, this one stops.
      protected override forgetRejected(record: IssuerRecord, rejectedRefreshToken: string): void {
        super.forgetRejected(record, rejectedRefreshToken);
        throw new Failure('the refresh token was refused; giving up');
      }
    },
  }),
  'register-every-authorization': (parts) => ({
    ...parts,
    Registrar: class extends parts.Registrar {
      // Asked only when authorizing: nothing stored is good enough, so each authorization registers.
      protected override stored(): ClientRecord | undefined {
        return undefined;
      }
    },
  }),
  'register-every-run': (parts) => ({
    ...parts,
    Registrar: class extends parts.Registrar {
      private readonly registeredHere = new Set<string>();

      // A registration from an earlier run is not trusted; one made by this process is.
      protected override stored(data: StoreData, issuer: string): ClientRecord | undefined {
        const client = super.stored(data, issuer);
        return client?.source === 'dcr' && !this.registeredHere.has(client.client_id) ? undefined : client;
      }

      override async clientFor(binding: Binding): Promise<ClientRecord> {
        const client = await super.clientFor(binding);
        this.registeredHere.add(client.client_id);
        return client;
      }
    },
    Authorizer: class extends parts.Authorizer {
      // Registers at every start that has stored tokens (a cold start registers when it authorizes).
      override async start(): Promise<void> {
        await super.start();
        if (this.accessToken()) await this.parts.registrar.clientFor(await this.parts.discovery.bind());
      }
    },
  }),
};

function readDefects(): ReferenceDefect[] {
  const names = (process.env.REFERENCE_DEFECTS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !Object.hasOwn(REFERENCE_DEFECTS, name));
  if (unknown.length) {
    log('usage', `unknown defect(s) ${unknown.join(', ')}; known: ${Object.keys(REFERENCE_DEFECTS).join(', ')}`);
    process.exit(2);
  }
  return names as ReferenceDefect[];
}

const defects = readDefects();
if (defects.length) log('mutant', defects.map((defect) => `${defect}: ${REFERENCE_DEFECTS[defect]}`).join('; '));
runReferenceClient(defects.reduce((parts, defect) => MUTATIONS[defect](parts), REFERENCE_PARTS));
