// The mock's terminal: a line per exchange, a line per verdict change, judged once the client pauses.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveJudge } from '../../core/mock/live-judge.js';
import { createLiveLog, exchangeLine, verdictLine } from '../../reporters/live-log.js';
import type { LiveVerdict } from '../../core/live-verdicts.js';
import { checksAt } from '../../core/scenario.js';
import type { Exchange, Trace } from '../../core/trace.js';
import { clientScenarios } from '../../suites/client/index.js';
import { authorize, codeFlow, mcp, pkce, REDIRECT_URI, register, rpc } from '../mocks/world-helpers.js';
import { clientMock, waitFor, worldOf } from './support.js';

const TIME = new Date(2026, 11, 7, 12, 3, 4, 5);

function exchange(overrides: Partial<Exchange> = {}): Exchange {
  return {
    id: 7,
    at: 10,
    durationMs: 1,
    actor: 'client-1',
    server: 'as',
    role: 'token',
    request: { method: 'POST', url: 'http://127.0.0.1:9001/token', headers: {} },
    response: { status: 200, headers: {} },
    ...overrides,
  };
}

function verdict(overrides: Partial<LiveVerdict> = {}): LiveVerdict {
  return {
    id: 'resource-in-token-request',
    title: 'sends resource',
    level: 'MUST',
    requirements: ['C-RES-02', 'RI-C-03'],
    specLinks: [],
    status: 'fail',
    message: 'token request without resource',
    evidence: [7],
    evidenceParts: [{ exchange: 7, part: 'form.resource' }],
    ...overrides,
  };
}

