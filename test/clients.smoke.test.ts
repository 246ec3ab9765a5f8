// Smoke test of the two correct clients the kit ships (the SDK-based reference and the hand-written
// mutant with no defect switched on): each runs as a real process against real worlds and must finish
// the whole flow, or refuse where a correct client refuses. The checks judge the details elsewhere;
// this only proves the clients themselves work, so a check failing against them means a check bug.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange, WorldFacts } from '../core/trace.js';
import { knobs, type KnobOverrides } from '../mocks/knobs.js';
import { TraceRecorder } from '../mocks/recorder.js';
import { startWorld, type World } from '../mocks/world.js';
import { ensureCompiled, MUTANT_CLIENT, REFERENCE_CLIENT, ROOT, type Build } from './support/compiled.js';

const CLIENT_TIMEOUT_MS = 25_000;

interface ClientUnderTest extends Build {
  name: string;
  env: Record<string, string>;
}

const CLIENTS: ClientUnderTest[] = [
  { name: 'reference client', ...REFERENCE_CLIENT, env: {} },
  { name: 'mutant client without defects', ...MUTANT_CLIENT, env: { MUTANT_DEFECTS: '' } },
];

const PRE_REGISTERED = { client_id: 'pre-registered-client', client_secret: 'pre-registered-secret' };

interface WorldCase {
  name: string;
  world: KnobOverrides;
  protocolVersion?: string;
}

const COMPLETING_WORLDS: WorldCase[] = [
  { name: 'default knobs', world: {} },
  {
    name: 'PRM by probing only, issuer with a path, OIDC appended metadata only',
    world: { prm: { location: 'root', advertise: false }, as: { issuerPath: '/tenant1', metadata: ['oidc-appended'] } },
  },
  {
    name: 'PRM at a custom URL, OIDC path-inserted metadata for a path issuer',
    world: { prm: { location: 'custom', advertise: true }, as: { issuerPath: '/tenant1', metadata: ['oidc-inserted'] } },
  },
  {
    name: 'pre-registration with client_secret_basic',
    world: { as: { registration: false, tokenAuthMethods: ['client_secret_basic'], preRegistered: PRE_REGISTERED } },
  },
  {
    // RFC 6749 §2.3.1: Basic credentials are form-urlencoded first, which only shows with reserved characters.
    name: 'pre-registration whose credentials need form-urlencoding',
    world: {
      as: {
        registration: false,
        tokenAuthMethods: ['client_secret_basic'],
        preRegistered: { client_id: 'pre client:1', client_secret: 'p@ss:w/rd +x&y%' },
      },
    },
  },
  { name: 'CIMD supported next to registration', world: { as: { cimd: true } } },
  { name: 'registration with client_secret_basic', world: { as: { tokenAuthMethods: ['client_secret_basic'] } } },
  { name: 'registration with client_secret_post', world: { as: { tokenAuthMethods: ['client_secret_post'] } } },
  {
    name: 'scope from the challenge, then step-up on 403 insufficient_scope',
    world: {
      prm: { scopesSupported: ['mcp:profile'] },
      rs: { challengeScope: 'mcp:basic', toolScopes: { 'test-tool': ['mcp:write'] } },
    },
  },
  {
    name: '2025-03-26 server with metadata at its root',
    world: { prm: { location: 'none', advertise: false }, legacy: 'metadata-at-root' },
    protocolVersion: '2025-03-26',
  },
  {
    name: '2025-03-26 server with default endpoints only',
    world: { prm: { location: 'none', advertise: false }, legacy: 'default-endpoints' },
    protocolVersion: '2025-03-26',
  },
];

