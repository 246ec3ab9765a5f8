// A small OAuth 2.1 authorization server for MCP on node:http, correct unless told otherwise, so that
// each check of the authorization-server suite can be shown to pass against it and to fail against
// exactly the defect it looks for.
//
// Usage: node authorization-server-mutant.js, with the kit's environment (HOST, PORT,
// MCP_CONFORMANCE_ISSUER, MCP_CONFORMANCE_RESOURCE) and AS_DEFECTS=name,name (empty = correct;
// names in authorization-server-defects.ts). STORE_DELAY_MS (default 2) is how long every store
// operation waits, as a database round trip would: races the kit provokes are real races here.
// AS_TOKEN_FORMAT=opaque issues random access tokens, told about only by RFC 7662 introspection,
// instead of JWTs: a way of being correct, not a defect.
// Client ID metadata documents are fetched with node's fetch, which trusts the CA the kit names in
// NODE_EXTRA_CA_CERTS.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AUTHORIZATION_SERVER_DEFECTS, type AuthorizationServerDefect } from './authorization-server-defects.js';

function readDefects(): Set<AuthorizationServerDefect> {
  const names = (process.env.AS_DEFECTS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !Object.hasOwn(AUTHORIZATION_SERVER_DEFECTS, name));
  if (unknown.length) {
    process.stderr.write(`authorization-server-mutant: unknown defect(s) ${unknown.join(', ')}; known: ${Object.keys(AUTHORIZATION_SERVER_DEFECTS).join(', ')}\n`);
    process.exit(2);
  }
  return new Set(names as AuthorizationServerDefect[]);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`authorization-server-mutant: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

const defects = readDefects();
const has = (defect: AuthorizationServerDefect): boolean => defects.has(defect);

const HOST = process.env.HOST ?? '127.0.0.1';
const PORT = Number(required('PORT'));
const ISSUER = required('MCP_CONFORMANCE_ISSUER');
const RESOURCE = required('MCP_CONFORMANCE_RESOURCE');
const STORE_DELAY_MS = Number(process.env.STORE_DELAY_MS ?? 2);
const OPAQUE = process.env.AS_TOKEN_FORMAT === 'opaque';

const BASE = ISSUER.replace(/\/$/, '');
const BASE_PATH = new URL(ISSUER).pathname.replace(/\/$/, '');
const ENDPOINT = { authorize: `${BASE}/authorize`, token: `${BASE}/token`, register: `${BASE}/register`, jwks: `${BASE}/jwks`, introspect: `${BASE}/introspect` };

// Two, so that a refresh can ask for part of a grant.
const SCOPES = ['mcp', 'mcp:tools'];
const CODE_TTL_MS = 60_000;
const ACCESS_TOKEN_TTL_S = has('long-lived-access-tokens') ? 7 * 24 * 3600 : 300;
/** How long the immediate predecessor of a refresh token still yields its successor: a client that lost the answer to a timeout, or raced itself, keeps its session. */
const GRACE_MS = 2000;
const USER = 'mcp-auth-conformance-user';

/**
 * Storage as a database offers it: every operation awaits I/O, values are copied in and out (no
 * shared objects), and compare-and-set is the only way to make a read and a write one step.
 */
class Store {
  private readonly data = new Map<string, string>();

  constructor(private readonly delayMs: number) {}

  async get<T>(key: string): Promise<T | undefined> {
    await sleep(this.delayMs);
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T): Promise<void> {
    await sleep(this.delayMs);
    this.data.set(key, JSON.stringify(value));
  }

  /** Writes `next` only if the key still holds `expected` (undefined: holds nothing); says whether it did. */
  async compareAndSet<T>(key: string, expected: T | undefined, next: T): Promise<boolean> {
    await sleep(this.delayMs);
    if (this.data.get(key) !== (expected === undefined ? undefined : JSON.stringify(expected))) return false;
    this.data.set(key, JSON.stringify(next));
    return true;
  }

  async delete(key: string): Promise<void> {
    await sleep(this.delayMs);
    this.data.delete(key);
  }
}

interface Client {
  client_id: string;
  client_id_issued_at: number;
  redirect_uris: string[];
  grant_types: unknown;
  response_types: unknown;
  token_endpoint_auth_method: 'none';
  client_name?: string;
  application_type?: string;
  scope?: string;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  challenge?: string;
  method?: 'S256' | 'plain';
  resource: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  /** The family its redemption started: what a replay revokes. */
  family?: string;
}

interface RefreshRecord {
  family: string;
  clientId: string;
  /** What the user granted; a refresh may ask for less, never more. */
  scope: string;
  resource: string;
  state: 'active' | 'rotated';
  successor?: string;
  rotatedAt?: number;
  /** The answer that rotated it, returned again byte for byte within the grace window. */
  response?: string;
}

interface Family {
  revoked: boolean;
}

/** An opaque access token: what introspection tells its client. */
interface AccessRecord {
  clientId: string;
  scope: string;
  resource: string;
  /** Seconds since the epoch, as `exp` says it. */
  expiresAt: number;
}

const store = new Store(STORE_DELAY_MS);
const { privateKey, publicKey } = await generateKeyPair('ES256');
const KID = randomUUID();
const JWKS = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' }] };

const randomToken = (): string => randomBytes(32).toString('base64url');
const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

// ---------------------------------------------------------------------------------------------
// Answers

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthError(res: ServerResponse, error: string, description: string, status = 400): void {
  sendJson(res, status, { error, error_description: description }, NO_STORE);
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The server's own error page: what a user sees when the request cannot safely go back to the client. */
function page(res: ServerResponse, status: number, title: string, text: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...NO_STORE })
    .end(`<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Metadata

function metadata(kind: 'rfc8414' | 'oidc'): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    issuer: has('issuer-trailing-slash') ? `${BASE}/` : ISSUER,
    authorization_endpoint: ENDPOINT.authorize,
    token_endpoint: ENDPOINT.token,
    registration_endpoint: ENDPOINT.register,
    jwks_uri: ENDPOINT.jwks,
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', ...(has('implicit-advertised') ? ['implicit'] : [])],
    token_endpoint_auth_methods_supported: has('no-public-clients-advertised') ? ['client_secret_basic'] : ['none'],
    code_challenge_methods_supported: ['S256', ...(has('plain-accepted') ? ['plain'] : [])],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
    ...(OPAQUE ? { introspection_endpoint: ENDPOINT.introspect } : {}),
  };
  // OpenID Connect Discovery requires these even of a server that only serves OAuth clients.
  if (kind === 'oidc') Object.assign(doc, { subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] });
  if (has('no-response-types')) delete doc.response_types_supported;
  if (has('no-pkce-methods') || (kind === 'oidc' && has('oidc-without-pkce'))) delete doc.code_challenge_methods_supported;
  if (has('no-iss')) delete doc.authorization_response_iss_parameter_supported;
  if (has('empty-list-claim')) doc.ui_locales_supported = [];
  if (has('signing-alg-none')) doc.token_endpoint_auth_signing_alg_values_supported = ['none'];
  return doc;
}

