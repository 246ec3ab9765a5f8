// Tokens in the shared store, and the refresh transaction.
//
// Several processes share one refresh token. If two present it, a rotating authorization server
// sees reuse and revokes the whole family, logging everyone out (research notes §1). So a refresh
// is one transaction under the store lock: re-read the store; if another copy already replaced
// the token this one found dead, adopt that instead of calling the token endpoint; otherwise
// present the *stored* refresh token (never a copy held in memory), persist the answer before
// anything uses it, and only then release the lock. Inside one process, parallel requests that
// found the same token dead share one transaction.
import { RETRY_AFTER_MAX_MS, type Target } from './config.js';
import type { Binding } from './discovery.js';
import { Failure, log, sleep } from './log.js';
import { findIssuerRecord, issuerRecord, type ClientRecord, type CredentialStore, type IssuerRecord, type StoreData, type TokenRecord } from './store.js';
import { describeResult, requestToken, type TokenResponse, type TokenResult } from './token-endpoint.js';

/** By the client's clock; a token the server refuses earlier shows up as a 401 instead. */
export function expired(tokens: TokenRecord): boolean {
  return tokens.expires_at !== undefined && Date.now() >= tokens.expires_at;
}

/** How the transaction writes: inside it, a plain read-modify-write (the lock is already held). */
export type Write = (change: (data: StoreData) => void) => StoreData | Promise<StoreData>;

type NewTokens = Omit<TokenRecord, 'generation'>;

export class Credentials {
  private readonly inFlight = new Map<string, Promise<TokenRecord | undefined>>();

  constructor(
    protected readonly store: CredentialStore,
    protected readonly target: Target,
  ) {}

  stored(issuer: string | undefined): TokenRecord | undefined {
    return findIssuerRecord(this.store.read(), this.target.resource, issuer)?.tokens;
  }

  /**
   * Tokens to use instead of `failed` (the access token the server refused or that expired):
   * adopted from the store or freshly refreshed. undefined: nothing to refresh with, authorize.
   * RT-C-02 within this process: callers that arrive while a refresh runs share it.
   */
  refresh(binding: Binding, failed: string | undefined): Promise<TokenRecord | undefined> {
    let running = this.inFlight.get(binding.issuer);
    if (!running) {
      running = this.transaction(binding, failed).finally(() => this.inFlight.delete(binding.issuer));
      this.inFlight.set(binding.issuer, running);
    }
    return running;
  }

  /** RT-C-02, RT-C-11 across processes: the lock covers the decision, the request and the write. */
  protected transaction(binding: Binding, failed: string | undefined): Promise<TokenRecord | undefined> {
    return this.store.lock.withLock(() => this.decideAndRefresh(binding, failed, (change) => this.store.modify(change)));
  }

  protected async decideAndRefresh(binding: Binding, failed: string | undefined, write: Write): Promise<TokenRecord | undefined> {
    const record = this.reread(binding.issuer);
    const tokens = record?.tokens;
    if (!tokens) return undefined;
    if (tokens.access_token !== failed && !expired(tokens)) {
      // RT-C-01, RT-C-06: another copy rotated already; its result is ours too, no request needed.
      log('refresh', `adopted generation ${tokens.generation}, stored by another process`);
      return tokens;
    }
    if (!tokens.refresh_token) return undefined;
    const client = record.client;
    if (client?.client_id !== tokens.client_id) {
      log('refresh', 'the client these tokens were issued to is no longer stored; authorizing instead');
      return undefined;
    }

    log('refresh', `presenting the stored refresh token (generation ${tokens.generation}) at ${binding.endpoints.token}`);
    const result = await this.post(binding, client, tokens.refresh_token);
    if (result.kind === 'issued') {
      let saved!: TokenRecord;
      // RT-C-05: on disk before anyone uses it; a rotated refresh token that is not stored is a lost family.
      await write((data) => (saved = storeTokens(data, this.target.resource, binding.issuer, this.rotated(tokens, result.tokens))));
      log('refresh', `stored generation ${saved.generation}`);
      return saved;
    }
    if (!this.definitive(result)) {
      // RT-C-09: the store stays as it is; a later run presents the same token again.
      throw new Failure(`refresh ${describeResult(result)}; stored credentials kept`);
    }
    log('refresh', `${describeResult(result)}: the refresh token of generation ${tokens.generation} is dead`);
    const after = await write((data) => {
      const latest = issuerRecord(data, this.target.resource, binding.issuer);
      this.forgetRejected(latest, tokens.refresh_token!);
      // DC-C-08: the AS no longer knows this client; the next authorization registers again.
      if (result.kind === 'rejected' && result.error === 'invalid_client' && latest.client?.client_id === client.client_id) delete latest.client;
    });
    // RT-C-06: if the store holds something else now, that is a newer credential, not the dead one.
    const now = findIssuerRecord(after, this.target.resource, binding.issuer)?.tokens;
    return now && now.refresh_token !== tokens.refresh_token ? now : undefined;
  }

