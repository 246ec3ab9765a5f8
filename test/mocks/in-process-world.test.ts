import { setupServer } from 'msw/node';
import { describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { knobs } from '../../mocks/knobs.js';
import { createInProcessWorld } from '../../mocks/in-process-world.js';
import { TraceRecorder } from '../../mocks/recorder.js';
import { startWorld } from '../../mocks/world.js';

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };

/** What a client without a token sees first: the challenge, then the two metadata documents. */
async function discover(mcpUrl: string): Promise<number[]> {
  const challenge = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(initialize) });
  const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')![1];
  const prm = await fetch(prmUrl);
  const issuer = ((await prm.json()) as { authorization_servers: string[] }).authorization_servers[0];
  const metadata = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
  return [challenge.status, prm.status, metadata.status];
}

describe('the in-process world', () => {
  it('records the same exchanges as the loopback world, but for the origins', async () => {
    const inProcess = await createInProcessWorld(knobs());
    const server = setupServer(http.all(/.*/, ({ request }) => (inProcess.owns(request.url) ? inProcess.answer(request) : undefined)));
    server.listen({ onUnhandledRequest: 'error' });
    const recorder = new TraceRecorder();
    const loopback = await startWorld(knobs(), { recorder });
    try {
      expect(await discover(inProcess.facts.mcpUrl)).toEqual([401, 200, 200]);
      server.close();
      expect(await discover(loopback.facts.mcpUrl)).toEqual([401, 200, 200]);
      const shape = (exchanges: typeof recorder.exchanges, origins: string[]) =>
        exchanges.map((e) => {
          let url = e.request.url;
          for (const [i, origin] of origins.entries()) url = url.replace(origin, `<origin ${i}>`);
          return { id: e.id, actor: e.actor, server: e.server, role: e.role, method: e.request.method, url, status: e.response?.status, body: e.response?.body?.replaceAll(origins[0], '<origin 0>').replaceAll(origins[1], '<origin 1>') };
        });
      expect(shape(inProcess.recorder.exchanges, [inProcess.facts.rsOrigin, inProcess.facts.asOrigin])).toEqual(
        shape(recorder.exchanges, [loopback.facts.rsOrigin, loopback.facts.asOrigin]),
      );
    } finally {
      server.close();
      await loopback.close();
    }
  });

  it('answers only its own origins, and two worlds of one process never share one', async () => {
    const first = await createInProcessWorld(knobs());
    const second = await createInProcessWorld(knobs());
    expect(first.origins().some((origin) => second.origins().includes(origin))).toBe(false);
    expect(first.owns(first.facts.mcpUrl)).toBe(true);
    expect(first.owns(second.facts.mcpUrl)).toBe(false);
    await expect(first.answer(new Request(second.facts.mcpUrl))).rejects.toThrow(/not a URL of this mock world/);
  });

  it('records requests under the current actor, or the one named', async () => {
    const world = await createInProcessWorld(knobs());
    await world.answer(new Request(world.facts.endpoints.jwks));
    world.actor = 'client-2';
    await world.answer(new Request(world.facts.endpoints.jwks));
    await world.answer(new Request(world.facts.endpoints.jwks), 'browser');
    expect(world.recorder.exchanges.map((e) => [e.actor, e.role])).toEqual([
      ['client-1', 'jwks'],
      ['client-2', 'jwks'],
      ['browser', 'jwks'],
    ]);
  });

  it('keeps the body it recorded, so a handler and the trace see the same bytes', async () => {
    const world = await createInProcessWorld(knobs());
    const body = JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/cb'], token_endpoint_auth_method: 'none' });
    const response = await world.answer(new Request(world.facts.endpoints.register!, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(response.status).toBe(201);
    const exchange = world.recorder.exchanges[0];
    expect(exchange.request.body).toBe(body);
    expect(JSON.parse(exchange.response!.body!)).toEqual(await response.json());
  });
});