function serveMetadata(res: ServerResponse, kind: 'rfc8414' | 'oidc'): void {
  if (kind === 'rfc8414' && has('oidc-discovery-only')) return sendJson(res, 404, { error: 'not_found' });
  sendJson(res, 200, metadata(kind), has('metadata-as-html') ? { 'content-type': 'text/html' } : {});
}

// ---------------------------------------------------------------------------------------------
// Registration (RFC 7591)

const LIST_FIELDS = ['redirect_uris', 'grant_types', 'response_types', 'contacts'];
const KNOWN_FIELDS = new Set([...LIST_FIELDS, 'token_endpoint_auth_method', 'client_name', 'client_uri', 'logo_uri', 'scope', 'tos_uri', 'policy_uri', 'jwks_uri', 'jwks', 'software_id', 'software_version', 'application_type']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

type Refusal = { error: string; description: string };

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Redirect URIs a native or web client may have: https, or http to the machine itself. */
function redirectUriRefusal(uris: unknown): Refusal | undefined {
  if (!isStringList(uris) || uris.length === 0) return { error: 'invalid_redirect_uri', description: 'redirect_uris must be a non-empty list of strings' };
  for (const uri of uris) {
    if (!URL.canParse(uri)) return { error: 'invalid_redirect_uri', description: `${uri} is not a URI` };
    const url = new URL(uri);
    if (url.hash) return { error: 'invalid_redirect_uri', description: `${uri} has a fragment` };
    const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || has('http-redirect-accepted')));
    if (!allowed) return { error: 'invalid_redirect_uri', description: `${uri} is neither https nor loopback http` };
  }
  return undefined;
}

