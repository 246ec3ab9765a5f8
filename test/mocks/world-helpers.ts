// Drives a mock world with plain fetch, the way an out-of-process client would.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import type { WorldFacts } from '../../core/trace.js';
import { knobs, type KnobOverrides } from '../../mocks/knobs.js';
import { TraceRecorder } from '../../mocks/recorder.js';
import { startWorld, type World } from '../../mocks/world.js';

export const REDIRECT_URI = 'http://127.0.0.1:43111/callback';

const open: World[] = [];

/** Worlds started through this helper are closed after each test, whatever the outcome. */
afterEach(async () => {
  await Promise.all(open.splice(0).map((world) => world.close()));
});

export async function newWorld(overrides: KnobOverrides = {}, defaultActor?: string): Promise<{ world: World; recorder: TraceRecorder }> {
  const recorder = new TraceRecorder();
  const world = await startWorld(knobs(overrides), { recorder, ...(defaultActor ? { defaultActor } : {}) });
  open.push(world);
  return { world, recorder };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
}

/** The endpoints of the first authorization server, or of the second with `endpointsOf(world, 'second')`. */
export function endpointsOf(world: World, server: 'first' | 'second' = 'first'): WorldFacts['endpoints'] {
  const endpoints = server === 'second' ? world.facts.endpoints2 : world.facts.endpoints;
  if (!endpoints) throw new Error('the world has no second authorization server');
  return endpoints;
}

export async function register(world: World, metadata: Record<string, unknown> = {}, server: 'first' | 'second' = 'first'): Promise<RegisteredClient> {
  const response = await fetch(endpointsOf(world, server).register!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', ...metadata }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredClient;
}

export function authorizationUrl(world: World, params: Record<string, string | undefined>, server: 'first' | 'second' = 'first'): URL {
  const url = new URL(endpointsOf(world, server).authorize);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

export async function authorize(world: World, params: Record<string, string | undefined>, server: 'first' | 'second' = 'first'): Promise<Response> {
  return fetch(authorizationUrl(world, params, server), { redirect: 'manual' });
}

export interface FlowOptions {
  client?: RegisteredClient;
  scope?: string;
  /** undefined sends the canonical resource; null sends none. */
  resource?: string | null;
  /** Which authorization server of the world to use (default the first). */
  server?: 'first' | 'second';
}

/** Authorization request with PKCE S256; returns the code and what redeeming it needs. */
export async function obtainCode(world: World, options: FlowOptions = {}) {
  const server = options.server ?? 'first';
  const client = options.client ?? (await register(world, {}, server));
  const { verifier, challenge } = pkce();
  const resource = options.resource === null ? undefined : (options.resource ?? world.facts.canonicalResource);
  const response = await authorize(world, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-123',
    resource,
    scope: options.scope,
  }, server);
  if (response.status !== 302) throw new Error(`authorize failed: ${response.status} ${await response.text()}`);
  const code = new URL(response.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`no code in ${response.headers.get('location')}`);
  return { client, code, verifier, resource };
}

export function clientCredentials(client: RegisteredClient, form: Record<string, string>): { headers: Record<string, string>; form: Record<string, string> } {
  switch (client.token_endpoint_auth_method) {
    case 'client_secret_basic': {
      const encoded = Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret!)}`).toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, form };
    }
    case 'client_secret_post':
      return { headers: {}, form: { ...form, client_id: client.client_id, client_secret: client.client_secret! } };
    default:
      return { headers: {}, form: { ...form, client_id: client.client_id } };
  }
}

export async function tokenRequest(
  world: World,
  form: Record<string, string | undefined>,
  headers: Record<string, string> = {},
  server: 'first' | 'second' = 'first',
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) body.set(name, value);
  return fetch(endpointsOf(world, server).token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
}

/** The whole code flow; throws unless the token endpoint answers 200. */
export async function codeFlow(world: World, options: FlowOptions = {}): Promise<TokenSet & { client: RegisteredClient }> {
  const { client, code, verifier, resource } = await obtainCode(world, options);
  const auth = clientCredentials(client, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, ...(resource ? { resource } : {}) });
  const response = await tokenRequest(world, auth.form, auth.headers, options.server);
  if (response.status !== 200) throw new Error(`token failed: ${response.status} ${await response.text()}`);
  return { ...((await response.json()) as TokenSet), client };
}

export async function mcp(world: World, body: unknown, token?: string, init: { url?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(init.url ?? world.facts.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const rpc = (id: number, method: string, params?: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });

export interface RefreshResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A refresh_token grant request for a public client; the body parsed whatever the status. */
export async function refresh(world: World, clientId: string, refreshToken: string, extra: Record<string, string> = {}, server: 'first' | 'second' = 'first'): Promise<RefreshResult> {
  const response = await tokenRequest(world, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, ...extra }, {}, server);
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