describe('the lines', () => {
  it('an exchange: time, id, actor, method, path and query, status, role', () => {
    expect(exchangeLine(exchange(), { color: false, time: TIME })).toBe('12:03:04.005    #7 client-1  POST   /token                                   200 token');
    const long = exchangeLine(exchange({ server: 'as2', role: 'authorize', request: { method: 'GET', url: `http://127.0.0.1:9002/authorize?state=${'x'.repeat(100)}\u001b[2J`, headers: {} }, response: { status: 302, headers: {} } }), { color: false, time: TIME });
    expect(long).toMatch(/ GET    \/authorize\?state=x+… 302 authorize \(as2\)$/);
    expect(long).not.toContain('\u001b');
    expect(exchangeLine(exchange({ response: { status: 503, headers: {} } }), { color: true, time: TIME })).toContain('\u001b[31m503');
  });

  it('a verdict: failures with level and requirement, warnings, passes dimmer, a failure made good', () => {
    expect(verdictLine(verdict(), 9, false)).toBe('✗ resource-in-token-request MUST (C-RES-02): token request without resource  #7');
    expect(verdictLine(verdict({ status: 'warn', level: 'SHOULD', evidence: [] }), 9, false)).toBe('! resource-in-token-request SHOULD (C-RES-02): token request without resource  as of #9');
    expect(verdictLine(verdict({ status: 'pass', message: 'ok' }), 9, false)).toBe('✓ resource-in-token-request: ok  #7');
    expect(verdictLine(verdict({ status: 'pass', message: 'ok' }), 9, true)).toMatch(/^\u001b\[2m/);
    expect(verdictLine(verdict({ status: 'pass', message: 'ok' }), 9, false, 'fail')).toBe('✓ resource-in-token-request: ok (no longer failing)  #7');
  });

  it('--quiet drops the exchange lines, not the verdicts or notes; pending verdicts are never printed', () => {
    const lines: string[] = [];
    const log = createLiveLog({ write: (text) => lines.push(text), color: false, quiet: true, now: () => TIME });
    log.exchange(exchange());
    log.verdicts([verdict(), verdict({ id: 'later', status: 'pending' })], new Map(), 7);
    log.note('trace cleared');
    expect(lines).toEqual(['✗ resource-in-token-request MUST (C-RES-02): token request without resource  #7\n', '12:03:04.005 trace cleared\n']);
  });
});

describe('judging while the trace grows', () => {
  afterEach(() => vi.useRealTimers());
  const trace = JSON.parse(readFileSync(new URL('../../fixtures/traces/auth__metadata-default.json', import.meta.url), 'utf8')) as Trace;
  const checks = checksAt(clientScenarios.find((s) => s.id === 'auth/metadata-default')!, '2026-07-28');

  it('waits for the client to pause, so an absence it makes good at once is never announced', () => {
    vi.useFakeTimers();
    let shown = 0;
    const announced: string[][] = [];
    const judge = createLiveJudge({ checks, strict: false, trace: () => ({ ...trace, exchanges: trace.exchanges.slice(0, shown) }), onChange: (changed) => announced.push(changed.map((v) => `${v.id}:${v.status}`)), quietMs: 500, maxWaitMs: 3000 });
    // The challenge alone: "never answered the 401" would fail; the flow goes on 100 ms later.
    for (shown = 1; shown <= trace.exchanges.length; shown++) {
      judge.touch();
      vi.advanceTimersByTime(100);
    }
    expect(announced).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(announced).toHaveLength(1);
    expect(announced[0].filter((line) => line.endsWith(':fail'))).toEqual([]);
    judge.close();
  });

  it('judges a client that never pauses every few seconds all the same', () => {
    vi.useFakeTimers();
    let calls = 0;
    const judge = createLiveJudge({ checks, strict: false, trace: () => trace, onChange: () => calls++, quietMs: 500, maxWaitMs: 3000 });
    for (let i = 0; i < 35; i++) {
      judge.touch();
      vi.advanceTimersByTime(100);
    }
    expect(calls).toBe(1);
    judge.close();
  });
});

describe('live verdicts of the running mock', () => {
  it('a token request without resource prints the failure, naming the exchange', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    await mcp(world, rpc(1, 'initialize'));
    await codeFlow(world, { resource: null });
    const trace = (await (await fetch(`${started.control}/trace`)).json()) as { exchanges: Exchange[] };
    const token = trace.exchanges.find((e) => e.role === 'token')!;
    const line = await waitFor(() => started.lines.find((l) => l.startsWith('✗ resource-in-token-request')), 'the failure line');
    expect(line).toBe(`✗ resource-in-token-request MUST (C-RES-02): token request without resource  #${token.id}`);
    // An exchange line per exchange, before the verdicts it led to.
    expect(started.lines.filter((l) => / #\d+ client-1 /.test(l))).toHaveLength(trace.exchanges.length);
    expect(started.lines.indexOf(line)).toBeGreaterThan(started.lines.findIndex((l) => l.includes(` #${token.id} client-1  POST   /token`)));
    expect(started.lines.some((l) => l.startsWith('✓ pkce-s256: '))).toBe(true);
  });

  it('an unmet SHOULD warns, and fails with --strict', async () => {
    for (const strict of [false, true]) {
      const started = await clientMock({ strict });
      const world = await worldOf(started);
      const client = await register(world);
      // No state in the authorization request: a SHOULD (state-sent).
      await authorize(world, { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT_URI, code_challenge: pkce().challenge, code_challenge_method: 'S256', resource: world.facts.canonicalResource });
      const line = await waitFor(() => started.lines.find((l) => / state-sent /.test(l)), 'the state-sent line');
      expect(line).toMatch(strict ? /^✗ state-sent SHOULD \(C-STATE-\d+\): / : /^! state-sent SHOULD \(C-STATE-\d+\): /);
      const verdicts = (await (await fetch(`${started.control}/verdicts`)).json()) as { strict: boolean; verdicts: LiveVerdict[] };
      expect(verdicts.strict).toBe(strict);
      expect(verdicts.verdicts.find((v) => v.id === 'state-sent')?.status).toBe(strict ? 'fail' : 'warn');
    }
  });
});
