// A minimal MCP client written from the specification with nothing but fetch and node:crypto: a second
// correct implementation next to the SDK-based reference, and a switchboard of single defects so every
// check can be shown to fail against exactly the defect it looks for.
//
// Usage: node client.js <mcp url>, with the kit's environment (MCP_CONFORMANCE_CONTEXT,
// MCP_CONFORMANCE_PROTOCOL_VERSION, MCP_CONFORMANCE_STATE_DIR) and MUTANT_DEFECTS=name,name (empty =
// correct; the names and what each changes are in client-defects.ts). Each defect is one
// `defects.has(...)` at the step it concerns.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_DEFECTS, type ClientDefect } from './client-defects.js';
import { CONFORMANCE_CIMD_URL } from '../../mocks/knobs.js';

const DEFECT_NAMES = Object.keys(CLIENT_DEFECTS);

const CIMD_URL = CONFORMANCE_CIMD_URL;
const CIMD_HTTP_URL = 'http://conformance-test.local/client-metadata.json'; // 'cimd-http-url' only
// Never listened on: the client reads the code from the Location header that points here.
const REDIRECT_URI = 'http://127.0.0.1:33419/callback';
const DEADLINE_MS = 20_000;
const MAX_AUTHORIZATIONS = 3; // C-STP-04: a few attempts, then a permanent failure
const UNLIMITED_AUTHORIZATIONS = 10; // 'no-retry-limit' still has to end before the kit's timeout

type TokenAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

interface Challenge {
  resourceMetadata?: string;
  scope?: string;
  error?: string;
}
interface Prm {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
}
interface AsMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint?: string;
  jwks_uri?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  client_id_metadata_document_supported?: boolean;
}
/** Where the AS is and what it supports, from validated metadata or the 2025-03-26 defaults. */
interface AuthServer {
  issuer: string;
  authorize: string;
  token: string;
  register?: string;
  jwks?: string;
  metadata?: AsMetadata;
  /** 'follow-default-endpoints-first' only: the 2025-03-26 defaults, used before any metadata was tried. */
  guessed?: boolean;
}
interface ClientCredentials {
  client_id: string;
  client_secret?: string;
  method: TokenAuthMethod;
}
interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope?: string;
}
/** What one authorization left behind: enough to refresh, step up, or authorize again. */
interface Grant {
  as: AuthServer;
  client: ClientCredentials;
  prm?: Prm;
  tokens: Tokens;
  requestedScopes: string[];
}

function log(step: string, detail = ''): void {
  process.stderr.write(`[mutant-client] ${step}${detail ? `: ${detail}` : ''}\n`);
}

class Refusal extends Error {}
/** A deliberate stop: the client will not go on with what it was given. */
function refuse(requirement: string, reason: string): never {
  throw new Refusal(`refused (${requirement}): ${reason}`);
}

function readDefects(): ReadonlySet<ClientDefect> {
  const names = (process.env.MUTANT_DEFECTS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !DEFECT_NAMES.includes(name));
  if (unknown.length) {
    log('usage', `unknown defect(s) ${unknown.join(', ')}; known: ${DEFECT_NAMES.join(', ')}`);
    process.exit(2);
  }
  return new Set(names as ClientDefect[]);
}

const defects = readDefects();
const mcpArg = process.argv[process.argv.length - 1];
if (process.argv.length < 3 || !/^https?:\/\//.test(mcpArg)) {
  log('usage', 'client <mcp url>');
  process.exit(2);
}
const mcpUrl = new URL(mcpArg);
const canonicalResource = mcpArg.split('#')[0];
const protocolVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION || '2025-11-25';

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

/** Every request of this client goes through here: test worlds are loopback only, so anything else is a bug
 * in the world or the client and must not leave the machine. */
async function http(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`will not contact non-loopback ${target.origin}`);
  }
  return fetch(target, { redirect: 'manual', ...init });
}

