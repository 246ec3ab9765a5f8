// Reference MCP client for the conformance kit: @modelcontextprotocol/sdk 1.32.2 plus the few checks the
// SDK leaves out. Usage: node reference-client.js <mcp url>
//   MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION: logged only (the kit judges authorization,
//     and the SDK negotiates its own protocol version).
//   MCP_CONFORMANCE_CONTEXT: {"name":"pre-registration","client_id":...,"client_secret":...} for a client
//     the authorization server (AS) knows in advance.
// It plays the browser itself: it fetches the authorization URL, follows redirects up to its own
// redirect_uri and reads the code from there, so no person and no listener is needed.
// Every gap it fills in the SDK is marked with the requirement id it serves.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  UnauthorizedError,
  extractWWWAuthenticateParams,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  AuthorizationServerMetadata,
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
// Never listened on: the client reads the code from the Location header that points here.
const REDIRECT_URI = 'http://127.0.0.1:33418/callback';
const DEADLINE_MS = 20_000;
// Counts the first authorization and every step-up: "no more than a few times" (C-STP-04).
const MAX_AUTHORIZATIONS = 3;
const MAX_REDIRECT_HOPS = 10;

function log(step: string, detail = ''): void {
  process.stderr.write(`[reference-client] ${step}${detail ? `: ${detail}` : ''}\n`);
}

/** Ends the process at once. The SDK swallows some errors and falls back to guessing (a PRM failure
 * makes it treat the MCP origin as the AS), which is exactly what a refusal has to prevent. */
function refuse(requirement: string, reason: string): never {
  log(`refused (${requirement})`, reason);
  process.exit(1);
}

const mcpArg = process.argv[process.argv.length - 1];
if (process.argv.length < 3 || !/^https?:\/\//.test(mcpArg)) {
  log('usage', 'reference-client <mcp url>');
  process.exit(2);
}
const mcpUrl = new URL(mcpArg);
// RFC 8707 forbids a fragment in `resource`; everything else of the URL the user gave is kept.
const canonicalResource = mcpArg.split('#')[0];

interface PreRegistration {
  client_id: string;
  client_secret?: string;
}

function readPreRegistration(): PreRegistration | undefined {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { name?: string; client_id?: string; client_secret?: string };
  if (context.name !== 'pre-registration' || !context.client_id) return undefined;
  return { client_id: context.client_id, client_secret: context.client_secret };
}

/** One authorization request's record: what the response is checked against (C-ISS-01, C-STATE-01). */
interface PendingAuthorization {
  state: string;
  issuer: string;
  issParameterSupported: boolean;
  codeVerifier?: string;
}

