// The kit as the browser: a client that needs one (it prints the URL, runs xdg-open/open or
// $BROWSER) gets its callback delivered; a client that fetches the URL itself is left alone.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browse } from '../../core/targets/client/browser.js';
import { runClientScenarios } from '../../core/engine.js';
import type { ScenarioResult } from '../../core/report.js';
import { TraceRecorder } from '../../mocks/recorder.js';
import { FLOW_CLIENT, tempDir, testScenario, writeScript } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
let client: string;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  client = await writeScript(dir, 'flow-client.mjs', FLOW_CLIENT);
});
afterAll(async () => remove());

async function runFlow(mode: string): Promise<ScenarioResult> {
  const report = await runClientScenarios({
    command: `env FLOW_MODE=${mode} node ${client}`,
    scenarios: [testScenario(`test/browser-${mode}`)],
    specVersion: '2026-07-28',
    jobs: 1,
    timeoutMs: 20_000,
    strict: false,
  });
  return report.scenarios[0];
}

function expectDelivered(result: ScenarioResult): void {
  const outcome = result.processes[0];
  expect(outcome.exitCode, outcome.stderrTail).toBe(0);
  expect(result.checks.find((c) => c.id === 'client-process')!.status).toBe('pass');
  const authorize = result.exchanges.filter((e) => e.role === 'authorize');
  expect(authorize).toHaveLength(1);
  expect(authorize[0].actor).toBe('browser');
  // The world strips the actor header before recording.
  expect(authorize[0].request.headers['x-mcp-auth-conformance-actor']).toBeUndefined();
  const callbacks = result.exchanges.filter((e) => e.role === 'callback');
  expect(callbacks).toHaveLength(1);
  expect(callbacks[0]).toMatchObject({ actor: 'browser', server: 'external', response: { status: 200 } });
  const location = authorize[0].response!.headers['location'];
  expect(callbacks[0].request.url).toBe(location);
  expect(callbacks[0].id).toBeGreaterThan(authorize[0].id);
  // The client went on to redeem the code and call the tool.
  expect(result.exchanges.some((e) => e.role === 'token' && e.response?.status === 200)).toBe(true);
  expect(result.exchanges.some((e) => e.role === 'mcp' && e.request.body?.includes('tools/call') && e.response?.status === 200)).toBe(true);
}

describe('the kit as the browser', () => {
  it('acts on an authorization URL the client prints (colour codes and all)', async () => {
    const result = await runFlow('print');
    expectDelivered(result);
    expect(result.processes[0].stderrTail).toContain('Open this URL');
    // No event list in the result; the printed URL shows in the trace through the browser's exchanges.
    const authorize = result.exchanges.find((e) => e.role === 'authorize')!;
    expect(result.processes[0].stderrTail).toContain(authorize.request.url);
  });

  it('acts on xdg-open <url>', async () => {
    expectDelivered(await runFlow('xdg-open'));
  });

  it('acts on open <url>', async () => {
    expectDelivered(await runFlow('open'));
  });

  it('acts on $BROWSER <url>', async () => {
    expectDelivered(await runFlow('browser'));
  });

  it('leaves a client alone that fetches the URL it printed', async () => {
    const result = await runFlow('print-and-fetch');
    expect(result.processes[0].exitCode, result.processes[0].stderrTail).toBe(0);
    expect(result.exchanges.filter((e) => e.actor === 'browser')).toEqual([]);
    expect(result.exchanges.filter((e) => e.role === 'authorize')).toHaveLength(1);
  });
});

describe('browse', () => {
  it('follows redirects only within the world, contacts nothing off loopback, and gives up after ten hops', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url!);
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n') ?? 0);
      if (req.url!.startsWith('/away')) res.writeHead(302, { location: 'https://example.com/callback?code=1' }).end();
      else res.writeHead(302, { location: `/loop?n=${n + 1}` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const recorder = new TraceRecorder();

      const away = await browse(`${origin}/away`, { recorder, worldOrigins: [origin] });
      expect(away).toMatchObject({ outcome: 'stopped', requests: 1, lastUrl: 'https://example.com/callback?code=1' });
      expect(recorder.events.at(-1)).toMatchObject({ kind: 'browser-open', actor: 'browser', detail: { fetched: false } });

      const loop = await browse(`${origin}/loop`, { recorder, worldOrigins: [origin] });
      expect(loop).toMatchObject({ outcome: 'stopped', requests: 10 });
      expect(loop.reason).toContain('more than 10 redirects');

      const refused = await browse('http://203.0.113.9/authorize', { recorder, worldOrigins: [origin] });
      expect(refused).toMatchObject({ outcome: 'stopped', requests: 0 });
      expect(seen).toHaveLength(11);
      expect(recorder.exchanges).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('records a callback the client never answers as an exchange without a response', async () => {
    const world = createServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/callback?code=1' }).end());
    await new Promise<void>((resolve) => world.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(world.address() as { port: number }).port}`;
      const recorder = new TraceRecorder();
      const result = await browse(`${origin}/authorize?state=s`, { recorder, worldOrigins: [origin], callbackPatienceMs: 300 });
      expect(result.outcome).toBe('failed');
      expect(result.reason).toMatch(/ECONNREFUSED .*after \d+ refused attempt\(s\) over \d+ ms/);
      expect(recorder.exchanges).toHaveLength(1);
      expect(recorder.exchanges[0]).toMatchObject({ actor: 'browser', server: 'external', role: 'callback' });
      expect(recorder.exchanges[0].response).toBeUndefined();
    } finally {
      world.closeAllConnections();
      await new Promise((resolve) => world.close(resolve));
    }
  });

  it('keeps delivering a callback the client is not listening for yet, as a person\'s browser would be slower', async () => {
    // The listener's port is known before it listens: reserve one, close it, start listening later.
    const reserve = createServer();
    await new Promise<void>((resolve) => reserve.listen(0, '127.0.0.1', resolve));
    const port = (reserve.address() as { port: number }).port;
    await new Promise((resolve) => reserve.close(resolve));
    const world = createServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/callback?code=1` }).end());
    await new Promise<void>((resolve) => world.listen(0, '127.0.0.1', resolve));
    const listener = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('done'));
    const late = setTimeout(() => listener.listen(port, '127.0.0.1'), 1000);
    try {
      const origin = `http://127.0.0.1:${(world.address() as { port: number }).port}`;
      const recorder = new TraceRecorder();
      const result = await browse(`${origin}/authorize?state=s`, { recorder, worldOrigins: [origin] });
      expect(result).toMatchObject({ outcome: 'delivered', requests: 2 });
      expect(result.reason).toMatch(/the client answered 200 after \d+ refused attempt\(s\) over \d+ ms/);
      // One callback in the trace: the delivery that got through.
      expect(recorder.exchanges).toHaveLength(1);
      expect(recorder.exchanges[0]).toMatchObject({ role: 'callback', response: { status: 200 } });
    } finally {
      clearTimeout(late);
      listener.close();
      world.closeAllConnections();
      await new Promise((resolve) => world.close(resolve));
    }
  });
});