/** The document, or undefined when the server says there is none (4xx); a 5xx says nothing, and is an error. */
async function getJson<T>(url: string): Promise<T | undefined> {
  const response = await http(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status >= 500) throw new Error(`${url} answered ${response.status}: cannot tell whether it exists`);
    return undefined;
  }
  return (await response.json()) as T;
}

/** RFC 9110 §11.6.1 challenge parameters of the Bearer scheme (quoted-string or token values). */
function parseChallenge(header: string | null): Challenge {
  const bearer = header?.match(/(?:^|,)\s*Bearer\b(.*)$/i)?.[1];
  if (bearer === undefined) return {};
  const params: Record<string, string> = {};
  for (const match of bearer.matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[match[1].toLowerCase()] ??= match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return { resourceMetadata: params.resource_metadata, scope: params.scope, error: params.error };
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** RFC 6749 §2.3.1 / Appendix B: application/x-www-form-urlencoded, as the Basic scheme requires. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function splitScopes(scope: string | undefined): string[] {
  return scope ? scope.split(' ').filter(Boolean) : [];
}

// ---------------------------------------------------------------------------------------------------
// Discovery

/** C-PRM-02..04: the challenge's resource_metadata, else path-inserted then root well-known URLs. */
async function discoverPrm(challenge: Challenge): Promise<Prm | undefined> {
  const path = mcpUrl.pathname.replace(/\/$/, '');
  const root = `${mcpUrl.origin}/.well-known/oauth-protected-resource`;
  const wellKnown = path ? [root + path, root] : [root];
  if (defects.has('root-prm-first')) wellKnown.reverse();
  const viaChallenge = challenge.resourceMetadata !== undefined && !defects.has('ignore-resource-metadata');
  const candidates = viaChallenge ? [challenge.resourceMetadata!] : wellKnown;
  for (const url of candidates) {
    const prm = await getJson<Prm>(url);
    if (!prm) continue;
    // PRM-C-04/05, RFC 9728 §3.3: code-point comparison with the identifier the URL was built from
    // (the origin for the root URL of a server with a path), or with the URL that drew the challenge.
    const expected = !viaChallenge && url === root && path ? mcpUrl.origin : canonicalResource;
    if (prm.resource !== expected && !defects.has('skip-prm-resource-check')) {
      refuse('PRM-C-04', `PRM at ${url} names resource ${JSON.stringify(prm.resource)}, not ${expected}`);
    }
    prmResource = prm.resource;
    log('prm', url);
    return prm;
  }
  log('prm', 'none found: 2025-03-26 server');
  return undefined;
}

/** C-ASM-03/04 order; 2025-03-26 servers only knew RFC 8414 at the origin root. */
function asMetadataUrls(issuer: string, legacy: boolean): string[] {
  const { origin, pathname } = new URL(issuer);
  const path = pathname.replace(/\/$/, '');
  const oauth = `${origin}/.well-known/oauth-authorization-server${path}`;
  if (legacy) return [oauth];
  if (defects.has('oauth-metadata-only')) return [oauth];
  const oidc = path
    ? [`${origin}/.well-known/openid-configuration${path}`, `${origin}${path}/.well-known/openid-configuration`]
    : [`${origin}/.well-known/openid-configuration`];
  const urls = defects.has('oidc-before-oauth') ? [...oidc, oauth] : [oauth, ...oidc];
  if (path && defects.has('wrong-asm-order-path-issuer')) urls.unshift(`${origin}/.well-known/oauth-authorization-server`);
  return urls;
}

async function discoverAsMetadata(issuer: string, legacy: boolean): Promise<AsMetadata | undefined> {
  for (const url of asMetadataUrls(issuer, legacy)) {
    const metadata = await getJson<AsMetadata>(url);
    if (!metadata) continue;
    // C-ASM-05 / RFC 8414 §3.3: the document must name the issuer its URL was built from.
    if (metadata.issuer !== issuer && !defects.has('skip-issuer-check')) {
      refuse('C-ASM-05', `metadata at ${url} says issuer ${JSON.stringify(metadata.issuer)}, not ${issuer}`);
    }
    checkPkceSupport(metadata);
    log('as-metadata', url);
    return metadata;
  }
  return undefined;
}

/** C-PKCE-02..05: no code_challenge_methods_supported means no PKCE; without S256 there is nothing to use. */
function checkPkceSupport(metadata: AsMetadata): void {
  const methods = metadata.code_challenge_methods_supported;
  if (methods === undefined && defects.has('proceed-without-pkce-support')) return;
  if (!methods?.includes('S256')) refuse('C-PKCE-04', 'the AS does not advertise S256 in code_challenge_methods_supported');
}

function fromMetadata(metadata: AsMetadata): AuthServer {
  return {
    issuer: metadata.issuer,
    authorize: metadata.authorization_endpoint,
    token: metadata.token_endpoint,
    register: metadata.registration_endpoint,
    jwks: metadata.jwks_uri,
    metadata,
  };
}

/** 2025-03-26 "default endpoints" at the authorization base URL (the MCP URL without its path). */
function defaultEndpoints(base: string): AuthServer {
  return { issuer: base, authorize: `${base}/authorize`, token: `${base}/token`, register: `${base}/register` };
}

async function locateAuthServer(prm: Prm | undefined, guessing = defects.has('follow-default-endpoints-first')): Promise<AuthServer> {
  if (prm) {
    // C-PRM-06: one AS is enough here; the first listed is the resource server's preference.
    const issuer = prm.authorization_servers?.[0];
    if (!issuer) refuse('PRM-RS-06', 'PRM lists no authorization server');
    const metadata = await discoverAsMetadata(issuer, false);
    if (!metadata) refuse('C-ASM-02', `no metadata for issuer ${issuer}`);
    return fromMetadata(metadata);
  }
  // 2025-03-26: the AS lives at the MCP server's origin; metadata MUST be tried before the defaults.
  const base = mcpUrl.origin;
  if (defects.has('ignore-legacy-metadata')) return defaultEndpoints(base);
  if (guessing) return { ...defaultEndpoints(base), guessed: true };
  const metadata = await discoverAsMetadata(base, true);
  return metadata ? fromMetadata(metadata) : defaultEndpoints(base);
}

// ---------------------------------------------------------------------------------------------------
// Client identity (C-REG-02: pre-registered > CIMD > DCR)

function preRegistration(): { client_id: string; client_secret?: string } | undefined {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { name?: string; client_id?: string; client_secret?: string };
  // The official contract: the context is named after the scenario, for discriminated parsing.
  return context.name === process.env.MCP_CONFORMANCE_SCENARIO && context.client_id
    ? { client_id: context.client_id, client_secret: context.client_secret }
    : undefined;
}

/** The AS's first method we can perform: a pre-registered client's method is the AS's default. */
function firstUsableMethod(as: AuthServer, hasSecret: boolean): TokenAuthMethod {
  const offered = as.metadata?.token_endpoint_auth_methods_supported ?? [hasSecret ? 'client_secret_basic' : 'none'];
  const usable = offered.filter((method): method is TokenAuthMethod =>
    method === 'none' || (hasSecret && (method === 'client_secret_basic' || method === 'client_secret_post')),
  );
  return usable[0] ?? 'none';
}

async function obtainClient(as: AuthServer): Promise<ClientCredentials> {
  const pre = preRegistration();
  if (pre && !defects.has('dcr-even-if-preregistered')) {
    log('client', `pre-registered ${pre.client_id}`);
    return { ...pre, method: firstUsableMethod(as, pre.client_secret !== undefined) };
  }
  if (as.metadata?.client_id_metadata_document_supported && !defects.has('dcr-even-if-cimd')) {
    const clientId = defects.has('cimd-http-url') ? CIMD_HTTP_URL : CIMD_URL;
    log('client', `CIMD ${clientId}`);
    return { client_id: clientId, method: 'none' };
  }
  if (as.register) return register(as.register, as);
  refuse('C-REG-01', 'no pre-registration, CIMD or registration endpoint');
}

async function register(endpoint: string, as: AuthServer): Promise<ClientCredentials> {
  const offered = as.metadata?.token_endpoint_auth_methods_supported;
  const body: Record<string, unknown> = {
    client_name: 'mcp-auth-conformance mutant client',
    redirect_uris: defects.has('dcr-no-redirect-uris') ? undefined : [REDIRECT_URI],
    grant_types: defects.has('no-refresh-grant-type') ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: !offered || offered.includes('none') ? 'none' : offered[0],
  };
  if (!defects.has('no-application-type')) body.application_type = defects.has('application-type-web') ? 'web' : 'native'; // C-REG-12/13
  const response = await http(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  }
  const info = (await response.json()) as { client_id: string; client_secret?: string; token_endpoint_auth_method?: string };
  log('client', `registered ${info.client_id}`);
  // DCR-C-03: what the AS returns is authoritative.
  const method = (info.token_endpoint_auth_method ?? body.token_endpoint_auth_method) as TokenAuthMethod;
  return { client_id: defects.has('ignore-issued-client-id') ? 'mutant-client' : info.client_id, client_secret: info.client_secret, method };
}

// ---------------------------------------------------------------------------------------------------
// Authorization request and response

/** C-SCP-02: the challenge's scope, else every PRM scope, else none. */
function initialScopes(challenge: Challenge, prm: Prm | undefined, as: AuthServer): string[] {
  if (defects.has('no-scope')) return [];
  if (defects.has('scope-all-supported')) return prm?.scopes_supported ?? as.metadata?.scopes_supported ?? [];
  if (challenge.scope) return splitScopes(challenge.scope);
  if (defects.has('scope-from-supported-ignored')) return [];
  return prm?.scopes_supported ?? (defects.has('default-scope') ? ['mcp'] : []);
}

/** The resource the validated PRM document named ('prm-resource-with-slash' only). */
let prmResource: string | undefined;

/** C-RES-04: the canonical MCP URL, identical in the authorization and token requests. */
function resourceIndicator(): string {
  if (defects.has('resource-with-fragment')) return `${canonicalResource}#frag`;
  if (defects.has('resource-origin-only')) return mcpUrl.origin;
  if (defects.has('prm-resource-with-slash') && prmResource && new URL(prmResource).pathname === '/') return `${prmResource.replace(/\/$/, '')}/`;
  return canonicalResource;
}

/** PKCE-C-01/06: 32 random octets, new for every authorization request. */
function codeVerifier(): string {
  if (!defects.has('reuse-verifier')) return base64url(randomBytes(32));
  const dir = process.env.MCP_CONFORMANCE_STATE_DIR || tmpdir();
  const file = join(dir, 'mutant-code-verifier');
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const verifier = base64url(randomBytes(32));
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, verifier);
    return verifier;
  }
}

