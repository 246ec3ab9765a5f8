// `mcp-auth-conformance mock` as a developer runs it: a real process on free ports, driven by the
// reference client and by `mock token`, stopped by a signal. Needs a build (npm test builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCompiled, REFERENCE_CLIENT, ROOT } from '../support/compiled.js';
import { waitFor } from './support.js';

const bin = path.join(ROOT, 'dist/bin/mcp-auth-conformance.js');

interface Exited {
  code: number | null;
  signal: string | null;
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exited>;
}

const children: ChildProcess[] = [];
let cwd: string | undefined;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error('build first: npx tsc -p tsconfig.json');
  ensureCompiled(REFERENCE_CLIENT);
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (cwd) await rm(cwd, { recursive: true, force: true });
  cwd = undefined;
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const merged = { ...process.env, ...env };
  delete merged.FORCE_COLOR;
  const child = spawn(process.execPath, [bin, ...args], { cwd: cwd ?? ROOT, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<Exited>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function run(args: string[]): Promise<Exited & { stdout: string; stderr: string }> {
  const running = start(args);
  const exited = await running.exited;
  return { ...exited, stdout: running.stdout(), stderr: running.stderr() };
}

/** The URL printed after `label` in the start lines. */
async function printed(mock: Running, label: string): Promise<string> {
  return waitFor(() => new RegExp(`^  ${label} +(http://\\S+)`, 'm').exec(mock.stdout())?.[1], `the ${label} line (stdout: ${mock.stdout()} stderr: ${mock.stderr()})`);
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive ports free at the moment, for a mock on stable ports. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portFree(port);
    if (free) return base;
  }
  throw new Error('no free ports');
}

function runClient(mcpUrl: string): Promise<number | null> {
  const child = spawn(process.execPath, [path.join(ROOT, REFERENCE_CLIENT.compiled), mcpUrl], {
    env: { ...process.env, MCP_CONFORMANCE_STATE_DIR: cwd!, HOME: cwd! },
    stdio: 'ignore',
  });
  children.push(child);
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function stop(mock: Running, signal: NodeJS.Signals, urls: string[]): Promise<void> {
  mock.child.kill(signal);
  const exited = await mock.exited;
  expect(exited.code, mock.stderr()).toBe(130);
  expect(mock.stderr().split('\n').filter(Boolean)).toEqual(['mcp-auth-conformance: interrupted; the mock is stopped and its ports are closed']);
  for (const url of urls) expect(await refusesConnections(url), url).toBe(true);
}

describe('mcp-auth-conformance mock, for an MCP client', () => {
  it('prints where everything is on --port 0, logs and judges a client live, mints tokens, and closes every port on SIGINT', async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-mock-'));
    const mock = start(['mock', '--port', '0', '--no-color']);
    const mcpUrl = await printed(mock, 'MCP server URL');
    const issuer = await printed(mock, 'issuer');
    const prm = await printed(mock, 'PRM');
    const control = await printed(mock, 'control API');
    expect(await printed(mock, 'page')).toBe(`${control}/`);
    expect(prm).toBe(`${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`);
    expect(mock.stdout()).toContain(`MCP_CONFORMANCE_SCENARIO=auth/metadata-default MCP_CONFORMANCE_PROTOCOL_VERSION=2026-07-28 node ./my-client.js ${mcpUrl}`);
    expect(mock.stdout()).toContain(`mock token --control-url ${control}`);

    expect(await runClient(mcpUrl)).toBe(0);
    await waitFor(() => mock.stdout().includes('✓ resource-in-token-request: '), 'the verdict lines');
    expect(mock.stdout()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} +#1 client-1 +POST +\/mcp +401 mcp$/m);
    expect(mock.stdout()).not.toContain('\u001b[');
    // A check of an absence can fail while the client is paused mid-flow (a busy machine); it must pass once the flow is done.
    for (const [, id] of mock.stdout().matchAll(/^✗ (\S+)/gm)) expect(mock.stdout()).toMatch(new RegExp(`^✓ ${id}: .*\\(no longer failing\\)`, 'm'));

    const token = await run(['mock', 'token', '--control-url', control, '--scope', 'mcp:read mcp:write']);
    expect(token.code, token.stderr).toBe(0);
    const jwt = token.stdout.trim();
    expect(jwt.split('.')).toHaveLength(3);
    const answer = await fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(answer.status).toBe(200);

    await stop(mock, 'SIGINT', [mcpUrl, issuer, control]);
  });

  it('takes a scenario\'s world and a config file; on stable ports --port P, mock token --port P finds it', async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-mock-'));
    await writeFile(path.join(cwd, 'mock.yaml'), 'world: auth/scope-step-up\nas2: {}\n');
    const port = await freePorts(4);
    const mock = start(['mock', '--port', String(port), '--config', 'mock.yaml']);
    expect(await printed(mock, 'MCP server URL')).toBe(`http://127.0.0.1:${port}/mcp`);
    expect(await printed(mock, 'issuer')).toBe(`http://127.0.0.1:${port + 1}`);
    expect(await printed(mock, 'second issuer')).toBe(`http://127.0.0.1:${port + 2}`);
    expect(await printed(mock, 'control API')).toBe(`http://127.0.0.1:${port + 3}`);
    expect(mock.stdout()).toContain('the world of auth/scope-step-up, judged at 2026-07-28');
    const token = await run(['mock', 'token', '--port', String(port), '--ttl', '60']);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim().split('.')).toHaveLength(3);
    await stop(mock, 'SIGTERM', [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, `http://127.0.0.1:${port + 2}`, `http://127.0.0.1:${port + 3}`]);
  });
});

