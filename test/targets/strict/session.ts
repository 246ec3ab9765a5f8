// The MCP session (JSON-RPC over Streamable HTTP POST) and what the client does when the server
// refuses it: a 401 is answered by adopting a token another copy stored, refreshing, or
// authorizing; a 403 insufficient_scope by a new authorization for the union of scopes (a refresh
// cannot widen scope, RFC 6749 §6); any other refusal ends the run. Every attempt is bounded.
import { bearerChallenge, type BearerChallenge } from './challenge.js';
import { Discovery, type Binding } from './discovery.js';
import { Failure, isTransient, jsonObject, log, mediaType, refuse, send, type Received } from './http.js';
import { authorizationCode, obtainClient, REDIRECT_URI, tokenRequest, type PreRegistered } from './oauth.js';
import { issuerEntry, type ClientIdentity, type Grant, type Store } from './store.js';

/** C-STP-04 and FC-C-05: a few authorizations per run, the first one included, then a permanent failure. */
const MAX_AUTHORIZATIONS = 3;
/** FC-C-05: once this many distinct tokens were refused in one run, no new one is going to help. */
const MAX_REFUSED_TOKENS = 5;

export interface SessionOptions {
  /** The MCP server URL as given, without a fragment: where requests go, and the RFC 8707 resource. */
  resource: string;
  protocolVersion: string;
  store: Store;
  preRegistered?: PreRegistered;
}

function scopeSet(...lists: Array<Iterable<string> | string | undefined>): Set<string> {
  const scopes = new Set<string>();
  for (const list of lists) for (const scope of typeof list === 'string' ? list.split(' ') : (list ?? [])) if (scope) scopes.add(scope);
  return scopes;
}

function joined(scopes: Set<string>): string | undefined {
  return scopes.size ? [...scopes].join(' ') : undefined;
}

export class Session {
  private readonly discovery: Discovery;
  private grant: Grant | undefined;
  private grantIssuer: string | undefined;
  private authorizations = 0;
  /** Access tokens the server refused with 401 in this run. */
  private readonly refused = new Set<string>();
  /** Access tokens this run obtained itself; one of them refused means the metadata may have changed (RFC 9728 §5.2). */
  private readonly obtained = new Set<string>();
  /** Every scope asked for in this run (C-SCP-05). */
  private readonly requested = new Set<string>();
  private readonly stepUps = new Map<string, number>();
  private nextId = 1;
  private protocolHeader: string | undefined;
  private sessionId: string | undefined;

  constructor(private readonly options: SessionOptions) {
    this.discovery = new Discovery(options.store, options.resource, options.protocolVersion);
  }

  /** Tokens stored by an earlier run (or another copy) are used as they are: no discovery needed while they work. */
  start(): void {
    if (this.adoptStored()) log('store', `tokens of ${this.grantIssuer} found`);
    else log('store', 'no tokens stored');
  }

