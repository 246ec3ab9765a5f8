// The reference client's credential sharing, tested as real processes against real worlds: runs
// and copies share one state directory, and the world's trace shows what reached its servers.
// One test runs the no-lock mutant through the same race, to prove the race test can fail.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../core/trace.js';
import { FAMILY_REVOKED_HEADER } from '../mocks/authorization-server/diagnostics.js';
import { knobs, type KnobOverrides } from '../mocks/knobs.js';
import { TraceRecorder } from '../mocks/recorder.js';
import { startWorld, type World } from '../mocks/world.js';
import type { ReferenceDefect } from './mutants/reference-defects.js';
import { ensureCompiled, REFERENCE_CLIENT, REFERENCE_MUTANT, ROOT } from './support/compiled.js';

/** The client gives up after 20 s itself; this only catches a hung process. */
const CLIENT_TIMEOUT_MS = 25_000;

interface Outcome {
  code: number | null;
  stderr: string;
}

interface Batch {
  outcomes: Outcome[];
  /** What the world received while the batch ran. */
  exchanges: Exchange[];
}

const running = new Set<ChildProcess>();
const worlds: World[] = [];
const directories: string[] = [];

afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  await Promise.all(worlds.splice(0).map((world) => world.close()));
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function launch(world: World, stateDir: string, defects: ReferenceDefect[] | undefined): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MCP_CONFORMANCE_STATE_DIR: stateDir,
    HOME: path.join(stateDir, 'home'),
    MCP_CONFORMANCE_SCENARIO: 'reference-client-test',
    MCP_CONFORMANCE_PROTOCOL_VERSION: '2026-07-28',
    REFERENCE_DEFECTS: (defects ?? []).join(','),
  };
  delete env.MCP_CONFORMANCE_CONTEXT;
  const script = path.join(ROOT, (defects ? REFERENCE_MUTANT : REFERENCE_CLIENT).compiled);
  const child = spawn(process.execPath, [script, world.facts.mcpUrl], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stderr });
    });
  });
}

/** A world and one state directory that every run of a test shares. */
async function setting(overrides: KnobOverrides = {}) {
  const recorder = new TraceRecorder();
  const world = await startWorld(knobs(overrides), { recorder });
  worlds.push(world);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'reference-client-'));
  directories.push(stateDir);
  const storeFile = path.join(stateDir, 'reference-client', 'credentials.json');
  return {
    world,
    storeFile,
    /** Starts `copies` processes at once and waits for all of them. */
    async run(copies = 1, defects?: ReferenceDefect[]): Promise<Batch> {
      const from = recorder.exchanges.length;
      const outcomes = await Promise.all(Array.from({ length: copies }, () => launch(world, stateDir, defects)));
      return { outcomes, exchanges: recorder.exchanges.slice(from) };
    },
  };
}

const form = (e: Exchange) => new URLSearchParams(e.request.body ?? '');
const roles = (batch: Batch, role: Exchange['role']) => batch.exchanges.filter((e) => e.role === role);
const grants = (batch: Batch, grant: string) => roles(batch, 'token').filter((e) => form(e).get('grant_type') === grant);
const exitCodes = (batch: Batch) => batch.outcomes.map((o) => o.code);
const stderrOf = (batch: Batch) => batch.outcomes.map((o, i) => `--- copy ${i + 1} (exit ${o.code})\n${o.stderr}`).join('\n');

beforeAll(() => ensureCompiled(REFERENCE_CLIENT, REFERENCE_MUTANT), 120_000);