function clientMetadataRefusal(m: Record<string, unknown>): Refusal | undefined {
  const invalid = (description: string): Refusal => ({ error: 'invalid_client_metadata', description });
  const unknown = Object.keys(m).filter((field) => !KNOWN_FIELDS.has(field));
  if (unknown.length > 0 && has('unknown-metadata-refused')) return invalid(`unknown field(s) ${unknown.join(', ')}`);
  const redirect = redirectUriRefusal(m.redirect_uris);
  if (redirect) return redirect;
  if (!has('list-fields-unchecked')) {
    for (const field of LIST_FIELDS) if (m[field] !== undefined && !isStringList(m[field])) return invalid(`${field} must be a list of strings`);
    if (isStringList(m.grant_types) && m.grant_types.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) return invalid('only authorization_code and refresh_token are supported');
    if (isStringList(m.response_types) && m.response_types.some((t) => t !== 'code')) return invalid('only the code response type is supported');
  }
  if (m.token_endpoint_auth_method !== undefined && m.token_endpoint_auth_method !== 'none') return invalid('only public clients (token_endpoint_auth_method none) are served');
  if (m.application_type === undefined && has('application-type-required')) return invalid('application_type is required');
  if (m.application_type !== undefined && m.application_type !== 'native' && m.application_type !== 'web') return invalid('application_type must be native or web');
  for (const field of ['client_name', 'scope']) if (m[field] !== undefined && typeof m[field] !== 'string') return invalid(`${field} must be a string`);
  return undefined;
}

/** The client that metadata, already found acceptable, describes. */
function clientFrom(clientId: string, issuedAt: number, m: Record<string, unknown>): Client {
  return {
    client_id: clientId,
    client_id_issued_at: issuedAt,
    redirect_uris: m.redirect_uris as string[],
    grant_types: m.grant_types ?? ['authorization_code'],
    response_types: m.response_types ?? ['code'],
    token_endpoint_auth_method: 'none',
    ...(typeof m.client_name === 'string' ? { client_name: m.client_name } : {}),
    ...(typeof m.application_type === 'string' ? { application_type: m.application_type } : {}),
    ...(typeof m.scope === 'string' ? { scope: m.scope } : {}),
  };
}

async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (has('dies-on-malformed-json')) {
      process.stderr.write('authorization-server-mutant: fatal error: a registration body is not JSON\n');
      process.exit(1);
    }
    if (has('html-on-malformed-json')) return page(res, 400, 'Bad Request', 'The request could not be read.');
    return oauthError(res, 'invalid_client_metadata', 'the body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return oauthError(res, 'invalid_client_metadata', 'the body is not a JSON object');
  const m = body as Record<string, unknown>;
  const refusal = clientMetadataRefusal(m);
  if (refusal) return oauthError(res, refusal.error, refusal.description);
  const client = clientFrom(randomUUID(), Math.floor(Date.now() / 1000), m);
  await store.set(`client:${client.client_id}`, client);
  sendJson(res, has('registration-200') ? 200 : 201, client, NO_STORE);
}

// ---------------------------------------------------------------------------------------------
// Client ID metadata documents (CIMD; MCP "Client Registration"): a client_id that is an https URL
// names the document that describes the client.

const DOCUMENT_TIMEOUT_MS = 5000;
/** Far more than a client's metadata needs; a larger answer is not read, whatever it claims to be. */
const DOCUMENT_MAX_BYTES = 5 * 1024;
/** The longest a good document is used without fetching it again, and how long one without cache headers is. */
const DOCUMENT_FRESH_MS = 60_000;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Good documents, by URL, until they are stale. Failures are never kept (CIMD-AS-04): the next request fetches again. */
const documents = new Map<string, { client: Client; until: number }>();