  /** Inside the lock: the copy this process loaded at start may be generations old. */
  protected reread(issuer: string): IssuerRecord | undefined {
    return findIssuerRecord(this.store.read(), this.target.resource, issuer);
  }

  /** Tokens from an authorization: persisted before use (RT-C-05), replacing whatever the store held. */
  async save(issuer: string, client: ClientRecord, response: TokenResponse, requestedScope: string | undefined): Promise<TokenRecord> {
    let saved!: TokenRecord;
    await this.store.update((data) => {
      saved = storeTokens(data, this.target.resource, issuer, {
        ...fromResponse(response),
        // RFC 6749 §5.1: no scope in the answer means the requested one was granted.
        scope: response.scope ?? requestedScope,
        requested_scope: requestedScope,
        refresh_token: response.refresh_token,
        client_id: client.client_id,
      });
    });
    return saved;
  }

  /** The tokens that replace `stored` after a successful refresh. */
  protected rotated(stored: TokenRecord, response: TokenResponse): NewTokens {
    return {
      ...fromResponse(response),
      // RT-C-12: an answer without a refresh token leaves the old one valid (RFC 6749 §6).
      refresh_token: response.refresh_token ?? stored.refresh_token,
      // RT-C-13: the family's scope (a stepped-up one included) carries over.
      scope: response.scope ?? stored.scope,
      requested_scope: stored.requested_scope,
      client_id: stored.client_id,
    };
  }

  /** A 4xx, whatever its status or body (400, 401, 403, 404, unauthorized_client): this refresh token is dead. */
  protected definitive(result: TokenResult): boolean {
    return result.kind === 'rejected';
  }

  /** RT-C-07: compare-and-delete; a different token there was written by someone else and is kept. */
  protected forgetRejected(record: IssuerRecord, rejectedRefreshToken: string): void {
    if (record.tokens?.refresh_token === rejectedRefreshToken) delete record.tokens;
  }

  /** One retry, and only when the server said when (Retry-After, 429 or 503); the lock stays held meanwhile. */
  private async post(binding: Binding, client: ClientRecord, refreshToken: string): Promise<TokenResult> {
    // RT-C-08, C-RES-02: resource and client authentication on refresh too.
    const form = () => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, resource: this.target.resource });
    const first = await requestToken(binding, client, form());
    if (first.kind !== 'unavailable' || first.retryAfterMs === undefined || first.retryAfterMs > RETRY_AFTER_MAX_MS) return first;
    log('refresh', `${describeResult(first)}; retrying once in ${first.retryAfterMs} ms as Retry-After asks`);
    await sleep(first.retryAfterMs);
    return requestToken(binding, client, form());
  }
}

function fromResponse(response: TokenResponse): Pick<TokenRecord, 'access_token' | 'expires_at'> {
  return {
    access_token: response.access_token,
    ...(typeof response.expires_in === 'number' ? { expires_at: Date.now() + response.expires_in * 1000 } : {}),
  };
}

/** Writes the tokens for one key with the next generation number (RT-C-04); other keys are untouched. */
export function storeTokens(data: StoreData, server: string, issuer: string, tokens: NewTokens): TokenRecord {
  const record = issuerRecord(data, server, issuer);
  record.generation = Math.max(record.generation ?? 0, record.tokens?.generation ?? 0) + 1;
  const stored: TokenRecord = { ...tokens, generation: record.generation };
  record.tokens = stored;
  return stored;
}