describe('the reference client sharing credentials', () => {
  it('refreshes on the next run after expiry, with resource and client id, and never authorizes again', async () => {
    const { world, run } = await setting();
    const cold = await run();
    expect(exitCodes(cold), stderrOf(cold)).toEqual([0]);
    const issued = roles(cold, 'token').at(-1)!;
    world.expireAccessTokens();

    const next = await run();
    expect(exitCodes(next), stderrOf(next)).toEqual([0]);
    expect(roles(next, 'authorize')).toEqual([]);
    const refreshes = grants(next, 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(form(refreshes[0]).get('refresh_token')).toBe(JSON.parse(issued.response!.body!).refresh_token);
    expect(form(refreshes[0]).get('resource')).toBe(world.facts.canonicalResource);
    expect(form(refreshes[0]).get('client_id')).toBeTruthy();
    // DC-C-01: the token endpoint comes from the cached metadata, so nothing is discovered again.
    expect([...roles(next, 'prm'), ...roles(next, 'as-metadata'), ...roles(next, 'register')]).toEqual([]);
  });

  it('reconnects warm with no discovery, registration or token request', async () => {
    const { run } = await setting();
    expect(exitCodes(await run())).toEqual([0]);
    const warm = await run();
    expect(exitCodes(warm), stderrOf(warm)).toEqual([0]);
    expect(warm.exchanges.length).toBeGreaterThan(0);
    expect(warm.exchanges.filter((e) => e.role !== 'mcp').map((e) => `${e.role} ${e.request.url}`)).toEqual([]);
  });

  // The barrier holds refresh requests until four are waiting (or 2 s passed), so copies that do
  // not exclude each other are forced to overlap at the authorization server.
  const race = { as: { refreshPolicy: 'strict', refreshBarrier: 4 } } satisfies KnobOverrides;

  it('lets one of four copies started together after expiry refresh; the others adopt its tokens', async () => {
    const { world, run } = await setting(race);
    expect(exitCodes(await run())).toEqual([0]);
    world.expireAccessTokens();
    const copies = await run(4);
    expect(exitCodes(copies), stderrOf(copies)).toEqual([0, 0, 0, 0]);
    expect(grants(copies, 'refresh_token')).toHaveLength(1);
    expect(copies.exchanges.filter((e) => e.response?.headers[FAMILY_REVOKED_HEADER])).toEqual([]);
    expect(roles(copies, 'authorize')).toEqual([]);
  });

  it('(the same race with the no-lock mutant refreshes more than once, so the test above can fail)', async () => {
    const { world, run } = await setting(race);
    expect(exitCodes(await run(1, ['no-lock']))).toEqual([0]);
    world.expireAccessTokens();
    const copies = await run(4, ['no-lock']);
    expect(grants(copies, 'refresh_token').length, stderrOf(copies)).toBeGreaterThan(1);
  });

  it('steps up with a refresh token in hand by authorizing with the union of scopes, and keeps the wider token', async () => {
    const { storeFile, run } = await setting({
      prm: { scopesSupported: ['mcp:profile'] },
      rs: { challengeScope: 'mcp:basic', toolScopes: { 'test-tool': ['mcp:write'] } },
    });
    const batch = await run();
    expect(exitCodes(batch), stderrOf(batch)).toEqual([0]);
    const authorizations = roles(batch, 'authorize').map((e) => new URL(e.request.url).searchParams.get('scope')?.split(' ').sort());
    expect(authorizations).toEqual([['mcp:basic'], ['mcp:basic', 'mcp:write']]);
    expect(roles(batch, 'token').map((e) => form(e).get('grant_type'))).toEqual(['authorization_code', 'authorization_code']);
    // RT-C-13: the store holds the stepped-up token.
    const stored = JSON.parse(readFileSync(storeFile, 'utf8')) as { servers: Record<string, { issuer: string; authorizationServers: Record<string, { tokens: { scope: string } }> }> };
    const server = Object.values(stored.servers)[0];
    expect(server.authorizationServers[server.issuer].tokens.scope.split(' ').sort()).toEqual(['mcp:basic', 'mcp:write']);
  });

  it('keeps the store untouched on a 503 from the token endpoint and refreshes with the same token next time', async () => {
    const { world, storeFile, run } = await setting();
    expect(exitCodes(await run())).toEqual([0]);
    world.expireAccessTokens();
    await world.reconfigure(knobs({ as: { tokenFaults: [{ status: 503, count: 1, grant: 'refresh_token' }] } }));
    const before = readFileSync(storeFile, 'utf8');

    const outage = await run();
    expect(exitCodes(outage), stderrOf(outage)).not.toEqual([0]);
    expect(grants(outage, 'refresh_token').map((e) => e.response?.status)).toEqual([503]);
    expect(readFileSync(storeFile, 'utf8')).toBe(before);

    const after = await run();
    expect(exitCodes(after), stderrOf(after)).toEqual([0]);
    const [failed] = grants(outage, 'refresh_token');
    const [retried] = grants(after, 'refresh_token');
    expect(form(retried).get('refresh_token')).toBe(form(failed).get('refresh_token'));
    expect(retried.response?.status).toBe(200);
    expect([...roles(outage, 'authorize'), ...roles(after, 'authorize')]).toEqual([]);
  });

  it('breaks the lock of a holder that died and refreshes', async () => {
    const { world, storeFile, run } = await setting();
    expect(exitCodes(await run())).toEqual([0]);
    world.expireAccessTokens();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(path.dirname(storeFile), { recursive: true });
    writeFileSync(`${storeFile}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), since: Date.now(), nonce: 'crashed' }));
    const batch = await run();
    expect(exitCodes(batch), stderrOf(batch)).toEqual([0]);
    expect(grants(batch, 'refresh_token')).toHaveLength(1);
    expect(existsSync(`${storeFile}.lock`)).toBe(false);
  });

  it('gives up without refreshing when a live process keeps the lock', async () => {
    const { world, storeFile, run } = await setting();
    expect(exitCodes(await run())).toEqual([0]);
    world.expireAccessTokens();
    // This test process is alive, so its lock is not stale; the client must wait, then fail (RT-C-11).
    writeFileSync(`${storeFile}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), since: Date.now(), nonce: 'held' }));
    const batch = await run();
    expect(exitCodes(batch), stderrOf(batch)).toEqual([1]);
    expect(roles(batch, 'token')).toEqual([]);
    expect(batch.outcomes[0].stderr).toMatch(/still held by another process/);
  }, 30_000);
});