/** https, a path, no dot segments, userinfo or fragment (CIMD-AS-01); a URL already in normal form has no dot segments. */
function isDocumentUrl(clientId: string): boolean {
  if (!URL.canParse(clientId)) return false;
  const url = new URL(clientId);
  return url.protocol === 'https:' && url.href === clientId && url.pathname !== '/' && !url.username && !url.password && !clientId.includes('#');
}

/** How long a document may be used again: what its Cache-Control allows (A-CIMD-03), at most DOCUMENT_FRESH_MS. */
function freshFor(cacheControl: string | null): number {
  if (cacheControl && /no-store|no-cache/i.test(cacheControl)) return 0;
  const maxAge = cacheControl?.match(/max-age=(\d+)/i);
  return Math.min(maxAge ? Number(maxAge[1]) * 1000 : DOCUMENT_FRESH_MS, DOCUMENT_FRESH_MS);
}

/** The body, unless it grows past `max` bytes: then it is abandoned unread. */
async function cappedText(response: Response, max: number): Promise<string | undefined> {
  if (!response.body) return '';
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    await response.body.cancel();
    return undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The document at `url`, or why it could not be had. SSRF (A-CIMD-08): a server on a network must
 * refuse URLs that resolve to loopback, private or link-local addresses; this one only ever runs
 * against the kit, whose documents are on 127.0.0.1, so it fetches from loopback on purpose.
 * Redirects are not followed: the document is the one at the client_id, nowhere else.
 */
async function fetchDocument(url: string): Promise<{ document: Record<string, unknown>; freshMs: number } | string> {
  let response: Response;
  let text: string | undefined;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS) });
    const type = response.headers.get('content-type') ?? '(none)';
    if (response.status !== 200 || !JSON_MEDIA_TYPE.test(type)) {
      await response.body?.cancel();
      return `it answered ${response.status} with Content-Type ${type}, not 200 with JSON`;
    }
    text = await cappedText(response, DOCUMENT_MAX_BYTES);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return `it could not be fetched: ${cause?.message ?? (error as Error).message}`;
  }
  if (text === undefined) return `it is larger than ${DOCUMENT_MAX_BYTES} bytes`;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) return 'it is not a JSON object';
  return { document: document as Record<string, unknown>, freshMs: freshFor(response.headers.get('cache-control')) };
}

/** What makes a fetched document unusable, if anything. */
function documentRefusal(url: string, fetched: Record<string, unknown>): string | undefined {
  if (fetched.client_id !== url && !has('cimd-client-id-unchecked')) return `its client_id is ${JSON.stringify(fetched.client_id)}, not its own URL`;
  // The defect never reads how the client authenticates: every document client is public to it.
  const m = has('cimd-shared-secret-accepted') ? { ...fetched, token_endpoint_auth_method: undefined, client_secret: undefined, client_secret_expires_at: undefined } : fetched;
  // Anyone can read the document, so no secret it implies is one (CIMD-AS-02).
  const method = m.token_endpoint_auth_method;
  if (typeof method === 'string' && method.startsWith('client_secret_')) return `it declares token_endpoint_auth_method ${method}, a shared secret`;
  const secret = ['client_secret', 'client_secret_expires_at'].find((field) => m[field] !== undefined);
  if (secret) return `it has ${secret}`;
  return clientMetadataRefusal(m)?.description;
}

/** A client taken on trust (defects only): the client_id as it comes, with the redirect URI it brings. */
function takenOnTrust(clientId: string, presented: string | null): Client {
  return clientFrom(clientId, 0, { redirect_uris: presented ? [presented] : [] });
}

/** The client a metadata document describes, or why there is none; `presented` is the redirect URI of the request. */
async function documentClient(url: string, presented: string | null): Promise<Client | string> {
  if (has('cimd-not-fetched')) return takenOnTrust(url, presented);
  const remembered = documents.get(url);
  let client = remembered && remembered.until > Date.now() ? remembered.client : undefined;
  if (!client) {
    const fetched = await fetchDocument(url);
    if (typeof fetched === 'string') return has('cimd-fetch-failure-ignored') ? takenOnTrust(url, presented) : `The client's metadata document could not be used: ${fetched}.`;
    const refusal = documentRefusal(url, fetched.document);
    if (refusal) return `The client's metadata document is refused: ${refusal}.`;
    client = clientFrom(url, 0, fetched.document);
    if (fetched.freshMs > 0) documents.set(url, { client, until: Date.now() + fetched.freshMs });
  }
  // A trust policy that admits nobody, so every document client is refused once its document is read.
  if (has('cimd-refused')) return "The client's metadata document is valid, but no such client is trusted here.";
  // The defect reads the document's redirect URIs and takes the request's besides.
  return has('cimd-redirect-unchecked') && presented ? { ...client, redirect_uris: [...client.redirect_uris, presented] } : client;
}