describe('mcp-auth-conformance mock --resource, for an MCP server', () => {
  it('prints the configuration of a server, mints tokens its JWKS verifies, and stops on SIGTERM', async () => {
    const resource = 'http://localhost:3000/mcp';
    const port = await freePorts(2);
    const mock = start(['mock', '--resource', resource, '--port', String(port)]);
    const issuer = await printed(mock, 'issuer');
    expect(issuer).toBe(`http://127.0.0.1:${port}`);
    expect(await printed(mock, 'metadata')).toBe(`${issuer}/.well-known/oauth-authorization-server`);
    const jwksUri = await printed(mock, 'JWKS URI');
    expect(await printed(mock, 'introspection endpoint')).toBe(`${issuer}/introspect`);
    expect(mock.stdout()).toMatch(/^  introspection client +conformance-resource-server, secret conformance-introspection-secret$/m);
    expect(await printed(mock, 'control API')).toBe(`http://127.0.0.1:${port + 1}`);
    expect(mock.stdout()).toContain(`export MCP_CONFORMANCE_ISSUER='${issuer}'`);
    expect(mock.stdout()).toContain(`curl -i 'http://localhost:3000/mcp' -H "Authorization: Bearer $(npx mcp-auth-conformance mock token --port ${port} --scope 'mcp:read')"`);

    const token = await run(['mock', 'token', '--port', String(port), '--scope', 'mcp:read mcp:write', '--sub', 'alice', '--ttl', '600']);
    expect(token.code, token.stderr).toBe(0);
    const { payload } = await jwtVerify(token.stdout.trim(), createRemoteJWKSet(new URL(jwksUri)), { issuer, audience: resource, typ: 'at+jwt' });
    expect(payload).toMatchObject({ scope: 'mcp:read mcp:write', sub: 'alice' });
    expect(payload.exp! - payload.iat!).toBe(600);
    await waitFor(() => / GET +\/jwks +200 jwks$/m.test(mock.stdout()), 'the JWKS fetch in the log');
    const opaque = await run(['mock', 'token', '--port', String(port), '--format', 'opaque']);
    expect(opaque.stdout).toMatch(/^opaque-/);

    await stop(mock, 'SIGTERM', [issuer, `http://127.0.0.1:${port + 1}`]);
  });
});

describe('mistakes: one line each', () => {
  it('mock token with no mock running: exit 3', async () => {
    const port = await freePorts(4);
    const result = await run(['mock', 'token', '--port', String(port)]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `mcp-auth-conformance: no mock is running on port ${port}: nothing answered as its control API on 127.0.0.1:${port + 1} (started with --resource) or :${port + 3} (without); start one with mcp-auth-conformance mock --port ${port}`,
    ]);
  });

  it('a port in use: exit 2, naming the port and what wanted it', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const client = await run(['mock', '--port', String(port)]);
      expect(client.code).toBe(2);
      expect(client.stderr.trim()).toBe(`mcp-auth-conformance: port ${port} (the resource server (MCP and PRM)) is already in use; this mock takes ports ${port}-${port + 3}: choose another --port, or --port 0 for free ones`);
      const server = await run(['mock', '--resource', 'http://localhost:3000/mcp', '--port', String(port)]);
      expect(server.code).toBe(2);
      expect(server.stderr.trim()).toBe(`mcp-auth-conformance: port ${port} (the authorization server) is already in use; this mock takes ports ${port}-${port + 1}: choose another --port, or --port 0 for free ones`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a malformed config: a line per mistake, exit 2, nothing started', async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-mock-'));
    await writeFile(path.join(cwd, 'mock.yaml'), 'as:\n  refreshPolicy: gracee\n  registration: "yes"\nrss: {}\n');
    const result = await run(['mock', '--port', '0', '--config', 'mock.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'mcp-auth-conformance: mock.yaml: as.refreshPolicy: expected one of strict, grace-same, grace-sibling, latest-wins, no-invalidation; got "gracee" (did you mean grace-same?)',
      'mcp-auth-conformance: mock.yaml: as.registration: expected true or false; got "yes"',
      'mcp-auth-conformance: mock.yaml: rss: unknown section (did you mean rs?); the sections are world, prm, as, rs, as2, legacy',
    ]);
  });

  it.each([
    [['mock', '--world', 'auth/scope-stepup'], 'unknown scenario "auth/scope-stepup"; did you mean auth/scope-step-up?'],
    [['mock', '--config', 'absent.yaml'], 'cannot read config file absent.yaml: no such file'],
    [['mock', '--port', 'nine'], '--port must be a port number'],
    [['mock', '--port', '65534'], '--port 65534 leaves no room for the control API on --port + 3'],
    [['mock', '--resource', 'http://localhost:3000/mcp', '--world', 'auth/metadata-default', '--strict'], '--world, --strict are for the mock world of an MCP client (without --resource)'],
    [['mock', '--resource', 'localhost:3000'], '--resource must be'],
    [['mock', 'token', '--format', 'paseto'], 'paseto'],
  ])('%j: exit 2, one line', async (args, said) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toContain(said);
  });
});