function splitScopes(scope: string | null | undefined): string[] {
  return scope ? scope.split(' ').filter(Boolean) : [];
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding (the SDK skips this). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

class HeadlessProvider implements OAuthClientProvider {
  readonly clientMetadataUrl = CIMD_URL;
  private client: OAuthClientInformationMixed | undefined;
  private savedTokens: OAuthTokens | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private pending: PendingAuthorization | undefined;
  private code: string | undefined;
  private requestedScopes = new Set<string>();
  private stepUpPending = false;

  constructor(private readonly preRegistered: PreRegistration | undefined) {
    // Pre-registered credentials come first (C-REG-02): auth() only looks at CIMD or DCR without them.
    this.client = preRegistered;
  }

  get redirectUrl(): string {
    return REDIRECT_URI;
  }

  get clientMetadata(): OAuthClientMetadata {
    // Read when auth() registers, which is after it saved the discovery state below.
    const offered = this.discovery?.authorizationServerMetadata?.token_endpoint_auth_methods_supported;
    const metadata = {
      client_name: 'mcp-auth-conformance reference client',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client when the AS allows it; otherwise the AS's first choice.
      token_endpoint_auth_method: !offered || offered.includes('none') ? 'none' : offered[0],
      // C-REG-12/13 (SEP-837): the SDK's metadata type has no application_type and it never sends one.
      application_type: 'native',
    };
    return metadata;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }

  tokens(): OAuthTokens | undefined {
    // During a step-up the refresh token is held back: auth() would otherwise refresh without the new
    // scope, get the same narrow token and give up (typescript-sdk#2255). A refresh cannot widen scope.
    if (this.stepUpPending && this.savedTokens) return { ...this.savedTokens, refresh_token: undefined };
    return this.savedTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens;
    this.stepUpPending = false;
    for (const scope of splitScopes(tokens.scope)) this.requestedScopes.add(scope);
    log('token', `received (scope: ${tokens.scope ?? 'none'}, refresh token: ${tokens.refresh_token ? 'yes' : 'no'})`);
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  /** Called by auth() right before it builds the authorization URL, after discovery: so the issuer of
   * the validated metadata goes into the same record as state and verifier (C-ISS-01). */
  state(): string {
    const metadata = this.discovery?.authorizationServerMetadata as
      | (AuthorizationServerMetadata & { authorization_response_iss_parameter_supported?: boolean })
      | undefined;
    this.pending = {
      state: randomBytes(16).toString('base64url'),
      // Without metadata (2025-03-26 default endpoints) the AS is the MCP server's origin.
      issuer: metadata?.issuer ?? mcpUrl.origin,
      issParameterSupported: metadata?.authorization_response_iss_parameter_supported === true,
    };
    return this.pending.state;
  }

  saveCodeVerifier(codeVerifier: string): void {
    if (this.pending) this.pending.codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.pending?.codeVerifier) throw new Error('no authorization in progress');
    return this.pending.codeVerifier;
  }

  /** The SDK leaves the resource indicator out when there is no PRM; C-RES-06 wants it always. */
  async validateResourceURL(): Promise<URL> {
    return new URL(canonicalResource);
  }

  addClientAuthentication = (
    headers: Headers,
    params: URLSearchParams,
    _url: string | URL,
    metadata?: AuthorizationServerMetadata,
  ): void => {
    const client = this.client;
    if (!client) throw new Error('no client information');
    const registered = 'token_endpoint_auth_method' in client ? client.token_endpoint_auth_method : undefined;
    // A pre-registered client's method is not known to us: the AS's first usable one is its default.
    const offered = metadata?.token_endpoint_auth_methods_supported ?? [client.client_secret ? 'client_secret_basic' : 'none'];
    const method = registered ?? (client.client_secret ? offered[0] : 'none');
    if (method === 'client_secret_basic' && client.client_secret) {
      const credentials = `${formEncode(client.client_id)}:${formEncode(client.client_secret)}`;
      headers.set('Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
      return;
    }
    params.set('client_id', client.client_id);
    if (method === 'client_secret_post' && client.client_secret) params.set('client_secret', client.client_secret);
  };

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.savedTokens = undefined;
    if (scope === 'all' || scope === 'client') this.client = this.preRegistered;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    if (scope === 'all' || scope === 'verifier') this.pending = undefined;
  }

  /** The MCP server answered 403 insufficient_scope: the next authorization must be a new one. */
  noteInsufficientScope(): void {
    this.stepUpPending = true;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const pending = this.pending;
    if (!pending) throw new Error('authorization URL without a pending request');
    // C-SCP-05 / C-STP-03: the SDK asks only for the challenged scopes; keep the earlier ones too.
    for (const scope of splitScopes(authorizationUrl.searchParams.get('scope'))) this.requestedScopes.add(scope);
    if (this.requestedScopes.size > 0) authorizationUrl.searchParams.set('scope', [...this.requestedScopes].join(' '));
    log('authorize', authorizationUrl.href);

    const callback = await followToRedirectUri(authorizationUrl);
    const params = callback.searchParams;
    // RFC 9207 first, so an error from a mixed-up AS is not even looked at (C-ISS-02..04).
    const iss = params.get('iss');
    if (iss === null && pending.issParameterSupported) refuse('C-ISS-02', 'iss missing though the AS advertises RFC 9207 support');
    // Exact string comparison after form-decoding, no normalisation (C-ISS-03). The SDK checks nothing here.
    if (iss !== null && iss !== pending.issuer) {
      refuse('C-ISS-02', `iss ${JSON.stringify(iss)} is not the issuer ${JSON.stringify(pending.issuer)}`);
    }
    // C-STATE-01: the SDK sends state but never compares what comes back.
    if (params.get('state') !== pending.state) refuse('C-STATE-01', `state ${JSON.stringify(params.get('state'))} is not the one sent`);
    const error = params.get('error');
    if (error) refuse('authorization error', `${error} ${params.get('error_description') ?? ''}`.trim());
    const code = params.get('code');
    if (!code) refuse('authorization response', 'no code in the redirect');
    log('callback', 'code received; state and iss valid');
    this.code = code;
  }

  /** Hands out the validated code once. */
  takeAuthorizationCode(): string | undefined {
    const code = this.code;
    this.code = undefined;
    return code;
  }
}

/** Acts as the user agent: follows Location hops (keeping cookies, as a login page would need) until one
 * points at our redirect_uri, which is never fetched. */
async function followToRedirectUri(start: URL): Promise<URL> {
  const redirect = new URL(REDIRECT_URI);
  const cookies = new Map<string, string[]>();
  let next = start;
  for (let hop = 0; hop < MAX_REDIRECT_HOPS; hop++) {
    const response = await fetch(next, {
      redirect: 'manual',
      headers: cookies.has(next.origin) ? { cookie: cookies.get(next.origin)!.join('; ') } : {},
    });
    await response.body?.cancel();
    const setCookies = response.headers.getSetCookie().map((line) => line.split(';')[0]);
    if (setCookies.length) cookies.set(next.origin, [...(cookies.get(next.origin) ?? []), ...setCookies]);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) {
      refuse('authorization', `${next.origin}${next.pathname} answered ${response.status} without a redirect`);
    }
    next = new URL(location, next);
    if (next.origin === redirect.origin && next.pathname === redirect.pathname) return next;
  }
  refuse('authorization', `more than ${MAX_REDIRECT_HOPS} redirects`);
}

