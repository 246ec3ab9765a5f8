// Runs: several starts of the client against one world and one state directory, world changes
// between them, copies started together or staggered, and which copy sent which request.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClientScenarios } from '../../core/engine.js';
import type { Report } from '../../core/report.js';
import type { ClientScenario } from '../../core/scenario.js';
import type { Trace } from '../../core/trace.js';
import { knobs, mergeKnobs } from '../../mocks/knobs.js';
import { tempDir, testScenario, writeScript } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

async function run(command: string, scenario: ClientScenario, timeoutMs = 20_000): Promise<{ report: Report; trace: Trace }> {
  let trace: Trace | undefined;
  const report = await runClientScenarios({
    command,
    scenarios: [scenario],
    specVersion: '2026-07-28',
    jobs: 1,
    timeoutMs,
    strict: false,
    stateRoot: path.join(dir, 'state'),
    onTrace: (_id, t) => (trace = t),
  });
  if (!trace) throw new Error(`no trace: ${JSON.stringify(report.scenarios[0].checks)}`);
  return { report, trace };
}

const processCheck = (report: Report) => report.scenarios[0].checks.find((c) => c.id === 'client-process')!;

/**
 * Gets a token once (registration, authorization fetched by itself, code exchange) and keeps it in
 * the state directory; every run then probes the token endpoint (to see faults) and calls the MCP
 * endpoint with the kept token, logging both statuses.
 */
const TOKEN_CLIENT = String.raw`
import crypto from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
const mcpUrl = process.argv.at(-1);
const state = process.env.MCP_CONFORMANCE_STATE_DIR;
const { endpoints } = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT);
const log = (line) => appendFileSync(state + '/log', line + '\n');
const form = (body) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });

const probe = await fetch(endpoints.token, form({ grant_type: 'password' }));
log('token-endpoint ' + probe.status);

const file = state + '/token';
if (existsSync(file)) {
  log('kept token');
} else {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const registration = await (await fetch(endpoints.register, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'] }),
  })).json();
  const verifier = crypto.randomBytes(32).toString('base64url');
  const authorize = new URL(endpoints.authorize);
  authorize.search = new URLSearchParams({
    response_type: 'code', client_id: registration.client_id, redirect_uri: redirectUri, state: 's', resource: mcpUrl,
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')).searchParams.get('code');
  const tokens = await (await fetch(endpoints.token, form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: registration.client_id, code_verifier: verifier, resource: mcpUrl }))).json();
  if (!tokens.access_token) throw new Error('no token: ' + JSON.stringify(tokens));
  writeFileSync(file, tokens.access_token);
  log('new token');
}
const call = await fetch(mcpUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer ' + readFileSync(file, 'utf8') },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
});
log('mcp ' + call.status);
`;

