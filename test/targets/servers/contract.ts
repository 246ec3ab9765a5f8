// What the server targets in this folder share: the environment of the server-suite contract, the
// scopes they ask for, a jose verifier for the AS's JWTs, RFC 7662 introspection, the MCP side
// (SDK 1.32.2, stateful Streamable HTTP, a `test-tool`), and the start/stop protocol (print
// `listening on <url>` to stderr when ready, exit 0 on SIGTERM, 2 when the environment is unusable).
//
// Nothing here decides how a library answers a request without a valid token: each target wires the
// library's own middleware, challenge and metadata. What a target writes itself (a verifier, for the
// libraries that take one) is said in its top comment.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

export const HOST = '127.0.0.1';
/** Every request to /mcp needs the first (in the configurations that check scopes at all). */
export const READ_SCOPE = 'mcp:read';
export const WRITE_SCOPE = 'mcp:write';
export const SCOPES_SUPPORTED = [READ_SCOPE, WRITE_SCOPE];

export interface Contract {
  port: number;
  /** MCP_CONFORMANCE_RESOURCE: the MCP endpoint, the resource identifier, the `aud` of its tokens. */
  resource: string;
  /** Path of the MCP endpoint (`/mcp`). */
  mcpPath: string;
  /** The path-inserted RFC 9728 metadata URL for the resource. */
  prmUrl: string;
  issuer: string;
  tokenFormat: 'jwt' | 'opaque';
  jwksUri?: string;
  introspection?: { endpoint: string; clientId: string; clientSecret: string };
  upstream?: { url: string; token: string };
}

export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

export function need(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) fail(`missing ${name}`);
  return value;
}

export function readContract(env: NodeJS.ProcessEnv = process.env): Contract {
  const port = Number(need(env, 'PORT'));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`PORT is not a port number: ${env.PORT}`);
  const resource = need(env, 'MCP_CONFORMANCE_RESOURCE');
  const url = new URL(resource);
  const format = need(env, 'MCP_CONFORMANCE_TOKEN_FORMAT');
  if (format !== 'jwt' && format !== 'opaque') fail(`MCP_CONFORMANCE_TOKEN_FORMAT must be jwt or opaque, not ${format}`);
  const contract: Contract = {
    port,
    resource,
    mcpPath: url.pathname,
    prmUrl: `${url.origin}/.well-known/oauth-protected-resource${url.pathname === '/' ? '' : url.pathname}`,
    issuer: need(env, 'MCP_CONFORMANCE_ISSUER'),
    tokenFormat: format,
  };
  if (format === 'jwt') contract.jwksUri = need(env, 'MCP_CONFORMANCE_JWKS_URI');
  if (env.MCP_CONFORMANCE_INTROSPECTION_ENDPOINT?.trim()) {
    contract.introspection = {
      endpoint: need(env, 'MCP_CONFORMANCE_INTROSPECTION_ENDPOINT'),
      clientId: need(env, 'MCP_CONFORMANCE_INTROSPECTION_CLIENT_ID'),
      clientSecret: need(env, 'MCP_CONFORMANCE_INTROSPECTION_CLIENT_SECRET'),
    };
  }
  if (format === 'opaque' && !contract.introspection) fail('MCP_CONFORMANCE_TOKEN_FORMAT=opaque needs MCP_CONFORMANCE_INTROSPECTION_ENDPOINT');
  const upstream = env.MCP_CONFORMANCE_UPSTREAM_URL?.trim();
  if (upstream) contract.upstream = { url: upstream, token: need(env, 'MCP_CONFORMANCE_UPSTREAM_TOKEN') };
  return contract;
}

/** For a configuration that has no way to accept the contract's token format. */
export function unsupported(what: string): never {
  fail(`not supported by this target: ${what}`);
}

// --- JWTs, with jose ---------------------------------------------------------------------------

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** One remote key set per JWKS URI; jose refetches it when a token names a kid it does not hold. */
export function keySet(jwksUri: string): ReturnType<typeof createRemoteJWKSet> {
  let set = keySets.get(jwksUri);
  if (!set) {
    set = createRemoteJWKSet(new URL(jwksUri));
    keySets.set(jwksUri, set);
  }
  return set;
}