  /** A JSON-RPC request; its result, once the server accepted the authorization. */
  async request(method: string, params: Record<string, unknown>, operation = method): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const received = await this.authorized({ jsonrpc: '2.0', id, method, params }, operation);
    if (received.status !== 200) throw new Failure(`${operation} answered ${received.status}`);
    const message = this.responseTo(received, id, operation);
    if (message.error !== undefined) throw new Failure(`${operation} answered JSON-RPC error ${JSON.stringify(message.error)}`);
    if (message.result === null || typeof message.result !== 'object') refuse('JSON-RPC 2.0 §5', `the response to ${operation} has no result object`);
    if (method === 'initialize') {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version !== 'string') refuse('MCP lifecycle', 'the initialize result names no protocolVersion');
      // MCP Streamable HTTP: every later request names the negotiated version; a session id, if issued, is echoed.
      this.protocolHeader = version;
      this.sessionId = received.headers.get('mcp-session-id') ?? undefined;
    }
    return message.result as Record<string, unknown>;
  }

  async notify(method: string): Promise<void> {
    const received = await this.authorized({ jsonrpc: '2.0', method }, method);
    // MCP Streamable HTTP: an accepted notification is answered 202 Accepted with no body.
    if (received.status !== 202) {
      if (received.status >= 200 && received.status < 300) refuse('MCP Streamable HTTP', `the notification ${method} was answered ${received.status}, not 202 Accepted`);
      throw new Failure(`${method} answered ${received.status}`);
    }
  }

  /** The JSON-RPC response with `id`, from a JSON body or an SSE stream (MCP Streamable HTTP). */
  private responseTo(received: Received, id: number, operation: string): Record<string, unknown> {
    const type = mediaType(received);
    let messages: unknown[];
    if (type === 'text/event-stream') {
      messages = received.text
        .split(/\r?\n\r?\n/)
        .map((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, '')).join('\n'))
        .filter(Boolean)
        .map((data) => JSON.parse(data) as unknown);
    } else {
      messages = [jsonObject(received, 'MCP Streamable HTTP', `the response to ${operation}`)];
    }
    const answer = messages.find((m): m is Record<string, unknown> => m !== null && typeof m === 'object' && (m as { id?: unknown }).id === id);
    if (!answer) refuse('JSON-RPC 2.0 §5', `no response with id ${id} to ${operation}`);
    if (answer.jsonrpc !== '2.0') refuse('JSON-RPC 2.0 §5', `the response to ${operation} says jsonrpc ${JSON.stringify(answer.jsonrpc)}`);
    return answer;
  }

  /** Sends the message until it is no longer refused for authorization, or a limit ends the run. */
  private async authorized(message: Record<string, unknown>, operation: string): Promise<Received> {
    for (;;) {
      const token = this.grant?.access_token;
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      if (this.protocolHeader) headers['mcp-protocol-version'] = this.protocolHeader;
      if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
      // C-TOK-01..03 (OAuth 2.1 §5.1.1): on every request, in the Authorization header and nowhere else.
      if (token) headers.authorization = `Bearer ${token}`;
      const received = await send('POST', this.options.resource, headers, JSON.stringify(message));
      if (isTransient(received)) throw new Failure(`${operation} answered ${received.status}`);
      if (received.status === 401) await this.unauthorized(token, this.challengeOf(received, operation, true)!);
      else if (received.status === 403) await this.forbidden(token, this.challengeOf(received, operation, false), operation);
      else return received;
    }
  }

  private challengeOf(received: Received, operation: string, required: boolean): BearerChallenge | undefined {
    const header = received.headers.get('www-authenticate');
    const where = `the ${received.status} to ${operation}`;
    if (header === null) {
      // RFC 9110 §15.5.2: "The server generating a 401 response MUST send a WWW-Authenticate header field".
      if (required) refuse('RFC 9110 §15.5.2', `${where} has no WWW-Authenticate`);
      return undefined;
    }
    const challenge = bearerChallenge(header, where);
    // RFC 6750 §3: a request without a usable access token is answered with a Bearer challenge.
    if (!challenge && required) refuse('RFC 6750 §3', `${where} has no Bearer challenge (${header})`);
    // MCP 2025-06-18 (Authorization Server Location): every 401 names the PRM URL; later revisions let the well-known URL do instead.
    if (required && this.options.protocolVersion === '2025-06-18' && !challenge?.resourceMetadata) {
      refuse('MCP 2025-06-18 Authorization Server Location', `${where} has no resource_metadata (${header})`);
    }
    return challenge;
  }

  /** 401: another copy's newer token, else a refresh, else an authorization (RT-C-08). */
  private async unauthorized(refused: string | undefined, challenge: BearerChallenge): Promise<void> {
    if (refused !== undefined) {
      this.refused.add(refused);
      if (this.refused.size >= MAX_REFUSED_TOKENS) throw new Failure(`the server refused ${this.refused.size} access tokens in this run; giving up (FC-C-05)`);
    }
    if (this.adoptStored()) {
      log('store', 'another copy stored newer tokens; using them');
      return;
    }
    // RFC 9728 §5.2: a token this run just obtained being refused says the metadata may have changed.
    const revalidate = refused !== undefined && this.obtained.has(refused);
    const binding = await this.discovery.bind({ ...(challenge.resourceMetadata ? { challengedUrl: challenge.resourceMetadata } : {}), ...(revalidate ? { notBefore: Date.now() } : {}) });
    if (refused !== undefined && this.grantIssuer === binding.issuer && this.grant?.refresh_token) {
      const refreshed = await this.refresh(binding, refused);
      if (refreshed) return this.use(refreshed, binding.issuer, true);
    }
    // C-SCP-02: the challenge's scope, else all of PRM scopes_supported, else none; C-SCP-05: with what was asked before.
    const wanted = challenge.scope ?? binding.scopesSupported?.join(' ');
    await this.authorize(binding, joined(scopeSet(this.requested, this.grant?.requested_scope, wanted)));
  }

  /** 403: only a Bearer insufficient_scope challenge asks for more scope (RFC 6750 §3.1); anything else ends the run. */
  private async forbidden(refused: string | undefined, challenge: BearerChallenge | undefined, operation: string): Promise<void> {
    if (challenge?.error !== 'insufficient_scope') throw new Failure(`${operation} answered 403 without a Bearer insufficient_scope challenge: a refusal, not a request for more scope`);
    const attempts = (this.stepUps.get(operation) ?? 0) + 1;
    this.stepUps.set(operation, attempts);
    if (attempts > MAX_AUTHORIZATIONS) throw new Failure(`${operation} is still refused for insufficient scope after ${attempts - 1} step-ups (C-STP-04)`);
    const binding = await this.discovery.bind(challenge.resourceMetadata ? { challengedUrl: challenge.resourceMetadata } : {});
    // C-STP-03: the union of what was asked for before, what the token holds, and what the challenge names.
    const scope = joined(scopeSet(this.requested, this.grant?.requested_scope, this.grant?.scope, challenge.scope));
    log('step-up', `${operation} needs ${challenge.scope ?? 'more scope'}; authorizing for ${scope ?? 'no scope'} (token ${refused ? 'refused' : 'absent'})`);
    // RFC 6749 §6: a refresh cannot widen scope, so a step-up is always a new authorization (C-STP-01).
    await this.authorize(binding, scope);
  }

  private async authorize(binding: Binding, scope: string | undefined): Promise<void> {
    if (++this.authorizations > MAX_AUTHORIZATIONS) throw new Failure(`still not authorized after ${MAX_AUTHORIZATIONS} authorizations in this run (C-STP-04, FC-C-05)`);
    const client = await this.clientFor(binding);
    for (const s of scopeSet(scope)) this.requested.add(s);
    const { resource, store } = this.options;
    const { code, verifier } = await authorizationCode(binding, client, scope, resource);
    const answer = await tokenRequest(binding.tokenEndpoint, client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, resource });
    if (answer.kind === 'unavailable') throw new Failure(`code redemption: ${answer.reason}`);
    if (answer.kind === 'rejected') throw new Failure(`code redemption was refused: ${answer.status} ${answer.error}`);
    const { tokens } = answer;
    const grant: Grant = {
      access_token: tokens.access_token,
      ...(tokens.refresh_token !== undefined ? { refresh_token: tokens.refresh_token } : {}),
      // RFC 6749 §5.1: an answer without scope granted what was requested.
      ...(tokens.scope !== undefined || scope !== undefined ? { scope: tokens.scope ?? scope } : {}),
      ...(scope !== undefined ? { requested_scope: scope } : {}),
      client_id: client.client_id,
    };
    // Persisted before it is used, under the lock, over the store as it is on disk now.
    await store.locked(async (change) => change((data) => (issuerEntry(data, binding.issuer).grants[resource] = grant)));
    this.use(grant, binding.issuer, true);
  }

  /** The identity for this issuer: stored, or obtained once under the lock (one registration for all copies). */
  private async clientFor(binding: Binding): Promise<ClientIdentity> {
    const { store, preRegistered } = this.options;
    const stored = store.read().issuers[binding.issuer]?.client;
    if (stored) return stored;
    return store.locked(async (change) => {
      const meanwhile = store.read().issuers[binding.issuer]?.client;
      if (meanwhile) return meanwhile;
      const client = await obtainClient(binding, preRegistered);
      change((data) => (issuerEntry(data, binding.issuer).client = client));
      return client;
    });
  }

  /**
   * The refresh transaction, under the store lock from decision to persisted answer: adopt what
   * another copy already stored, else present the stored refresh token, once.
   */
  private refresh(binding: Binding, refused: string): Promise<Grant | undefined> {
    const { store, resource } = this.options;
    return store.locked(async (change) => {
      const entry = store.read().issuers[binding.issuer];
      const stored = entry?.grants[resource];
      if (!stored) return undefined;
      if (stored.access_token !== refused && !this.refused.has(stored.access_token)) {
        log('refresh', 'another copy refreshed already; adopting its tokens');
        return stored;
      }
      const client = entry.client;
      if (!stored.refresh_token || client?.client_id !== stored.client_id) return undefined;
      log('refresh', `presenting the stored refresh token at ${binding.tokenEndpoint}`);
      // RFC 8707 §2.2, C-RES-02: the resource on every token request, refreshes included.
      const answer = await tokenRequest(binding.tokenEndpoint, client, { grant_type: 'refresh_token', refresh_token: stored.refresh_token, resource });
      // RT-C-09: a 5xx or 429 says nothing about the token; it stays stored for the next attempt.
      if (answer.kind === 'unavailable') throw new Failure(`refresh: ${answer.reason}; the refresh token stays stored`);
      if (answer.kind === 'rejected') {
        log('refresh', `refused (${answer.status} ${answer.error}); forgetting that refresh token`);
        // Compare-and-delete: a grant another copy wrote meanwhile is not ours to remove.
        change((data) => {
          const grants = issuerEntry(data, binding.issuer).grants;
          if (grants[resource]?.refresh_token === stored.refresh_token) delete grants[resource];
        });
        return undefined;
      }
      const next: Grant = {
        ...stored,
        access_token: answer.tokens.access_token,
        // RFC 6749 §6: a new refresh token replaces the old one; an answer without one leaves the old one valid.
        refresh_token: answer.tokens.refresh_token ?? stored.refresh_token,
        // RFC 6749 §6: an answer without scope keeps the scope originally granted.
        ...(answer.tokens.scope !== undefined ? { scope: answer.tokens.scope } : {}),
      };
      change((data) => (issuerEntry(data, binding.issuer).grants[resource] = next));
      log('refresh', `new tokens stored (refresh token ${answer.tokens.refresh_token ? 'rotated' : 'kept'})`);
      return next;
    });
  }

  /** Switches to the tokens stored for this resource when they differ from the current ones and were not refused. */
  private adoptStored(): boolean {
    const data = this.options.store.read();
    const issuer = data.resources[this.options.resource]?.issuer;
    const stored = issuer === undefined ? undefined : data.issuers[issuer]?.grants[this.options.resource];
    if (!stored || stored.access_token === this.grant?.access_token || this.refused.has(stored.access_token)) return false;
    this.use(stored, issuer!, false);
    return true;
  }

  private use(grant: Grant, issuer: string, obtainedHere: boolean): void {
    this.grant = grant;
    this.grantIssuer = issuer;
    if (obtainedHere) this.obtained.add(grant.access_token);
  }
}
