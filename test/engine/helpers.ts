// Small clients and scenarios for the engine tests. Clients are written to a temporary directory
// as plain scripts so that each test shows exactly what its client does.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckDef } from '../../core/check.js';
import type { ClientScenario } from '../../core/scenario.js';
import { SPEC_VERSIONS } from '../../core/spec.js';
import { knobs } from '../../mocks/knobs.js';

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mac-engine-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A scenario over the default world; the checks are the test's own. */
export function testScenario(id: string, overrides: Partial<ClientScenario> = {}): ClientScenario {
  return {
    id,
    title: `test scenario ${id}`,
    description: 'a scenario made up for the engine tests',
    suites: ['core'],
    specVersions: [...SPEC_VERSIONS],
    world: knobs(),
    checks: [],
    ...overrides,
  };
}

export const throwingCheck: CheckDef = {
  id: 'throws',
  title: 'a check with a bug',
  requirements: [],
  level: 'MUST',
  specVersions: [...SPEC_VERSIONS],
  specLinks: [],
  judge: () => {
    throw new Error('boom in check');
  },
};

/**
 * Whether a process still exists. A killed process whose parent died stays a zombie until the
 * machine's init reaps it, which not every container's init does; a zombie runs nothing.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // Members may all be zombies waiting for init.
  try {
    const stats = readProcStats();
    return stats.some((s) => s.pgid === pgid && s.state !== 'Z');
  } catch {
    return true;
  }
}

function readProcStats(): Array<{ pid: number; pgid: number; state: string }> {
  const out: Array<{ pid: number; pgid: number; state: string }> = [];
  for (const entry of readdirNumeric('/proc')) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: entry, state: fields[0], pgid: Number(fields[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Live processes whose environment holds `entry` (NAME=VALUE) as a whole entry, read from /proc here
 * rather than through the kit, so a test does not take the kit's scan on trust.
 */
export function processesWithEnvEntry(entry: string): number[] {
  return readdirNumeric('/proc').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
    } catch {
      return false; // gone meanwhile, or another user's
    }
  });
}

function readdirNumeric(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function readPid(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

/**
 * A minimal but complete client for the default world (DCR, PKCE S256, state, resource) that
 * needs a browser: it listens on a loopback callback and, by FLOW_MODE, prints the authorization
 * URL (`print`), runs `xdg-open` or `open` from PATH, runs `$BROWSER`, or fetches the URL itself
 * after printing it (`print-and-fetch`, no browser needed).
 */
export const FLOW_CLIENT = String.raw`
import http from 'node:http';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';

const mcpUrl = process.argv.at(-1);
const mode = process.env.FLOW_MODE ?? 'print';
const b64 = (buf) => buf.toString('base64url');
const rpc = (token, message) => fetch(mcpUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: 'Bearer ' + token } : {}) },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
});

const first = await rpc(undefined, { method: 'tools/list' });
if (first.status !== 401) throw new Error('expected 401, got ' + first.status);
const prmUrl = /resource_metadata="([^"]+)"/.exec(first.headers.get('www-authenticate'))[1];
const prm = await (await fetch(prmUrl)).json();
const issuer = new URL(prm.authorization_servers[0]);
const meta = await (await fetch(issuer.origin + '/.well-known/oauth-authorization-server' + issuer.pathname.replace(/\/$/, ''))).json();

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const redirectUri = 'http://127.0.0.1:' + server.address().port + '/callback';
const registration = await (await fetch(meta.registration_endpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], client_name: 'engine-test' }),
})).json();

const verifier = b64(crypto.randomBytes(32));
const state = b64(crypto.randomBytes(16));
const authorize = new URL(meta.authorization_endpoint);
authorize.search = new URLSearchParams({
  response_type: 'code', client_id: registration.client_id, redirect_uri: redirectUri, state, resource: mcpUrl,
  code_challenge: b64(crypto.createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
}).toString();

let params;
if (mode === 'print-and-fetch') {
  console.log('Authorize here: ' + authorize.href);
  const answer = await fetch(authorize, { redirect: 'manual' });
  params = new URL(answer.headers.get('location')).searchParams;
} else {
  const callback = new Promise((resolve) => server.on('request', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('You may close this window.');
    resolve(new URL(req.url, redirectUri).searchParams);
  }));
  if (mode === 'print') process.stderr.write('\x1b[1mOpen this URL to sign in:\x1b[0m ' + authorize.href + '\n');
  else if (mode === 'browser') spawn(process.env.BROWSER, [authorize.href], { stdio: 'ignore' });
  else spawn(mode, [authorize.href], { stdio: 'ignore' });
  params = await callback;
}
server.close();
if (params.get('state') !== state) throw new Error('state mismatch');

const tokens = await (await fetch(meta.token_endpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri, client_id: registration.client_id, code_verifier: verifier, resource: mcpUrl }),
})).json();
if (!tokens.access_token) throw new Error('no access token: ' + JSON.stringify(tokens));
const call = await rpc(tokens.access_token, { method: 'tools/call', params: { name: 'test-tool', arguments: {} } });
if (call.status !== 200) throw new Error('tools/call answered ' + call.status);
console.log('done');
`;

export async function writeScript(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}