/**
 * What an RFC 9068 resource server checks: signature by an asymmetric key of the AS, `typ` at+jwt,
 * `iss`, `aud`, and `exp` present (jose then checks exp and nbf against the clock).
 */
export function strictJwtOptions(contract: Contract): JWTVerifyOptions {
  return {
    issuer: contract.issuer,
    audience: contract.resource,
    typ: 'at+jwt',
    algorithms: ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'],
    requiredClaims: ['exp'],
  };
}

/** `jwtVerify` against the contract's JWKS; throws jose's errors as they are. */
export async function verifyJwt(contract: Contract, token: string, options: JWTVerifyOptions = {}): Promise<JWTPayload> {
  if (!contract.jwksUri) throw new Error('no JWKS URI');
  const { payload } = await jwtVerify(token, keySet(contract.jwksUri), options);
  return payload;
}

export function scopesOf(payload: JWTPayload | Introspected): string[] {
  return typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
}

// --- RFC 7662 introspection, client_secret_basic -------------------------------------------------

export interface Introspected {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  iat?: number;
}

export async function introspect(contract: Contract, token: string): Promise<Introspected> {
  const client = contract.introspection;
  if (!client) throw new Error('no introspection endpoint');
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const response = await fetch(client.endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`introspection answered ${response.status}`);
  return (await response.json()) as Introspected;
}

// --- The MCP side: SDK 1.32.2 ---------------------------------------------------------------------

/** test-tool acts on the upstream API when there is one, with the server's own credential only. */
export async function runTestTool(contract: Contract): Promise<string> {
  if (!contract.upstream) return 'test-tool ran';
  const response = await fetch(contract.upstream.url, {
    headers: { authorization: `Bearer ${contract.upstream.token}` },
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  return `test-tool ran; upstream answered ${response.status}`;
}

export function sdkMcpServer(contract: Contract, name: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool('test-tool', { description: 'A tool for the conformance kit to call' }, async () => ({
    content: [{ type: 'text', text: await runTestTool(contract) }],
  }));
  return server;
}

type McpRequest = IncomingMessage & { body?: unknown; auth?: AuthInfo };
type Handler = (req: McpRequest, res: ServerResponse) => Promise<void>;

/**
 * The stateful Streamable HTTP endpoint of the SDK's own example server (simpleStreamableHttp), for
 * express apps: a transport and McpServer per session, created by an initialize request. Routes for
 * POST, GET and DELETE are registered by the caller behind its auth middleware.
 */
export function statefulMcp(contract: Contract, name: string): { handle: Handler; closeAll: () => Promise<void> } {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const reply = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };
  const handle: Handler = async (req, res) => {
    try {
      const id = req.headers['mcp-session-id'];
      const sessionId = Array.isArray(id) ? id[0] : id;
      const existing = sessionId ? sessions.get(sessionId) : undefined;
      if (existing) return await existing.handleRequest(req, res, req.body);
      if (sessionId) return reply(res, 404, 'Session not found');
      if (req.method !== 'POST' || !isInitializeRequest(req.body)) return reply(res, 400, 'Bad Request: No valid session ID provided');
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await sdkMcpServer(contract, name).connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      process.stderr.write(`mcp error: ${String(error)}\n`);
      if (!res.headersSent) reply(res, 500, 'Internal server error');
    }
  };
  const closeAll = async () => {
    await Promise.allSettled([...sessions.values()].map((t) => t.close()));
  };
  return { handle, closeAll };
}

/** An express-like app: enough of express for the targets that mount the SDK endpoint behind middleware. */
interface ExpressLike {
  post(path: string, ...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  delete(path: string, ...handlers: unknown[]): unknown;
  listen(port: number, host: string, ready: () => void): Server;
}

/** Mounts the stateful MCP endpoint behind `auth`, listens at the contract's port, and stops cleanly on a signal. */
export function serveMcpBehind(app: ExpressLike, auth: unknown, contract: Contract, name: string): void {
  const mcp = statefulMcp(contract, name);
  app.post(contract.mcpPath, auth, mcp.handle);
  app.get(contract.mcpPath, auth, mcp.handle);
  app.delete(contract.mcpPath, auth, mcp.handle);
  const server = app.listen(contract.port, HOST, () => announce(contract));
  exitOnSignal(async () => {
    await mcp.closeAll();
    await closeServer(server);
  });
}

// --- node:http <-> fetch Request/Response, for the libraries that are Request -> Response ------------

export async function toWebRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const chunks: Buffer[] = [];
  if (req.method !== 'GET' && req.method !== 'HEAD') for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? '/', origin), { method: req.method, headers, body });
}