interface AuthorizationResult {
  code: string;
  verifier: string;
}

async function authorize(as: AuthServer, client: ClientCredentials, scopes: string[]): Promise<AuthorizationResult> {
  const verifier = codeVerifier();
  const state = base64url(randomBytes(16));
  const url = new URL(as.authorize);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', REDIRECT_URI);
  if (!defects.has('no-state')) url.searchParams.set('state', state);
  if (!defects.has('no-pkce')) {
    const plain = defects.has('pkce-plain');
    url.searchParams.set('code_challenge', plain ? verifier : base64url(createHash('sha256').update(verifier).digest()));
    url.searchParams.set('code_challenge_method', plain ? 'plain' : 'S256');
  }
  if (scopes.length) url.searchParams.set('scope', scopes.join(' '));
  if (!defects.has('no-resource-authorize')) url.searchParams.set('resource', resourceIndicator());
  log('authorize', url.href);

  const params = (await followToRedirectUri(url)).searchParams;
  validateAuthorizationResponse(params, as, defects.has('no-state') ? null : state);
  const error = params.get('error');
  if (error) throw new Error(`authorization error ${error}: ${params.get('error_description') ?? ''}`);
  const code = params.get('code');
  if (!code) throw new Error('authorization response without a code');
  return { code, verifier };
}

