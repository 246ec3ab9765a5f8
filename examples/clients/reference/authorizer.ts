// What the client does when the MCP server refuses a token: refresh rather than authorize
// (RT-C-08), step up on insufficient_scope (C-STP-01..04), and stop after a bounded number of
// attempts (FC-C-05). Parallel requests of this process that hit the same refusal share one
// answer. Nothing here remembers a failure beyond this run, so a later run with a refresh token
// or new credentials is never blocked (FC-C-01..04).
import { authorizeInteractively } from './authorize.js';
import type { Limits, Target } from './config.js';
import { expired, type Credentials } from './credentials.js';
import type { Binding, Discovery } from './discovery.js';
import type { BearerChallenge } from './http.js';
import { Failure, log } from './log.js';
import type { Registrar } from './registration.js';
import type { CredentialStore, TokenRecord } from './store.js';

export interface AuthorizerParts {
  target: Target;
  store: CredentialStore;
  discovery: Discovery;
  registrar: Registrar;
  credentials: Credentials;
  limits: Limits;
}

function scopes(...lists: Array<Iterable<string> | string | undefined>): Set<string> {
  const all = new Set<string>();
  for (const list of lists) {
    const items = typeof list === 'string' ? list.split(' ') : (list ?? []);
    for (const scope of items) if (scope) all.add(scope);
  }
  return all;
}

function joined(set: Set<string>): string | undefined {
  return set.size > 0 ? [...set].join(' ') : undefined;
}

export class Authorizer {
  /** The tokens this process sends. */
  protected current: TokenRecord | undefined;
  /** Scopes asked for in this run (C-SCP-05). */
  protected readonly requested = new Set<string>();
  /** Access tokens this run switched to; if the server refuses one of them, its metadata may have changed. */
  private readonly obtained = new Set<string>();
  /** Distinct access tokens the server refused with 401 in this run. */
  private readonly refused = new Set<string>();
  private readonly stepUps = new Map<string, number>();
  private readonly steppingUp = new Map<string, Promise<void>>();
  private authorizations = 0;
  private authorizing: Promise<void> | undefined;

  constructor(protected readonly parts: AuthorizerParts) {}

  accessToken(): string | undefined {
    return this.current?.access_token;
  }

  /** Starts from the store: a valid token is used without any discovery (DC-C-01); an expired one is refreshed. */
  async start(): Promise<void> {
    const { store, credentials, target } = this.parts;
    const issuer = store.read().servers[target.resource]?.issuer;
    const tokens = credentials.stored(issuer);
    if (!tokens) {
      log('store', `no tokens stored for ${target.resource}`);
      return;
    }
    this.current = tokens;
    log('store', `tokens of generation ${tokens.generation} from ${issuer}${expired(tokens) ? ', expired' : ''}`);
    if (expired(tokens)) await this.recover(tokens.access_token, {});
  }

  /** The server answered 401 to a request that carried `failed` (undefined: no token at all). */
  async recover(failed: string | undefined, challenge: BearerChallenge): Promise<void> {
    // Another request of this process already replaced the token: just try again with the new one.
    if (failed !== this.current?.access_token) return;
    this.refused.add(failed ?? '');
    if (this.refused.size > this.parts.limits.recoveries) {
      throw new Failure(`the server refused ${this.refused.size} tokens in this run; giving up (FC-C-05)`);
    }
    // RFC 9728 §5.2: a token this run just obtained being refused suggests the metadata changed.
    const revalidate = failed !== undefined && this.obtained.has(failed);
    const binding = await this.parts.discovery.bind({ challengedPrmUrl: challenge.resourceMetadata, revalidate });
    if (failed !== this.current?.access_token) return;
    // RT-C-08: refresh (or adopt what another copy stored) before ever asking a person.
    const tokens = await this.parts.credentials.refresh(binding, failed);
    if (tokens) return this.use(tokens);
    await this.authorize(binding, this.scopeFor(challenge, binding), failed);
  }

  /** Only a Bearer insufficient_scope challenge asks for more scope; any other 403 is a plain refusal (C-STP-01). */
  asksForMoreScope(challenge: BearerChallenge | undefined): boolean {
    return challenge?.error === 'insufficient_scope';
  }