const REFUSING_WORLDS: WorldCase[] = [
  { name: 'PRM naming another resource', world: { prm: { resource: 'other-origin' } } },
  { name: 'metadata naming another issuer', world: { as: { issuerInMetadata: 'other' } } },
  { name: 'metadata without code_challenge_methods_supported', world: { as: { pkceMethods: null } } },
  { name: 'authorization response with another state', world: { as: { state: 'wrong' } } },
  { name: 'authorization response with a wrong iss', world: { as: { issParameter: 'wrong' } } },
  { name: 'iss advertised but missing', world: { as: { issParameter: 'omit' } } },
  { name: 'iss with a trailing slash added', world: { as: { issParameter: 'normalized' } } },
];

interface ClientRun {
  exitCode: number | null;
  stderr: string;
}

const running = new Set<ChildProcess>();

function runClient(client: ClientUnderTest, facts: WorldFacts, stateDir: string, protocolVersion: string): Promise<ClientRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...client.env };
  // Nothing from the developer's shell may change what the client does.
  delete env.MCP_CONFORMANCE_CONTEXT;
  if (!('MUTANT_DEFECTS' in client.env)) delete env.MUTANT_DEFECTS;
  Object.assign(env, {
    MCP_CONFORMANCE_SCENARIO: 'smoke/clients',
    MCP_CONFORMANCE_PROTOCOL_VERSION: protocolVersion,
    MCP_CONFORMANCE_STATE_DIR: stateDir,
    HOME: stateDir,
  });
  // Named after the scenario, as the official runner names every context.
  if (facts.preRegistered) env.MCP_CONFORMANCE_CONTEXT = JSON.stringify({ name: env.MCP_CONFORMANCE_SCENARIO, ...facts.preRegistered });

  const child = spawn(process.execPath, [path.join(ROOT, client.compiled), facts.mcpUrl], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ exitCode, stderr });
    });
  });
}

/** Starts a world, runs one client against it, and always tears both down. */
async function runAgainstWorld(client: ClientUnderTest, worldCase: WorldCase): Promise<{ run: ClientRun; exchanges: Exchange[] }> {
  const recorder = new TraceRecorder();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clients-smoke-'));
  let world: World | undefined;
  try {
    world = await startWorld(knobs(worldCase.world), { recorder });
    const run = await runClient(client, world.facts, stateDir, worldCase.protocolVersion ?? '2026-07-28');
    return { run, exchanges: recorder.exchanges };
  } finally {
    await world?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function formOf(exchange: Exchange): URLSearchParams {
  return new URLSearchParams(exchange.request.body ?? '');
}

function jsonRpcMethods(exchange: Exchange): string[] {
  try {
    const body: unknown = JSON.parse(exchange.request.body ?? '');
    return (Array.isArray(body) ? body : [body]).map((message: { method?: string }) => message.method ?? '');
  } catch {
    return [];
  }
}

const codeRedeemed = (exchanges: Exchange[]) =>
  exchanges.some((e) => e.role === 'token' && e.response?.status === 200 && formOf(e).get('grant_type') === 'authorization_code');

const authorizedToolCall = (exchanges: Exchange[]) =>
  exchanges.some(
    (e) =>
      e.role === 'mcp' &&
      e.response?.status === 200 &&
      /^Bearer \S+$/.test(e.request.headers.authorization ?? '') &&
      jsonRpcMethods(e).includes('tools/call'),
  );

beforeAll(() => ensureCompiled(...CLIENTS), 120_000);

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe.each(CLIENTS)('$name', (client) => {
  it.each(COMPLETING_WORLDS)('completes the flow: $name', async (worldCase) => {
    const { run, exchanges } = await runAgainstWorld(client, worldCase);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(codeRedeemed(exchanges), 'a successful authorization_code token exchange').toBe(true);
    expect(authorizedToolCall(exchanges), 'a tools/call with a bearer token answered 200').toBe(true);
  });

  it.each(REFUSING_WORLDS)('refuses before redeeming anything: $name', async (worldCase) => {
    const { run, exchanges } = await runAgainstWorld(client, worldCase);
    expect(run.exitCode, run.stderr).not.toBe(0);
    expect(run.stderr).toMatch(/refused/);
    expect(exchanges.filter((e) => e.role === 'token'), 'no token request').toEqual([]);
  });
});