/** The client a client_id names, a document's or a registered one, or what the server says instead. */
async function clientOf(clientId: string | null, presented: string | null): Promise<Client | string> {
  if (!clientId) return 'The request names no client.';
  if (isDocumentUrl(clientId)) return documentClient(clientId, presented);
  const known = await store.get<Client>(`client:${clientId}`);
  // Taking any client_id on trust at the authorization endpoint (an `allow` callback that says yes to all).
  if (!known && presented && has('unknown-client-granted')) return takenOnTrust(clientId, presented);
  return known ?? 'The client is not known to this server.';
}

// ---------------------------------------------------------------------------------------------
// The authorization endpoint

const isLoopbackIp = (url: URL): boolean => url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');

/** Exact string match, but for the port of a loopback IP redirect URI, which a native client only learns when it listens (OAuth 2.1 §8.4.2). */
function redirectMatches(registered: string, presented: string): boolean {
  const same = (a: string, b: string): boolean => (has('redirect-prefix-match') ? b.startsWith(a) : a === b);
  if (same(registered, presented)) return true;
  if (has('loopback-port-exact') || !URL.canParse(registered) || !URL.canParse(presented)) return false;
  const r = new URL(registered);
  const p = new URL(presented);
  if (!isLoopbackIp(r) || !isLoopbackIp(p)) return false;
  r.port = '';
  p.port = '';
  return same(r.href, p.href);
}

function redirect(res: ServerResponse, to: string, params: Record<string, string>, inFragment = false): void {
  const url = new URL(to);
  const carrier = inFragment ? new URLSearchParams() : url.searchParams;
  for (const [name, value] of Object.entries(params)) carrier.set(name, value);
  if (inFragment) url.hash = carrier.toString();
  res.writeHead(302, { location: url.href, ...NO_STORE }).end();
}

/** A JWT, or in the opaque mode a random string whose meaning only the store holds. */
async function accessToken(claims: { clientId: string; scope: string; resource: string }): Promise<string> {
  if (!OPAQUE) return signAccessToken(claims);
  const token = randomToken();
  const record: AccessRecord = { clientId: claims.clientId, scope: claims.scope, resource: claims.resource, expiresAt: Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_S };
  await store.set(`access:${token}`, record);
  return token;
}