/** The issuer a well-known AS metadata URL was built from (RFC 8414 §3.1, OIDC Discovery §4), if it is one. */
function issuerBehind(url: URL): string | undefined {
  for (const suffix of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    if (url.pathname.startsWith(suffix)) return url.origin + url.pathname.slice(suffix.length);
    if (url.pathname.endsWith(suffix)) return url.origin + url.pathname.slice(0, -suffix.length);
  }
  return undefined;
}

const provider = new HeadlessProvider(readPreRegistration());
// resource_metadata URLs named in challenges: a PRM document can live anywhere (C-PRM-03).
const challengedPrmUrls = new Set<string>();

/** Every request the SDK makes goes through here; responses are checked where the SDK does not check. */
async function validatingFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(input);
  const response = await fetch(url, init);
  if (url.href === mcpUrl.href && (response.status === 401 || response.status === 403)) {
    const challenge = extractWWWAuthenticateParams(response);
    if (challenge.resourceMetadataUrl) challengedPrmUrls.add(challenge.resourceMetadataUrl.href);
    if (response.status === 403 && challenge.error === 'insufficient_scope') provider.noteInsufficientScope();
    log('mcp', `${response.status} ${response.headers.get('www-authenticate') ?? ''}`);
    return response;
  }
  if (!response.ok || (init?.method ?? 'GET') !== 'GET') return response;

  if (challengedPrmUrls.has(url.href) || url.pathname.startsWith('/.well-known/oauth-protected-resource')) {
    const prm = (await response.clone().json()) as { resource?: unknown };
    // PRM-C-04: exact match. The SDK accepts any resource that is a path prefix of the MCP URL.
    if (prm.resource !== canonicalResource) {
      refuse('PRM-C-04', `PRM resource ${JSON.stringify(prm.resource)} is not ${canonicalResource}`);
    }
    log('prm', `${url.href} (resource matches)`);
  }

  const expectedIssuer = issuerBehind(url);
  if (expectedIssuer !== undefined) {
    const metadata = (await response.clone().json()) as { issuer?: unknown; code_challenge_methods_supported?: unknown };
    // C-ASM-05: the SDK never compares `issuer` with the identifier the URL was built from.
    if (metadata.issuer !== expectedIssuer) {
      refuse('C-ASM-05', `metadata issuer ${JSON.stringify(metadata.issuer)} at ${url.href} is not ${expectedIssuer}`);
    }
    // C-PKCE-02/04/05: the SDK goes on when code_challenge_methods_supported is absent.
    const methods = metadata.code_challenge_methods_supported;
    if (!Array.isArray(methods) || !methods.includes('S256')) {
      refuse('C-PKCE-04', `AS metadata at ${url.href} does not list S256 in code_challenge_methods_supported`);
    }
    log('as-metadata', `${url.href} (issuer and PKCE support valid)`);
  }
  return response;
}

async function run(): Promise<void> {
  const { MCP_CONFORMANCE_SCENARIO: scenario = '-', MCP_CONFORMANCE_PROTOCOL_VERSION: version = '-' } = process.env;
  log('start', `${mcpUrl.href} scenario=${scenario} version=${version}`);
  for (let authorizations = 0; ; ) {
    // A started transport cannot be restarted, so every attempt gets a fresh client and transport.
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: validatingFetch });
    const client = new Client({ name: 'mcp-auth-conformance-reference-client', version: '0.1.0' });
    try {
      await client.connect(transport);
      log('mcp', 'connected');
      const { tools } = await client.listTools();
      log('mcp', `tools/list: ${tools.map((tool) => tool.name).join(', ')}`);
      const result = await client.callTool({ name: 'test-tool', arguments: {} });
      log('mcp', `tools/call test-tool: ${JSON.stringify(result.content)}`);
      await client.close();
      return;
    } catch (error) {
      const code = provider.takeAuthorizationCode();
      if (!(error instanceof UnauthorizedError) || code === undefined) throw error;
      if (++authorizations >= MAX_AUTHORIZATIONS) throw new Error(`still unauthorized after ${authorizations} authorizations`);
      await transport.finishAuth(code);
      await client.close();
    }
  }
}

setTimeout(() => {
  log('failed', `deadline of ${DEADLINE_MS / 1000} s passed`);
  process.exit(1);
}, DEADLINE_MS).unref();

run().then(
  () => {
    log('done');
    process.exit(0);
  },
  (error: unknown) => {
    log('failed', error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