export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

// --- Start and stop ---------------------------------------------------------------------------------

export function announce(contract: Contract): void {
  process.stderr.write(`listening on ${contract.resource}\n`);
}

/** Exit 0 on SIGTERM or SIGINT once the server is closed (or after a grace period). */
export function exitOnSignal(close: () => Promise<unknown> | void): void {
  const stop = () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    Promise.resolve()
      .then(close)
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Close an http.Server, dropping keep-alive and streaming connections too. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// --- mcp-auth 0.2.0, loaded without its type declarations ------------------------------------------
// mcp-auth's .d.ts files augment the SDK's AuthInfo (`declare module
// '@modelcontextprotocol/sdk/server/auth/types.js'`, lib/handlers/handle-bearer-auth.d.ts) with a
// required `issuer`. In this repo's single tsc program that augmentation would reach every other
// AuthInfo (the SDK targets, examples/servers/reference, test/mutants) and break them, so the
// mcp-auth targets load the module by a name tsc does not resolve and declare the little they use.

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface McpAuthInfo {
  token: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  audience?: string | string[];
  expiresAt?: number;
  subject?: string;
  claims?: Record<string, unknown>;
}

interface McpAuthBearerOptions {
  resource: string;
  audience?: string;
  requiredScopes?: string[];
  jwtVerify?: JWTVerifyOptions;
}

export interface McpAuthModule {
  MCPAuth: new (config: {
    protectedResources: { metadata: { resource: string; authorizationServers: unknown[]; scopesSupported?: string[] } };
  }) => {
    protectedResourceMetadataRouter(): Middleware;
    bearerAuth(mode: 'jwt' | ((token: string) => Promise<McpAuthInfo>), options: McpAuthBearerOptions): Middleware;
  };
  fetchServerConfig(issuer: string, config: { type: 'oauth' | 'oidc' }): Promise<unknown>;
  MCPAuthTokenVerificationError: new (code: 'invalid_token' | 'token_verification_failed', cause?: unknown) => Error;
}

export async function loadMcpAuth(): Promise<McpAuthModule> {
  const name: string = 'mcp-auth';
  return (await import(name)) as McpAuthModule;
}

// --- better-auth's resource client ------------------------------------------------------------------

/** What verifyAccessTokenRequest reads from a request (better-auth's ResourceRequestInput). */
export function resourceRequest(req: IncomingMessage, contract: Contract) {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
  return {
    authorizationHeader: header('authorization'),
    dpopProofJwt: header('dpop'),
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', new URL(contract.resource).origin).href,
  };
}

/** Answer a thrown better-call APIError as better-auth's handlers do: its status, headers and body. */
export function answerBetterAuthError(res: ServerResponse, error: unknown): void {
  const e = error as { statusCode?: unknown; headers?: unknown; body?: unknown };
  if (typeof e?.statusCode !== 'number') {
    process.stderr.write(`error: ${String(error)}\n`);
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'server_error' }));
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (e.headers instanceof Headers) e.headers.forEach((value, key) => void (headers[key] = value));
  else if (e.headers && typeof e.headers === 'object') Object.assign(headers, e.headers);
  res.writeHead(e.statusCode, headers).end(JSON.stringify(e.body ?? {}));
}