/** Plays the user agent: GET the authorization URL and follow Location hops until our redirect_uri. */
async function followToRedirectUri(start: URL): Promise<URL> {
  const redirect = new URL(REDIRECT_URI);
  let next = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await http(next);
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Error(`${next.origin}${next.pathname} answered ${response.status} without a redirect`);
    }
    next = new URL(location, next);
    if (next.origin === redirect.origin && next.pathname === redirect.pathname) return next;
  }
  throw new Error('too many redirects');
}

/** C-STATE-01 and RFC 9207 (C-ISS-02..04), before the code goes anywhere. */
function validateAuthorizationResponse(params: URLSearchParams, as: AuthServer, sentState: string | null): void {
  const problems: string[] = [];
  const issProblem = defects.has('skip-iss-check') ? undefined : checkIss(params.get('iss'), as);
  if (issProblem) problems.push(issProblem);
  if (!defects.has('skip-state-check') && params.get('state') !== sentState) {
    problems.push(`state ${JSON.stringify(params.get('state'))} is not the one sent`);
  }
  if (problems.length === 0) return;
  if (defects.has('no-refuse-on-mismatch')) return log('callback', `ignoring: ${problems.join('; ')}`);
  refuse('C-ISS-02/C-STATE-01', problems.join('; '));
}