describe('runs', () => {
  it('merges knob overrides one level deep over earlier ones', () => {
    const base = knobs({ as: { accessTokenTtlSeconds: 60 }, as2: { registration: false } });
    const merged = mergeKnobs(base, { as: { tokenFaults: [{ status: 503, count: 1 }] }, as2: { cimd: true } });
    expect(merged.as.accessTokenTtlSeconds).toBe(60);
    expect(merged.as.tokenFaults).toEqual([{ status: 503, count: 1 }]);
    expect(merged.as2).toEqual({ registration: false, cimd: true });
    expect(merged.prm).toEqual(base.prm);
    expect(mergeKnobs(base, undefined)).toBe(base);
    // An override may switch a knob off again.
    expect(mergeKnobs(merged, { as: { tokenFaults: undefined } }).as.tokenFaults).toBeUndefined();
  });

  it('share the state directory and the world; reconfiguring and expiring tokens between runs take effect', async () => {
    const script = await writeScript(dir, 'token-client.mjs', TOKEN_CLIENT);
    const { report, trace } = await run(
      `node ${script}`,
      testScenario('test/runs-shared', {
        context: (facts) => ({ endpoints: facts.endpoints }),
        runs: [
          { label: 'cold start' },
          { label: 'token endpoint failing', world: { as: { tokenFaults: [{ status: 503, count: 1 }] } } },
          { label: 'after expiry', expireTokens: true },
        ],
      }),
    );
    const log = readFileSync(path.join(dir, 'state', 'test_runs-shared', 'log'), 'utf8').trim().split('\n');
    // The probe is a password grant from no client the world knows (400 invalid_client: the probe
    // sent no Authorization header, so RFC 6749 §5.2's 401 does not apply).
    expect(log).toEqual([
      'token-endpoint 400', 'new token', 'mcp 200',
      // The same world: the token of run 1 is still good, and the fault of the new knobs answers.
      'token-endpoint 503', 'kept token', 'mcp 200',
      // The fault's budget was spent in run 2 (faults count over the world's life); the token is expired now.
      'token-endpoint 400', 'kept token', 'mcp 401',
    ]);

    expect(report.scenarios[0].status).toBe('pass');
    expect(report.scenarios[0].processes.map((p) => p.actor)).toEqual(['client-1', 'client-2', 'client-3']);
    expect(processCheck(report).message).toMatch(/^all 3 client processes ended as they should: client-1 \(run 1 "cold start"\) exited 0 .*client-3 \(run 3 "after expiry"\) exited 0/);

    const runs = trace.runs!;
    expect(runs.map((r) => [r.index, r.label, r.actors, r.expiredTokens, r.clientRefuses])).toEqual([
      [0, 'cold start', ['client-1'], false, false],
      [1, 'token endpoint failing', ['client-2'], false, false],
      [2, 'after expiry', ['client-3'], true, false],
    ]);
    // Overrides are cumulative: run 3 still has run 2's fault list.
    expect((runs[0].knobs as ReturnType<typeof knobs>).as.tokenFaults).toBeUndefined();
    expect((runs[2].knobs as ReturnType<typeof knobs>).as.tokenFaults).toEqual([{ status: 503, count: 1 }]);
    for (const [i, r] of runs.entries()) {
      expect(r.endedAt).toBeGreaterThan(r.startedAt);
      if (i > 0) expect(r.startedAt).toBeGreaterThanOrEqual(runs[i - 1].endedAt);
      // Each run's traffic lies within its span and carries its instance's name.
      const mine = trace.exchanges.filter((e) => e.actor === r.actors[0]);
      expect(mine.length).toBeGreaterThan(0);
      for (const e of mine) expect(e.at).toBeGreaterThanOrEqual(r.startedAt);
      for (const e of mine) expect(e.at).toBeLessThanOrEqual(r.endedAt);
    }
    expect(trace.exchanges.every((e) => ['client-1', 'client-2', 'client-3'].includes(e.actor))).toBe(true);
  });

  it('records a plain scenario as one run of client-1, with the message it always had', async () => {
    const { report, trace } = await run('true', testScenario('test/plain'));
    expect(trace.runs).toEqual([
      { index: 0, label: 'run', actors: ['client-1'], startedAt: expect.any(Number), endedAt: expect.any(Number), knobs: trace.world.knobs, expiredTokens: false, clientRefuses: false },
    ]);
    expect(processCheck(report).message).toMatch(/^the client exited 0 after \d+ ms$/);
  });

  it('judges every process: a refusing run may exit non-zero, another run may not, and the message names them', async () => {
    // Exits 1 in every run after the first.
    const script = await writeScript(dir, 'second-fails.sh', 'if [ -e "$MCP_CONFORMANCE_STATE_DIR/ran" ]; then echo "error: refused" >&2; exit 1; fi\ntouch "$MCP_CONFORMANCE_STATE_DIR/ran"\n');
    const refusing = await run(`sh ${script}`, testScenario('test/refusing-run', { runs: [{ label: 'first' }, { label: 'second', clientRefuses: true }] }));
    expect(processCheck(refusing.report).status).toBe('pass');
    expect(processCheck(refusing.report).message).toContain('client-2 (run 2 "second") exited with code 1');
    expect(refusing.trace.runs!.map((r) => r.clientRefuses)).toEqual([false, true]);

    const failing = await run(`sh ${script}`, testScenario('test/failing-run', { runs: [{ label: 'first' }, { label: 'second' }, { label: 'third', instances: 2 }] }));
    const check = processCheck(failing.report);
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/^3 of 4 client processes did not end as they should: client-2 \(run 2 "second"\) exited with code 1 after \d+ ms; on stderr: error: refused; client-3 \(run 3 "third"\)/);
    expect(check.message).not.toContain('client-1 (run 1');
    expect(failing.report.scenarios[0].status).toBe('fail');

    // The scenario's own flag covers every run.
    const scenarioRefuses = await run(`sh ${script}`, testScenario('test/scenario-refuses', { clientRefuses: true, runs: [{ label: 'first' }, { label: 'second' }] }));
    expect(processCheck(scenarioRefuses.report).status).toBe('pass');
  });

  it('starts copies at their offsets, all sharing the state directory', async () => {
    const script = await writeScript(dir, 'stamp.sh', 'date +%s%N > "$MCP_CONFORMANCE_STATE_DIR/start-$$"\n');
    const { report, trace } = await run(`sh ${script}`, testScenario('test/offsets', { runs: [{ label: 'staggered', instances: 3, startOffsetsMs: [0, 1000] }] }));
    expect(report.scenarios[0].status).toBe('pass');
    const spawnAt = (actor: string) => trace.events.find((e) => e.kind === 'spawn' && e.actor === actor)!.at;
    const [a, b, c] = ['client-1', 'client-2', 'client-3'].map(spawnAt);
    // Offsets count from the run's start; a missing one is 0: copies 1 and 3 start at once, copy 2 1000 ms later.
    // Spawning is slow on a loaded machine (seen: 313 ms with the server suite's tests beside it); the
    // bounds only need to keep the copies at 0 apart from the one at 1000.
    const runStart = trace.runs![0].startedAt;
    expect(a - runStart).toBeLessThan(800);
    expect(c - runStart).toBeLessThan(800);
    expect(b - runStart).toBeGreaterThanOrEqual(1000);
    expect(b - runStart).toBeLessThan(2_500);
    const stamps = readdirSync(path.join(dir, 'state', 'test_offsets')).filter((f) => f.startsWith('start-'));
    expect(stamps).toHaveLength(3);
    const started = stamps.map((f) => Number(readFileSync(path.join(dir, 'state', 'test_offsets', f), 'utf8')) / 1e6).sort((x, y) => x - y);
    // Seen from inside the processes too; the margin absorbs a loaded machine's shell start-up.
    expect(started[2] - started[0]).toBeGreaterThanOrEqual(650);
  });

  it('attributes the requests of copies running at once to the copy that sent them', async () => {
    // Run 1 (one copy) leaves a marker; in run 2 both copies wait for each other, then each sends
    // requests tagged with its pid, over fresh and kept-alive connections, interleaved.
    const script = await writeScript(
      dir,
      'racer.mjs',
      String.raw`
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
const url = process.argv.at(-1);
const state = process.env.MCP_CONFORMANCE_STATE_DIR;
console.log('pid=' + process.pid);
const send = (i, close) => fetch(url + '?pid=' + process.pid + '&i=' + i, {
  method: 'POST', headers: { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) },
  body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
}).then((r) => r.text());
if (!existsSync(state + '/solo-done')) {
  for (let i = 0; i < 3; i++) await send(i, false);
  writeFileSync(state + '/solo-done', '');
} else {
  writeFileSync(state + '/ready-' + process.pid, '');
  const deadline = Date.now() + 10000;
  while (readdirSync(state).filter((f) => f.startsWith('ready-')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 8; i++) {
    await send(i, i % 2 === 0);
    await new Promise((r) => setTimeout(r, Math.random() * 20));
  }
}
`,
    );
    const { report, trace } = await run(`node ${script}`, testScenario('test/attribution', { runs: [{ label: 'alone' }, { label: 'racing', instances: 2 }] }));
    expect(report.scenarios[0].status, JSON.stringify(report.scenarios[0].checks)).toBe('pass');
    const pidOf = new Map(report.scenarios[0].processes.map((p) => [p.actor, /pid=(\d+)/.exec(p.stdoutTail)![1]]));
    expect([...pidOf.keys()]).toEqual(['client-1', 'client-2', 'client-3']);
    expect(trace.runs!.map((r) => r.actors)).toEqual([['client-1'], ['client-2', 'client-3']]);

    for (const [actor, pid] of pidOf) {
      const sent = trace.exchanges.filter((e) => new URL(e.request.url).searchParams.get('pid') === pid);
      expect(sent.length, actor).toBe(actor === 'client-1' ? 3 : 8);
      for (const e of sent) expect(e.actor, `${e.request.url} sent by ${actor}`).toBe(actor);
    }
    // The two copies really did overlap.
    const spans = ['client-2', 'client-3'].map((actor) => {
      const times = trace.exchanges.filter((e) => e.actor === actor).map((e) => e.at);
      return [Math.min(...times), Math.max(...times)];
    });
    expect(spans[0][0]).toBeLessThan(spans[1][1]);
    expect(spans[1][0]).toBeLessThan(spans[0][1]);
  });
});