async function signAccessToken(claims: { clientId: string; scope: string; resource: string }): Promise<string> {
  return new SignJWT({ client_id: claims.clientId, scope: claims.scope })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(USER)
    .setAudience(has('aud-not-resource') ? ISSUER : claims.resource)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_S}s`)
    .setJti(randomUUID())
    .sign(privateKey);
}

async function authorize(url: URL, res: ServerResponse): Promise<void> {
  const q = url.searchParams;
  const clientId = q.get('client_id');
  const presented = q.get('redirect_uri');
  const found = await clientOf(clientId, presented);
  const client = typeof found === 'string' ? undefined : found;
  const redirectUri = presented ?? (client?.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
  if (!client || !redirectUri || !client.redirect_uris.some((registered) => redirectMatches(registered, redirectUri))) {
    // Sending these to the presented URI would make the server an open redirector.
    if (has('errors-redirected') && presented && URL.canParse(presented)) {
      return redirect(res, presented, { error: 'invalid_request', error_description: 'unknown client or redirect URI', ...(q.get('state') !== null ? { state: q.get('state')! } : {}), iss: ISSUER });
    }
    return page(res, 400, 'Invalid request', client ? 'The redirect URI is not registered for this client.' : (found as string));
  }

  const state = q.get('state');
  const answer = (params: Record<string, string>, inFragment = false): void => {
    const error = params.error !== undefined;
    const iss = !has('no-iss') && !(error && has('no-iss-in-errors'));
    redirect(res, redirectUri, { ...params, ...(state !== null && !has('state-not-echoed') ? { state } : {}), ...(iss ? { iss: ISSUER } : {}) }, inFragment);
  };
  const refuse = (error: string, description: string): void => answer({ error, error_description: description });

  const responseType = q.get('response_type');
  if (responseType === 'token' && has('implicit-token')) {
    const issued = await accessToken({ clientId: client.client_id, scope: SCOPES.join(' '), resource: RESOURCE });
    return answer({ access_token: issued, token_type: 'Bearer', expires_in: String(ACCESS_TOKEN_TTL_S) }, true);
  }
  if (responseType !== 'code') return refuse(responseType ? 'unsupported_response_type' : 'invalid_request', 'only response_type=code is supported');
  if (state !== null && has('state-charset-refused') && !/^[A-Za-z0-9._~-]*$/.test(state)) return refuse('invalid_request', 'state has characters that are not allowed');

  const challenge = q.get('code_challenge') ?? undefined;
  let method: CodeRecord['method'];
  if (challenge === undefined) {
    if (!has('pkce-not-required')) return refuse('invalid_request', 'code_challenge is required');
  } else {
    // RFC 7636 §4.3: no method means plain.
    const asked = q.get('code_challenge_method') ?? 'plain';
    const taken = asked !== 'S256' && asked !== 'plain' && has('unknown-method-accepted') ? 'S256' : asked;
    if (taken === 'S256' || (taken === 'plain' && has('plain-accepted'))) method = taken;
    else return refuse('invalid_request', `code_challenge_method ${asked} is not supported; use S256`);
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return refuse('invalid_request', 'code_challenge is malformed');
  }

  let resource = q.get('resource') ?? RESOURCE;
  if (resource.includes('#')) {
    if (!has('resource-fragment-accepted')) return refuse('invalid_target', 'a resource must not have a fragment');
    resource = resource.slice(0, resource.indexOf('#'));
  }
  if (resource !== RESOURCE) return refuse('invalid_target', `tokens are issued for ${RESOURCE} only`);

  const scopes = (q.get('scope') ?? SCOPES.join(' ')).split(' ').filter(Boolean);
  if (scopes.some((s) => !SCOPES.includes(s))) return refuse('invalid_scope', `supported scopes: ${SCOPES.join(' ')}`);

  const code = randomToken();
  // The defect is a unit slip: seconds where the comparison uses milliseconds.
  const expiresAt = has('code-expiry-in-seconds') ? Math.floor(Date.now() / 1000) + CODE_TTL_MS / 1000 : Date.now() + CODE_TTL_MS;
  const record: CodeRecord = { clientId: client.client_id, redirectUri, ...(challenge !== undefined ? { challenge, method } : {}), resource, scope: scopes.join(' '), expiresAt, used: false };
  await store.set(`code:${code}`, record);
  answer({ code });
}

// ---------------------------------------------------------------------------------------------
// The token endpoint

class Refused extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/** A family ends: every refresh token of it is refused from now on. */
async function revoke(family: string): Promise<void> {
  if (has('revoke-no-op')) return;
  await store.set<Family>(`family:${family}`, { revoked: true });
}

interface Issued {
  body: string;
  refreshToken?: string;
}

/** A token response and the refresh token it carries, stored as active before anyone can see it. */
async function issue(grant: { clientId: string; scope: string; grantedScope: string; resource: string; family: string }, keepRefreshToken?: string): Promise<Issued> {
  const access = await accessToken(grant);
  const refreshToken = has('no-refresh-token') ? undefined : (keepRefreshToken ?? randomToken());
  if (refreshToken !== undefined && keepRefreshToken === undefined) {
    const record: RefreshRecord = { family: grant.family, clientId: grant.clientId, scope: grant.grantedScope, resource: grant.resource, state: 'active' };
    await store.set(`refresh:${refreshToken}`, record);
  }
  const body = JSON.stringify({ access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: grant.scope, ...(refreshToken ? { refresh_token: refreshToken } : {}) });
  return { body, ...(refreshToken ? { refreshToken } : {}) };
}

function verifierMatches(record: CodeRecord, verifier: string | null): boolean {
  if (record.challenge === undefined) return true;
  if (verifier === null) return false;
  return (record.method === 'plain' ? verifier : s256(verifier)) === record.challenge;
}

/** A used code presented again: refused, and what it issued revoked when the verifier shows it is the same code flow (OAuth 2.1 §4.1.3). */
async function refuseReplay(record: CodeRecord, form: URLSearchParams): Promise<never> {
  if (record.family && verifierMatches(record, form.get('code_verifier')) && !has('replay-not-revoking')) await revoke(record.family);
  throw new Refused('invalid_grant', 'the code has already been used');
}

async function redeem(form: URLSearchParams, clientId: string): Promise<Issued> {
  const key = `code:${form.get('code') ?? ''}`;
  const record = await store.get<CodeRecord>(key);
  if (!record || record.clientId !== clientId) throw new Refused('invalid_grant', 'unknown code');
  if (record.used) return refuseReplay(record, form);
  if (Date.now() > record.expiresAt) throw new Refused('invalid_grant', 'the code has expired');
  if (!has('redirect-uri-not-checked') && form.get('redirect_uri') !== record.redirectUri) throw new Refused(has('wrong-error-code') ? 'invalid_request' : 'invalid_grant', 'redirect_uri is not the one of the authorization request');
  if (!has('verifier-not-checked') && record.challenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (verifier === null) throw new Refused('invalid_request', 'code_verifier is required');
    if (!verifierMatches(record, verifier)) {
      if (has('crash-on-wrong-verifier')) throw new Error('code_verifier does not match the code_challenge');
      throw new Refused('invalid_grant', 'code_verifier does not match the code_challenge');
    }
  }
  const asked = form.get('resource');
  if (asked !== null && asked !== record.resource && !has('foreign-resource-accepted')) throw new Refused('invalid_target', `the code was granted for ${record.resource}`);
  const resource = asked ?? record.resource;

  // The family exists before the code says it was used, so a replay that reads the code used
  // always finds what to revoke.
  const family = randomUUID();
  await store.set<Family>(`family:${family}`, { revoked: false });
  const issued = await issue({ clientId, scope: record.scope, grantedScope: record.scope, resource, family });
  const used: CodeRecord = { ...record, used: true, family };
  if (has('code-check-then-set')) await store.set(key, used);
  else if (!has('code-reusable') && !(await store.compareAndSet(key, record, used))) {
    // Another redemption got there first: this one is the replay.
    return refuseReplay((await store.get<CodeRecord>(key))!, form);
  }
  return issued;
}

/** What presenting a rotated refresh token is: the immediate predecessor within the grace window, or reuse. */
async function graceFor(record: RefreshRecord): Promise<'same' | 'again' | 'reuse'> {
  if (has('no-grace') || record.successor === undefined || record.rotatedAt === undefined) return 'reuse';
  if (Date.now() - record.rotatedAt > GRACE_MS) return 'reuse';
  const successor = await store.get<RefreshRecord>(`refresh:${record.successor}`);
  if (successor?.state !== 'active') return 'reuse';
  return has('grace-reissues') ? 'again' : 'same';
}

async function refresh(form: URLSearchParams, clientId: string): Promise<Issued> {
  const presented = form.get('refresh_token') ?? '';
  const key = `refresh:${presented}`;
  for (;;) {
    const record = await store.get<RefreshRecord>(key);
    if (!record || record.clientId !== clientId) throw new Refused('invalid_grant', 'unknown refresh token');
    const family = await store.get<Family>(`family:${record.family}`);
    if (!family || family.revoked) throw new Refused('invalid_grant', 'the refresh token has been revoked');
    const granted = record.scope.split(' ').filter(Boolean);
    const asked = form.get('scope')?.split(' ').filter(Boolean);
    if (asked && !has('scope-widened') && asked.some((s) => !granted.includes(s))) throw new Refused('invalid_scope', `the grant covers ${record.scope} only`);
    const resource = form.get('resource');
    if (resource !== null && resource !== record.resource) throw new Refused('invalid_target', `the grant is for ${record.resource}`);

    let previous: string | undefined;
    if (record.state === 'rotated' && !has('superseded-accepted')) {
      const grace = await graceFor(record);
      if (grace === 'same') return { body: record.response!, refreshToken: record.successor! };
      if (grace === 'reuse') {
        if (!has('reuse-not-revoking')) await revoke(record.family);
        throw new Refused('invalid_grant', 'the refresh token has been used already');
      }
      previous = record.successor;
    }
    const grant = { clientId, scope: (asked && !has('narrowing-ignored') ? asked : granted).join(' '), grantedScope: record.scope, resource: record.resource, family: record.family };
    if (has('no-rotation')) return issue(grant, presented);
    const issued = await issue(grant);
    const rotated: RefreshRecord = { ...record, state: 'rotated', successor: issued.refreshToken!, rotatedAt: Date.now(), response: issued.body };
    if (has('refresh-check-then-set')) {
      await store.set(key, rotated);
      return issued;
    }
    if (await store.compareAndSet(key, record, rotated)) {
      if (previous !== undefined) await store.delete(`refresh:${previous}`);
      return issued;
    }
    // Rotated by a simultaneous refresh meanwhile: read it again, as the grace window or reuse.
  }
}

async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  try {
    // A document's client is public like every other: its client_id and no secret.
    const client = await clientOf(form.get('client_id'), null);
    if (typeof client === 'string') throw new Refused('invalid_client', client, 401);
    const grantType = form.get('grant_type');
    const issued =
      grantType === 'authorization_code' ? await redeem(form, client.client_id) : grantType === 'refresh_token' ? await refresh(form, client.client_id) : undefined;
    if (!issued) throw new Refused('unsupported_grant_type', `grant_type ${grantType ?? '(none)'} is not supported`);
    sendJson(res, 200, issued.body, has('no-cache-control') ? {} : NO_STORE);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    oauthError(res, error.error, error.description, error.status);
  }
}

// ---------------------------------------------------------------------------------------------
// Introspection (RFC 7662), served in the opaque mode

/** The holder of a live token learns what it is for; an unknown or expired token, or another client's, is only `active: false` (RFC 7662 §2.2). */
async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  // The client authenticates as at the token endpoint: a public client by its client_id.
  const client = await clientOf(form.get('client_id'), null);
  if (typeof client === 'string') return oauthError(res, 'invalid_client', client, 401);
  const token = form.get('token');
  if (!token) return oauthError(res, 'invalid_request', 'token is required');
  const record = await store.get<AccessRecord>(`access:${token}`);
  if (!record || record.clientId !== client.client_id || record.expiresAt <= Date.now() / 1000) return sendJson(res, 200, { active: false }, NO_STORE);
  const aud = has('introspection-aud-not-resource') ? ISSUER : record.resource;
  sendJson(res, 200, { active: true, scope: record.scope, client_id: record.clientId, aud, exp: record.expiresAt, iss: ISSUER }, NO_STORE);
}

// ---------------------------------------------------------------------------------------------
// Routing

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', BASE);
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === `/.well-known/oauth-authorization-server${BASE_PATH}`) return serveMetadata(res, 'rfc8414');
  if (method === 'GET' && path === `${BASE_PATH}/.well-known/openid-configuration`) return serveMetadata(res, 'oidc');
  if (method === 'GET' && path === new URL(ENDPOINT.jwks).pathname) return sendJson(res, 200, JWKS);
  if (method === 'GET' && path === new URL(ENDPOINT.authorize).pathname) return authorize(url, res);
  if (method === 'POST' && path === new URL(ENDPOINT.token).pathname) return token(req, res);
  if (method === 'POST' && path === new URL(ENDPOINT.register).pathname) return register(req, res);
  if (OPAQUE && method === 'POST' && path === new URL(ENDPOINT.introspect).pathname) return introspect(req, res);
  sendJson(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    process.stderr.write(`authorization-server-mutant: error: ${(error as Error)?.stack ?? String(error)}\n`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal server error');
  });
});

if (defects.size) process.stderr.write(`authorization-server-mutant: ${[...defects].map((d) => `${d}: ${AUTHORIZATION_SERVER_DEFECTS[d]}`).join('; ')}\n`);
server.listen(PORT, HOST);