/** The RFC 9207 §2.4 table as MCP profiles it: a present iss is always compared, by exact string. */
function checkIss(iss: string | null, as: AuthServer): string | undefined {
  const supported = as.metadata?.authorization_response_iss_parameter_supported === true;
  if (!supported && defects.has('iss-only-when-advertised')) return undefined;
  if (iss === null) {
    if (!supported && defects.has('require-iss-always')) return 'iss missing (support not advertised)';
    return supported && !defects.has('ignore-missing-iss') ? 'iss missing though the AS advertises it' : undefined;
  }
  const issuer = defects.has('iss-compare-with-slash') ? `${as.issuer}/` : as.issuer;
  const normalize = (value: string) => (defects.has('normalize-iss') ? value.replace(/\/$/, '').toLowerCase() : value);
  return normalize(iss) === normalize(issuer) ? undefined : `iss ${JSON.stringify(iss)} is not ${JSON.stringify(issuer)}`;
}

// ---------------------------------------------------------------------------------------------------
// Token endpoint

function applyClientAuthentication(client: ClientCredentials, headers: Headers, form: URLSearchParams): void {
  let method = client.method;
  if (method === 'client_secret_basic' && defects.has('basic-as-post')) method = 'client_secret_post';
  else if (method === 'client_secret_post' && defects.has('post-as-basic')) method = 'client_secret_basic';
  if (method === 'client_secret_basic') {
    const encode = defects.has('basic-no-urlencode') ? (value: string) => value : formEncode;
    const credentials = `${encode(client.client_id)}:${encode(client.client_secret ?? '')}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
    return;
  }
  form.set('client_id', client.client_id);
  if (method === 'client_secret_post') form.set('client_secret', client.client_secret ?? '');
}

async function tokenRequest(as: AuthServer, client: ClientCredentials, form: URLSearchParams): Promise<Tokens> {
  if (!defects.has('no-resource-token')) form.set('resource', resourceIndicator());
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  applyClientAuthentication(client, headers, form);
  const response = await http(as.token, { method: 'POST', headers, body: form });
  if (!response.ok) throw new Error(`token endpoint: ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as Tokens;
  log('token', `${form.get('grant_type')} ok (scope: ${tokens.scope ?? 'none'}, refresh token: ${tokens.refresh_token ? 'yes' : 'no'})`);
  return tokens;
}

async function redeemCode(as: AuthServer, client: ClientCredentials, result: AuthorizationResult): Promise<Tokens> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: result.code, redirect_uri: REDIRECT_URI });
  if (!defects.has('no-pkce') && !defects.has('no-verifier')) form.set('code_verifier', result.verifier);
  if (defects.has('wrong-verifier')) form.set('code_verifier', base64url(randomBytes(32)));
  return tokenRequest(as, client, form);
}

