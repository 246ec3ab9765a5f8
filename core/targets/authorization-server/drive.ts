// What an authorization-server scenario drives the server under test with: the probe (every request
// recorded), the user agent or login command that completes authorization requests, and the client
// the kit acts as. Scenarios send; they never judge. Every credential the server hands out goes into
// `secrets`, so the report can be redacted before anyone reads it.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthorizationRecord, AuthorizationServerClient, AuthorizationServerFacts, EndpointRole } from '../../trace.js';
import type { HeldRequest, Probe, ProbeRequest, ProbeResult, TogetherResult } from '../probe.js';
import type { ClientMetadataHost } from '../../../mocks/client-metadata-host.js';
import type { AuthorizationOutcome } from './user-agent.js';

/** Where an authorization request ended; a login command's outcome names no exchange, the user agent's does. */
export type LoginOutcome =
  | (Omit<Extract<AuthorizationOutcome, { kind: 'redirected' }>, 'exchange'> & { exchange?: number })
  | Extract<AuthorizationOutcome, { kind: 'stopped' }>;

/** Completes one authorization request: the kit's user agent, or the user's login command. */
export type Login = (authorizationUrl: string, label: string, redirectUri: string) => Promise<LoginOutcome>;

export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** Changes to the authorization request the drive would send; `null` leaves a parameter out. */
export type AuthorizationParams = Record<string, string | null>;

export interface Authorization {
  record: AuthorizationRecord;
  /** The client the request was made for (absent: none, the request named no client_id). */
  client?: AuthorizationServerClient;
  /** The code in the response, when there was one. */
  code?: string;
  pkce: Pkce;
  redirectUri: string;
  /** The `state` the request sent. */
  state: string;
}

/** A token endpoint answer, its JSON read where it is JSON. */
export interface TokenResult extends ProbeResult {
  json?: Record<string, unknown>;
  accessToken?: string;
  refreshToken?: string;
}

export interface Grant extends Authorization {
  /** The code redemption, when a code came. */
  tokens?: TokenResult;
}

/** The authorization-server endpoints named by the metadata, or absent. */
export type EndpointName = 'authorization_endpoint' | 'token_endpoint' | 'registration_endpoint' | 'introspection_endpoint' | 'revocation_endpoint' | 'jwks_uri';

