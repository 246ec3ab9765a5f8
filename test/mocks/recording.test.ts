import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ACTOR_HEADER } from '../../mocks/world.js';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

function portOf(origin: string): number {
  return Number(new URL(origin).port);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('recording', () => {
  it('records every exchange in order with its actor, server and role', async () => {
    const { world, recorder } = await newWorld({ prm: { location: 'root' } });
    const { facts } = world;
    await mcp(world, rpc(1, 'initialize'));
    await fetch(`${facts.rsOrigin}/.well-known/oauth-protected-resource/mcp`);
    await fetch(facts.prmUrl!);
    await fetch(`${facts.asOrigin}/.well-known/openid-configuration`);
    await fetch(facts.asMetadataUrls[0]);
    await fetch(facts.endpoints.jwks, { headers: { [ACTOR_HEADER]: 'browser' } });
    await fetch(`${facts.asOrigin}/nothing-here`);
    const { access_token } = await codeFlow(world);
    await mcp(world, rpc(2, 'tools/list'), access_token);

    const summary = recorder.exchanges.map((e) => [e.id, e.actor, e.server, e.role, e.response?.status]);
    expect(summary).toEqual([
      [1, 'client-1', 'rs', 'mcp', 401],
      [2, 'client-1', 'rs', 'prm', 404],
      [3, 'client-1', 'rs', 'prm', 200],
      [4, 'client-1', 'as', 'as-metadata', 404],
      [5, 'client-1', 'as', 'as-metadata', 200],
      [6, 'browser', 'as', 'jwks', 200],
      [7, 'client-1', 'as', 'unknown', 404],
      [8, 'client-1', 'as', 'register', 201],
      [9, 'client-1', 'as', 'authorize', 302],
      [10, 'client-1', 'as', 'token', 200],
      [11, 'client-1', 'rs', 'mcp', 200],
    ]);
    for (const e of recorder.exchanges) {
      expect(e.at).toBeGreaterThanOrEqual(0);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('records method, full URL, lower-case headers and bodies, without the actor header', async () => {
    const { world, recorder } = await newWorld({}, 'client-7');
    await fetch(`${world.facts.mcpUrl}?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'v', [ACTOR_HEADER]: 'client-2' },
      body: JSON.stringify(rpc(1, 'initialize')),
    });
    await mcp(world, rpc(2, 'ping'));
    const [first, second] = recorder.exchanges;
    expect(first.actor).toBe('client-2');
    expect(second.actor).toBe('client-7');
    expect(first.request.method).toBe('POST');
    expect(first.request.url).toBe(`${world.facts.mcpUrl}?x=1`);
    expect(first.request.headers['content-type']).toBe('application/json');
    expect(first.request.headers['x-custom']).toBe('v');
    expect(first.request.headers).not.toHaveProperty(ACTOR_HEADER);
    expect(Object.keys(first.request.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(JSON.parse(first.request.body!)).toEqual(rpc(1, 'initialize'));
    expect(first.response!.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(first.response!.body).toBeUndefined();

    await fetch(world.facts.asMetadataUrls[0]);
    const metadata = recorder.exchanges[2];
    expect(metadata.request.body).toBeUndefined();
    expect(metadata.response!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(metadata.response!.body!).issuer).toBe(world.facts.issuer);
  });

  it('lets handlers added with use() take precedence until reset', async () => {
    const { world, recorder } = await newWorld();
    world.use(http.get(world.facts.prmUrl!, () => HttpResponse.json({ resource: 'overridden' }, { status: 503 })));
    expect((await fetch(world.facts.prmUrl!)).status).toBe(503);
    world.resetHandlers();
    expect((await fetch(world.facts.prmUrl!)).status).toBe(200);
    expect(recorder.exchanges.map((e) => [e.role, e.response?.status])).toEqual([
      ['prm', 503],
      ['prm', 200],
    ]);
  });

  it('reads chunked request bodies', async () => {
    const { world, recorder } = await newWorld();
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(world.facts.endpoints.register!, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on('error', reject);
      request.write('{"redirect_uris":["http://127.0.0.1:1/cb"],');
      request.end('"token_endpoint_auth_method":"none"}');
    });
    expect(status).toBe(201);
    expect(recorder.exchanges[0].request.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(recorder.exchanges[0].request.body!).token_endpoint_auth_method).toBe('none');
  });

  it('answers 500 and still records when a handler throws', async () => {
    const { world, recorder } = await newWorld();
    world.use(
      http.get(world.facts.endpoints.jwks, () => {
        throw new Error('boom');
      }),
    );
    const response = await fetch(world.facts.endpoints.jwks);
    expect(response.status).toBe(500);
    expect(recorder.exchanges[0].response!.status).toBe(500);
  });
});

describe('close', () => {
  it('frees both ports even with keep-alive connections open, and is idempotent', async () => {
    const { world } = await newWorld();
    // Fetch keeps these connections alive in its pool after the responses.
    await fetch(world.facts.prmUrl!);
    await fetch(world.facts.asMetadataUrls[0]);
    const ports = [portOf(world.facts.rsOrigin), portOf(world.facts.asOrigin)];
    for (const port of ports) expect(await canConnect(port)).toBe(true);

    await world.close();
    await world.close();
    for (const port of ports) expect(await canConnect(port)).toBe(false);
    await expect(fetch(world.facts.prmUrl!)).rejects.toThrow();
  });
});
