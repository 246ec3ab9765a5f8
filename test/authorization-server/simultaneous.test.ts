// Probe.sendTogether: K requests, each held back by the last byte of its body until all are written,
// then released at once, so that a race in the server is hit without the server's help. Proven
// against real servers in this process, by what they saw and in which order, never by how long
// anything took.
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Probe, type HeldRequest } from '../../core/targets/probe.js';
import { TraceRecorder } from '../../mocks/recorder.js';

const K = 8;

const open: http.Server[] = [];

afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/token`;
}

/** A 200 for every request once its body has ended. */
function answerEach(request: http.IncomingMessage, response: http.ServerResponse): void {
  request.resume();
  request.on('end', () => response.end());
}

/** A URL nothing listens on: a port the kernel gave out and took back. */
async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/token`;
}

function probeFor(baseUrl: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  const recorder = new TraceRecorder();
  const probe = new Probe(recorder, { baseUrl, roleOf: () => 'token', timeoutMs: options.timeoutMs ?? 10_000, ...(options.signal ? { signal: options.signal } : {}) });
  return { recorder, probe };
}

function tokenRequest(body: string): HeldRequest['request'] {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

function burst(count: number, body = 'grant_type=authorization_code&code=one-code'): HeldRequest[] {
  return Array.from({ length: count }, (_, index) => ({ label: `redeem-${index + 1}`, request: tokenRequest(body) }));
}

function statuses(results: { response?: { status: number } }[]): (number | undefined)[] {
  return results.map((result) => result.response?.status);
}

describe('Probe.sendTogether', () => {
  it('holds every last byte back until all requests are in, where send finishes each before the next begins', async () => {
    // For each body, how many requests' headers the server had parsed when that body ended: all K for
    // every one of them only if no last byte left before every request's headers were in.
    let headersSeen = 0;
    let headersSeenAtEnd: number[] = [];
    const url = await serve((request, response) => {
      headersSeen++;
      request.resume();
      request.on('end', () => {
        headersSeenAtEnd.push(headersSeen);
        response.end();
      });
    });
    const { probe } = probeFor(url);

    const together = await probe.sendTogether(burst(K));
    expect(statuses(together)).toEqual(Array(K).fill(200));
    expect(headersSeenAtEnd).toEqual(Array(K).fill(K));

    headersSeen = 0;
    headersSeenAtEnd = [];
    for (const { label, request } of burst(K)) await probe.send(label, request);
    expect(headersSeenAtEnd).toEqual(Array.from({ length: K }, (_, index) => index + 1));
  });

  it('hits a check-then-act race that requests sent one after another never hit', async () => {
    // The handler looks at shared state, yields for one event-loop turn, then acts: the gap a real
    // server has between finding a code unused and marking it used. A second request gets in only if
    // its body ends within that one turn, which nothing but a simultaneous release arranges.
    let used = false;
    let ends: { inFirstTurn: boolean }[] = [];
    let firstTurnOver = false;
    const url = await serve((request, response) => {
      request.resume();
      request.on('end', async () => {
        if (ends.length === 0) setImmediate(() => (firstTurnOver = true));
        ends.push({ inFirstTurn: !firstTurnOver });
        if (used) return response.writeHead(400).end();
        await new Promise((resolve) => setImmediate(resolve));
        used = true;
        response.writeHead(200).end();
      });
    });
    const { probe } = probeFor(url);
    const trial = () => {
      used = false;
      firstTurnOver = false;
      ends = [];
    };

    const granted: number[] = [];
    const allInOneTurn: boolean[] = [];
    for (let round = 0; round < 20; round++) {
      trial();
      const results = await probe.sendTogether(burst(K));
      granted.push(results.filter((result) => result.response?.status === 200).length);
      allInOneTurn.push(ends.every((end) => end.inFirstTurn));
    }
    // Every request's headers are parsed before the release (the probe waits out the turns this loop
    // needs to accept and read K connections), the K last bytes are written in one synchronous loop
    // that the server, sharing the event loop, cannot run inside, and loopback TCP queues each byte at
    // the receiver while it is sent: the server's next poll finds all K bodies complete, in one turn.
    // Only the kernel putting delivery off (softirq work moved to ksoftirqd under heavy load) could
    // split a trial, and a load that does so in most of 20 trials in a row would stall far more than
    // this test: a majority is the bar, where "every trial" would be one a single late packet fails.
    expect(allInOneTurn.filter(Boolean).length, `trials with every body ending in one turn: ${allInOneTurn}`).toBeGreaterThan(10);
    expect(granted.filter((count) => count > 1).length, `200s per trial: ${granted}`).toBeGreaterThan(10);

    // One after another, the first request marks the code used before the second arrives: exactly one 200, always.
    trial();
    const sequential = [];
    for (const { label, request } of burst(K)) sequential.push(await probe.send(label, request));
    expect(statuses(sequential)).toEqual([200, ...Array(K - 1).fill(400)]);
  });

  it('releases the others when one connection is refused, and records that one with its error', async () => {
    const url = await serve(answerEach);
    const { probe, recorder } = probeFor(url);
    const requests = burst(4);
    requests[2] = { label: 'refused', request: { ...tokenRequest('code=x'), url: await closedPort() } };

    const results = await probe.sendTogether(requests);
    expect(statuses(results)).toEqual([200, 200, undefined, 200]);
    expect(results[2].exchange.error).toMatch(/ECONNREFUSED/);
    expect(results[2].exchange.response).toBeUndefined();
    expect(recorder.exchanges.map((exchange) => exchange.label).sort()).toEqual(['redeem-1', 'redeem-2', 'redeem-4', 'refused']);
  });

  it('releases a request with an offset after those without', async () => {
    const url = await serve(answerEach);
    const { probe } = probeFor(url);
    const requests = burst(4);
    requests[1].offsetMs = 30;
    requests[3].offsetMs = 5;

    const [first, latest, third, later] = (await probe.sendTogether(requests)).map((result) => result.releasedAt);
    expect(third).toBe(first);
    expect(later).toBeGreaterThan(first);
    expect(latest).toBeGreaterThan(later);
  });

  it('records each exchange with its label, its whole body and the status, as send records it', async () => {
    const url = await serve((request, response) => {
      // Without a Date header, an answer to send and one to sendTogether a second apart still compare equal.
      response.sendDate = false;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = Number(new URLSearchParams(body).get('answer'));
        response.setHeader('set-cookie', ['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'b=2']);
        response.setHeader('www-authenticate', ['Bearer error="invalid_grant"', 'DPoP algs="ES256"']);
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`echo ${body}`);
      });
    });
    const { probe, recorder } = probeFor(url);
    // The held byte is the last of the three that encode "€": the server must still read the character whole.
    const bodies = ['answer=200&code=äbc€', 'answer=400&code=plain', 'answer=201&code=ü'];
    const results = await probe.sendTogether(bodies.map((body, index) => ({ label: `label-${index}`, request: tokenRequest(body) })));

    expect(results.map(({ exchange }) => exchange.label)).toEqual(['label-0', 'label-1', 'label-2']);
    expect(statuses(results)).toEqual([200, 400, 201]);
    for (const [index, { exchange, releasedAt }] of results.entries()) {
      expect(exchange.request).toEqual({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bodies[index] });
      expect(exchange.response?.body).toBe(`echo ${bodies[index]}`);
      expect(exchange.role).toBe('token');
      expect(exchange.at).toBe(releasedAt);
      expect(recorder.exchanges).toContain(exchange);
    }

    const alone = await probe.send('label-0', tokenRequest(bodies[0]));
    const untimed = { id: 0, at: 0, durationMs: 0 };
    expect({ ...results[0].exchange, ...untimed }).toEqual({ ...alone.exchange, ...untimed });
    expect(results[0].setCookies).toEqual(['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'b=2']);
    expect(results[0].setCookies).toEqual(alone.setCookies);
    expect(results[0].response?.headers['www-authenticate']).toBe('Bearer error="invalid_grant", DPoP algs="ES256"');
  });

  it('times a silent server out, and ends every request when the run is stopped', async () => {
    let bodiesEnded = 0;
    const controller = new AbortController();
    const url = await serve((request) => {
      request.resume();
      request.on('end', () => {
        if (++bodiesEnded === 3) controller.abort();
      });
    });

    const timed = await probeFor(url, { timeoutMs: 200 }).probe.sendTogether(burst(2));
    expect(timed.map(({ exchange }) => exchange.error)).toEqual(['no answer within 200 ms', 'no answer within 200 ms']);

    const stopped = await probeFor(url, { signal: controller.signal }).probe.sendTogether(burst(1));
    expect(stopped[0].exchange.error).toBe('the run was interrupted');
    const after = await probeFor(url, { signal: controller.signal }).probe.sendTogether(burst(2));
    expect(after.map(({ exchange }) => exchange.error)).toEqual(['the run was interrupted', 'the run was interrupted']);
  });

  it('refuses a request without a body, which has no last byte to hold back, or a URL that does not parse, before connecting', async () => {
    const url = await serve(answerEach);
    let connections = 0;
    open[0].on('connection', () => connections++);
    const { probe } = probeFor(url);
    await expect(probe.sendTogether([...burst(1), { label: 'empty', request: { method: 'POST' } }])).rejects.toThrow(/empty: only a request with a body/);
    await expect(probe.sendTogether([...burst(1), { label: 'bad', request: { ...tokenRequest('code=x'), url: 'not a url' } }])).rejects.toThrow(/Invalid URL/);
    await probe.send('after', tokenRequest('code=x'));
    expect(connections).toBe(1);
  });
});