  /** The server answered 403 insufficient_scope to `operation` (a JSON-RPC method, with the tool's name). */
  stepUp(failed: string | undefined, challenge: BearerChallenge, operation: string): Promise<void> {
    if (failed !== this.current?.access_token) return Promise.resolve();
    // Parallel requests refused for the same token share one step-up, and count as one attempt.
    const key = failed ?? '';
    let running = this.steppingUp.get(key);
    if (!running) {
      running = this.stepUpNow(failed, challenge, operation).finally(() => this.steppingUp.delete(key));
      this.steppingUp.set(key, running);
    }
    return running;
  }

  private async stepUpNow(failed: string | undefined, challenge: BearerChallenge, operation: string): Promise<void> {
    // C-STP-04: attempts per (resource, operation) are counted, whatever the challenge's wording or order.
    const key = `${this.parts.target.resource} ${operation}`;
    const attempts = (this.stepUps.get(key) ?? 0) + 1;
    if (attempts > this.parts.limits.stepUpsPerOperation) {
      throw new Failure(`${operation} is still refused for insufficient scope after ${attempts - 1} step-ups: a permanent failure (C-STP-04)`);
    }
    this.stepUps.set(key, attempts);
    const scope = this.stepUpScope(challenge);
    log('step-up', `${operation} needs ${challenge.scope ?? 'more scope'}; attempt ${attempts}, asking for ${scope ?? 'no scope'}`);
    const binding = await this.parts.discovery.bind({ challengedPrmUrl: challenge.resourceMetadata });
    // Another copy may have stepped up already: its wider token spares a second consent.
    const stored = this.parts.credentials.stored(binding.issuer);
    const needed = scopes(challenge.scope);
    if (stored && stored.access_token !== failed && !expired(stored) && needed.size > 0 && [...needed].every((s) => scopes(stored.scope).has(s))) {
      log('step-up', `adopted generation ${stored.generation}, which already holds ${challenge.scope}`);
      return this.use(stored);
    }
    await this.widen(binding, scope, failed);
  }

  /** Always a new authorization, never a refresh: a refresh cannot widen scope (RFC 6749 §6). */
  protected widen(binding: Binding, scope: string | undefined, failed: string | undefined): Promise<void> {
    return this.authorize(binding, scope, failed);
  }

  /** C-STP-03, C-SCP-05: what was asked for before, what the token holds, and what the challenge names. */
  protected stepUpScope(challenge: BearerChallenge): string | undefined {
    return joined(scopes(this.requested, this.current?.requested_scope, this.current?.scope, challenge.scope));
  }

  /** C-SCP-02: the challenge's scope, else all of PRM scopes_supported, else none; plus what was held before (C-SCP-05). */
  private scopeFor(challenge: BearerChallenge, binding: Binding): string | undefined {
    const wanted = challenge.scope ?? binding.scopesSupported?.join(' ');
    return joined(scopes(this.requested, this.current?.requested_scope, this.current?.scope, wanted));
  }

  /** One interactive authorization at a time in this process; none once the refused token was replaced. */
  private authorize(binding: Binding, scope: string | undefined, failed: string | undefined): Promise<void> {
    if (this.authorizing) return this.authorizing;
    if (failed !== this.current?.access_token) return Promise.resolve();
    this.authorizing = this.authorizeNow(binding, scope).finally(() => (this.authorizing = undefined));
    return this.authorizing;
  }

  private async authorizeNow(binding: Binding, scope: string | undefined): Promise<void> {
    if (++this.authorizations > this.parts.limits.authorizations) {
      throw new Failure(`still unauthorized after ${this.parts.limits.authorizations} authorizations in this run (C-STP-04, FC-C-05)`);
    }
    const client = await this.parts.registrar.clientFor(binding);
    for (const s of scopes(scope)) this.requested.add(s);
    // No lock is held from here until the tokens are saved: a person may take minutes (RT-C-11).
    const response = await authorizeInteractively(this.parts.target, binding, client, scope);
    const saved = await this.parts.credentials.save(binding.issuer, client, response, scope);
    this.use(saved);
  }

  protected use(tokens: TokenRecord): void {
    if (tokens.access_token === this.current?.access_token) return;
    this.current = tokens;
    this.obtained.add(tokens.access_token);
    log('token', `generation ${tokens.generation} (scope: ${tokens.scope ?? 'none'}, refresh token: ${tokens.refresh_token ? 'yes' : 'no'})`);
  }
}