async function refresh(grant: Grant): Promise<Tokens | undefined> {
  if (!grant.tokens.refresh_token) return undefined;
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: grant.tokens.refresh_token });
  try {
    const tokens = await tokenRequest(grant.as, grant.client, form);
    // O21-C-04: a rotated refresh token replaces the old one, which is dead from now on.
    const refreshToken = defects.has('keep-old-refresh-token') ? grant.tokens.refresh_token : (tokens.refresh_token ?? grant.tokens.refresh_token);
    return { ...tokens, refresh_token: refreshToken };
  } catch (error) {
    log('token', `refresh failed, authorizing again (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** 'token-to-other-resource': the access token goes somewhere that is not the MCP server (C-TOK-04). */
async function leakToken(as: AuthServer, token: string): Promise<void> {
  const target = as.jwks ?? `${new URL(as.token).origin}/jwks`;
  const response = await http(target, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  log('leak', `sent the access token to ${target}`);
}

// ---------------------------------------------------------------------------------------------------
// The authorization flow and the MCP session

/**
 * Discovery, client identity, authorization and code redemption; a step-up reuses what the
 * `previous` grant found. `former` is the grant being replaced after a fresh discovery
 * ('keep-client-across-as' only).
 */
async function obtainGrant(challenge: Challenge, previous: Grant | undefined, former?: Grant): Promise<Grant> {
  const prm = previous ? previous.prm : await discoverPrm(challenge);
  let as = previous?.as ?? (await locateAuthServer(prm));
  let client: ClientCredentials;
  try {
    client = previous?.client ?? (defects.has('keep-client-across-as') && former ? former.client : await obtainClient(as));
  } catch (error) {
    if (!as.guessed) throw error;
    // 'follow-default-endpoints-first': the guessed endpoints failed, so now the metadata it skipped.
    log('client', `default endpoints failed (${error instanceof Error ? error.message : String(error)})`);
    as = await locateAuthServer(prm, false);
    client = await obtainClient(as);
  }
  // C-SCP-05 / C-STP-03: on re-authorization, the earlier scopes together with the challenged ones.
  const scopes = previous
    ? [...new Set([...(defects.has('no-scope-union') ? [] : previous.requestedScopes), ...splitScopes(challenge.scope)])]
    : initialScopes(challenge, prm, as);
  const tokens = await redeemCode(as, client, await authorize(as, client, scopes));
  if (defects.has('token-to-other-resource')) await leakToken(as, tokens.access_token);
  return { as, client, prm, tokens, requestedScopes: scopes };
}

interface McpResponse {
  status: number;
  challenge: Challenge;
  body?: unknown;
}

let nextId = 1;
let authorizedRequests = 0;
let negotiatedVersion: string | undefined;

async function postMcp(message: Record<string, unknown>, token: string | undefined): Promise<McpResponse> {
  const url = new URL(mcpUrl);
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
  if (negotiatedVersion) headers.set('mcp-protocol-version', negotiatedVersion);
  if (token && defects.has('token-in-query')) url.searchParams.set('access_token', token);
  else if (token && !(defects.has('no-auth-on-followups') && authorizedRequests > 0)) headers.set('authorization', `Bearer ${token}`);
  if (token) authorizedRequests++;
  const response = await http(url, { method: 'POST', headers, body: JSON.stringify(message) });
  const text = await response.text();
  const challenge = parseChallenge(response.headers.get('www-authenticate'));
  return { status: response.status, challenge, body: text ? parseMcpBody(text, response.headers.get('content-type')) : undefined };
}

/** A JSON body, or the last data line of a text/event-stream body. */
function parseMcpBody(text: string, contentType: string | null): unknown {
  if (!contentType?.includes('text/event-stream')) return JSON.parse(text);
  const data = text.split('\n').filter((line) => line.startsWith('data:'));
  return data.length ? JSON.parse(data[data.length - 1].slice(5)) : undefined;
}

/** Sends one MCP message, authorizing, refreshing or stepping up as the server's answers require. */
async function send(method: string, params: Record<string, unknown> | undefined, session: { grant?: Grant; authorizations: number }): Promise<unknown> {
  const isNotification = method.startsWith('notifications/');
  const message = { jsonrpc: '2.0', method, ...(params ? { params } : {}), ...(isNotification ? {} : { id: nextId++ }) };
  const limit = defects.has('no-retry-limit') ? UNLIMITED_AUTHORIZATIONS : MAX_AUTHORIZATIONS;
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    const response = await postMcp(message, session.grant?.tokens.access_token);
    if (response.status >= 200 && response.status < 300) {
      const body = response.body as { error?: { message?: string }; result?: unknown } | undefined;
      if (body?.error) throw new Error(`${method}: JSON-RPC error ${body.error.message ?? ''}`);
      log('mcp', `${method} ${response.status}`);
      return body?.result;
    }
    const stepUp = response.status === 403 && response.challenge.error === 'insufficient_scope';
    if (response.status !== 401 && !stepUp) throw new Error(`${method}: HTTP ${response.status}`);
    if (stepUp && defects.has('no-step-up')) throw new Error(`${method}: 403 insufficient_scope, and this client does not step up`);
    log('mcp', `${method} ${response.status} ${JSON.stringify(response.challenge)}`);
    if (attempt >= limit) throw new Error(`${method}: still ${response.status} after ${attempt} retries`);
    // An expired or revoked token is refreshed; a refresh cannot widen scope, so a step-up is a new
    // authorization. A refreshed token refused again means the grant is no good here any more (the
    // resource may have moved to another authorization server): discover and authorize afresh.
    const grant = session.grant;
    if (grant && !refreshed && (response.status === 401 || defects.has('refresh-on-step-up'))) {
      const tokens = await refresh(grant);
      if (tokens) {
        grant.tokens = tokens;
        refreshed = true;
        continue;
      }
    }
    refreshed = false;
    if (++session.authorizations > limit) throw new Error(`still unauthorized after ${limit} authorizations`);
    const obtained = await obtainGrant(response.challenge, stepUp ? grant : undefined, grant);
    // The defect keeps the grant's new scope on record but goes on sending the token it had.
    session.grant = stepUp && grant && defects.has('step-up-keeps-old-token') ? { ...obtained, tokens: grant.tokens } : obtained;
  }
}

async function run(): Promise<void> {
  log('start', `${mcpUrl.href} defects=[${[...defects].join(',')}] version=${protocolVersion}`);
  const session: { grant?: Grant; authorizations: number } = { authorizations: 0 };
  const init = (await send('initialize', {
    protocolVersion,
    capabilities: {},
    clientInfo: { name: 'mcp-auth-conformance-mutant-client', version: '0.1.0' },
  }, session)) as { protocolVersion?: string } | undefined;
  negotiatedVersion = init?.protocolVersion ?? protocolVersion;
  await send('notifications/initialized', undefined, session);
  const tools = (await send('tools/list', {}, session)) as { tools?: { name: string }[] } | undefined;
  log('mcp', `tools: ${(tools?.tools ?? []).map((tool) => tool.name).join(', ')}`);
  await send('tools/call', { name: 'test-tool', arguments: {} }, session);
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
    log(error instanceof Refusal ? 'refused' : 'failed', error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