/** The client ID metadata document an MCP client publishes (CIMD §4): a public client of its own URL. */
export function mcpClientDocument(url: string, redirectUri: string): Record<string, unknown> {
  return {
    client_id: url,
    client_name: 'mcp-auth-conformance',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

export function pkcePair(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'), method: 'S256' };
}

/** The JSON object of a body, or undefined. */
export function jsonObject(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const FORM = 'application/x-www-form-urlencoded';

const CLIENT_ENDPOINT_ROLES = { token_endpoint: 'token', introspection_endpoint: 'introspection' } as const satisfies Partial<Record<EndpointName, EndpointRole>>;
export type ClientEndpoint = keyof typeof CLIENT_ENDPOINT_ROLES;

export class AuthorizationServerDrive {
  /** Every authorization request's end, in order: the trace carries them for the checks. */
  readonly authorizations: AuthorizationRecord[] = [];

  constructor(
    readonly probe: Probe,
    readonly facts: AuthorizationServerFacts,
    private readonly login: Login,
    /** Credentials seen in this run; shared by every scenario's drive. */
    readonly secrets: Set<string>,
    private readonly metadataHost?: ClientMetadataHost,
  ) {}

  /**
   * Publishes a client ID metadata document at `path` on the kit's loopback HTTPS origin and returns
   * the client whose client_id is its URL. `document` changes the document an MCP client would
   * publish (a field set to undefined is left out); a string is served as it is.
   */
  metadataDocumentClient(path: string, document: (url: string) => Record<string, unknown> | string = () => ({}), options: { status?: number } = {}): AuthorizationServerClient {
    if (!this.metadataHost) throw new Error('the kit hosts no client ID metadata documents in this run');
    const url = `${this.metadataHost.origin}${path}`;
    const redirectUri = this.facts.redirectUri;
    const changed = document(url);
    const body = typeof changed === 'string' ? changed : JSON.parse(JSON.stringify({ ...mcpClientDocument(url, redirectUri), ...changed })) as Record<string, unknown>;
    this.metadataHost.publish(path, body, options);
    return { client_id: url, authMethod: 'none', source: 'metadata-document' };
  }

  get client(): AuthorizationServerClient | undefined {
    return this.facts.client;
  }

  endpoint(name: EndpointName): string | undefined {
    const value = this.facts.metadata?.[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** Remembers a credential so that the report shows only its fingerprint. */
  secret(value: unknown): void {
    if (typeof value === 'string' && value.length > 0) this.secrets.add(value);
  }

  /**
   * An authorization request of the run's client with PKCE S256, `state`, `resource` and the
   * user's scope, changed as `params` says; then completed by the user agent or login command.
   */
  async authorize(label: string, params: AuthorizationParams = {}, client: AuthorizationServerClient | undefined = this.client): Promise<Authorization> {
    const endpoint = this.endpoint('authorization_endpoint');
    if (!endpoint) throw new Error('the metadata names no authorization_endpoint');
    const pkce = pkcePair();
    const state = randomBytes(12).toString('base64url');
    const url = new URL(endpoint);
    const defaults: AuthorizationParams = {
      response_type: 'code',
      client_id: client?.client_id ?? null,
      redirect_uri: client ? this.facts.redirectUri : null,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      state,
      resource: this.facts.resource,
      scope: this.facts.scope ?? null,
    };
    for (const [name, value] of Object.entries({ ...defaults, ...params })) if (value !== null) url.searchParams.set(name, value);
    const redirectUri = url.searchParams.get('redirect_uri') ?? this.facts.redirectUri;
    const outcome = await this.login(url.href, label, redirectUri);
    const record: AuthorizationRecord =
      outcome.kind === 'redirected'
        ? { label, requestUrl: url.href, redirectUri, outcome: 'redirected', url: outcome.url, params: outcome.params, from: outcome.from, ...(outcome.exchange !== undefined ? { exchange: outcome.exchange } : {}) }
        : { label, requestUrl: url.href, redirectUri, outcome: 'stopped', reason: outcome.reason, ...(outcome.exchange !== undefined ? { exchange: outcome.exchange } : {}) };
    this.authorizations.push(record);
    const code = record.params?.code;
    this.secret(code);
    return { record, ...(client ? { client } : {}), ...(code ? { code } : {}), pkce, redirectUri, state };
  }

  /**
   * A form POST to an endpoint where the client authenticates (RFC 6749 §2.3.1): the token endpoint,
   * or introspection, which RFC 7662 §2.1 lets a server protect with the same credentials.
   */
  clientRequest(name: ClientEndpoint, form: Record<string, string | null>, client: AuthorizationServerClient | undefined = this.client): ProbeRequest {
    const endpoint = this.endpoint(name);
    if (!endpoint) throw new Error(`the metadata names no ${name}`);
    const body = new URLSearchParams();
    const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
    if (client?.authMethod === 'client_secret_basic' && client.client_secret !== undefined) {
      // RFC 6749 §2.3.1: each part form-encoded before Basic.
      const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret)}`).toString('base64')}`;
    } else if (client) {
      body.set('client_id', client.client_id);
      if (client.authMethod === 'client_secret_post' && client.client_secret !== undefined) body.set('client_secret', client.client_secret);
    }
    for (const [field, value] of Object.entries(form)) {
      if (value === null) body.delete(field);
      else body.set(field, value);
    }
    return { method: 'POST', url: endpoint, headers, body: body.toString(), role: CLIENT_ENDPOINT_ROLES[name] };
  }

  /** Reads a token endpoint answer and remembers what it issued. */
  tokenResult(result: ProbeResult): TokenResult {
    const json = jsonObject(result.response?.body);
    const accessToken = typeof json?.access_token === 'string' ? json.access_token : undefined;
    const refreshToken = typeof json?.refresh_token === 'string' ? json.refresh_token : undefined;
    this.secret(accessToken);
    this.secret(refreshToken);
    this.secret(json?.id_token);
    return { ...result, ...(json ? { json } : {}), ...(accessToken ? { accessToken } : {}), ...(refreshToken ? { refreshToken } : {}) };
  }

  async token(label: string, form: Record<string, string | null>, client?: AuthorizationServerClient): Promise<TokenResult> {
    return this.tokenResult(await this.probe.send(label, this.clientRequest('token_endpoint', form, client)));
  }

  /** The code redemption of an authorization, changed as `form` says. */
  redeem(label: string, authorization: Authorization, form: Record<string, string | null> = {}): Promise<TokenResult> {
    return this.token(
      label,
      {
        grant_type: 'authorization_code',
        code: authorization.code ?? '',
        redirect_uri: authorization.redirectUri,
        code_verifier: authorization.pkce.verifier,
        resource: this.facts.resource,
        ...form,
      },
      authorization.client ?? this.client,
    );
  }

  refresh(label: string, refreshToken: string, form: Record<string, string | null> = {}): Promise<TokenResult> {
    return this.token(label, { grant_type: 'refresh_token', refresh_token: refreshToken, resource: this.facts.resource, ...form });
  }

  /** An authorization and, when a code came, its redemption: labelled `${label}:authorize` and `${label}:token`. */
  async grant(label: string, params: AuthorizationParams = {}): Promise<Grant> {
    const authorization = await this.authorize(`${label}:authorize`, params);
    if (!authorization.code) return authorization;
    return { ...authorization, tokens: await this.redeem(`${label}:token`, authorization) };
  }

  /** Token requests released together, their last bytes held back until every one is sent. */
  async tokensTogether(requests: Array<{ label: string; form: Record<string, string | null>; offsetMs?: number }>): Promise<Array<TokenResult & Pick<TogetherResult, 'releasedAt'>>> {
    const held: HeldRequest[] = requests.map(({ label, form, offsetMs }) => ({ label, request: this.clientRequest('token_endpoint', form), ...(offsetMs ? { offsetMs } : {}) }));
    const results = await this.probe.sendTogether(held);
    return results.map((result) => ({ ...this.tokenResult(result), releasedAt: result.releasedAt }));
  }

  /** An introspection request (RFC 7662 §2.1) about `token`, made as `client`, the one holding it. */
  async introspect(label: string, token: string, client: AuthorizationServerClient | undefined = this.client): Promise<ProbeResult & { json?: Record<string, unknown> }> {
    const result = await this.probe.send(label, this.clientRequest('introspection_endpoint', { token, token_type_hint: 'access_token' }, client));
    const json = jsonObject(result.response?.body);
    return { ...result, ...(json ? { json } : {}) };
  }

  /** A registration request (RFC 7591) with this body, sent as it is: a string is not re-encoded. */
  async register(label: string, body: Record<string, unknown> | string, headers: Record<string, string> = {}): Promise<ProbeResult & { json?: Record<string, unknown> }> {
    const endpoint = this.endpoint('registration_endpoint');
    if (!endpoint) throw new Error('the metadata names no registration_endpoint');
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const result = await this.probe.send(label, { method: 'POST', url: endpoint, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: text, role: 'register' });
    const json = jsonObject(result.response?.body);
    this.secret(json?.client_secret);
    this.secret(json?.registration_access_token);
    return { ...result, ...(json ? { json } : {}) };
  }
}
