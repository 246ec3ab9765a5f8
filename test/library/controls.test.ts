// What a test does to a world between or during a client's runs, seen from inside the test process
// through either interception: expired and revoked tokens, rotated keys, a reconfigured world, and
// handlers of the test's own.
import { decodeProtectedHeader } from 'jose';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { callTestTool, memoryStore, type CredentialStore } from '../../examples/vitest/client.js';
import { interceptWorld } from '../../library/nock.js';
import { createConformanceWorld, type ConformanceWorld } from '../../library/world.js';
import { mergeKnobs } from '../../mocks/knobs.js';
import { INTERCEPTIONS, intercepted, type Interception } from '../support/library-drive.js';

/** A world whose client has authorized once, and the store holding what it was given. */
async function authorizedWorld(how: Interception): Promise<{ world: ConformanceWorld; store: CredentialStore; clientId: string; accessToken: string; refreshToken: string }> {
  const world = await createConformanceWorld();
  const store = memoryStore();
  await intercepted(world, how, () => callTestTool(world.mcpUrl, { store }));
  const { client, tokens } = store.load();
  if (!client || !tokens?.refresh_token) throw new Error('the client kept no registration or no refresh token');
  return { world, store, clientId: client.client_id, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

function listTools(world: ConformanceWorld, accessToken: string): Promise<Response> {
  return fetch(world.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}

async function jwksKids(world: ConformanceWorld): Promise<string[]> {
  const jwks = (await (await fetch(world.facts.endpoints.jwks)).json()) as { keys: Array<{ kid: string }> };
  return jwks.keys.map((key) => key.kid);
}

describe.each(INTERCEPTIONS)('world controls through %s', (how) => {
  it('expireAccessTokens: the kept token is refused as expired, and the next start refreshes', async () => {
    const { world, store, accessToken } = await authorizedWorld(how);
    await intercepted(world, how, async () => {
      expect((await listTools(world, accessToken)).status).not.toBe(401);
      world.expireAccessTokens();
      const refused = await listTools(world, accessToken);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token".*expired/);
    });
    const run = await world.nextRun();
    expect(run.actors).toEqual(['client-2']);
    await intercepted(world, how, () => callTestTool(world.mcpUrl, { store }));
    const refresh = world.trace().exchanges.find((e) => e.role === 'token' && e.request.body?.includes('grant_type=refresh_token'));
    expect(refresh).toMatchObject({ actor: 'client-2', response: { status: 200 } });
  });

  it('revokeRefreshTokens: presenting the kept refresh token is refused with invalid_grant', async () => {
    const { world, clientId, refreshToken } = await authorizedWorld(how);
    world.revokeRefreshTokens();
    const answer = await intercepted(world, how, () =>
      fetch(world.facts.endpoints.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, resource: world.facts.canonicalResource }),
      }),
    );
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotateSigningKeys: new tokens carry the new key; old ones stay valid until the old key is withdrawn', async () => {
    const { world, store, accessToken } = await authorizedWorld(how);
    const firstKid = decodeProtectedHeader(accessToken).kid;
    const [rotated] = await world.rotateSigningKeys();
    await intercepted(world, how, async () => {
      expect(await jwksKids(world)).toEqual([rotated, firstKid]);
      expect((await listTools(world, accessToken)).status).not.toBe(401);
    });
    world.expireAccessTokens();
    await world.nextRun();
    await intercepted(world, how, () => callTestTool(world.mcpUrl, { store }));
    const renewed = store.load().tokens!.access_token;
    expect(decodeProtectedHeader(renewed).kid).toBe(rotated);

    const [withdrawnFor] = await world.rotateSigningKeys(true);
    await intercepted(world, how, async () => {
      expect(await jwksKids(world)).toEqual([withdrawnFor]);
      const refused = await listTools(world, renewed);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/);
    });
  });

  it('use and resetHandlers: a handler of the test answers first, and is recorded like the world\'s own', async () => {
    const world = await createConformanceWorld();
    const prmUrl = world.facts.prmUrl!;
    world.use(http.get(prmUrl, () => HttpResponse.json({ error: 'maintenance' }, { status: 503 })));
    await intercepted(world, how, async () => {
      expect((await fetch(prmUrl)).status).toBe(503);
      world.resetHandlers();
      expect((await fetch(prmUrl)).status).toBe(200);
    });
    expect(world.trace().exchanges.map((e) => [e.role, e.response?.status])).toEqual([
      ['prm', 503],
      ['prm', 200],
    ]);
  });
});

describe('reconfigure', () => {
  it('a second authorization server brought in later is answered by an interception set up before', async () => {
    const world = await createConformanceWorld();
    expect(world.origins()).toHaveLength(2);
    // nock is set up once, for every origin the world may get; msw answers whatever the world owns.
    const interception = interceptWorld(world);
    try {
      const as2Origin = world.allOrigins().find((origin) => !world.origins().includes(origin))!;
      // Before the move nothing serves it, as nothing would listen there.
      await expect(fetch(`${as2Origin}/.well-known/oauth-authorization-server`)).rejects.toThrow();

      await world.reconfigure(mergeKnobs(world.knobs, { as2: {}, prm: { authorizationServer: 'second' } }));
      expect(world.origins()).toContain(as2Origin);
      const prm = (await (await fetch(world.facts.prmUrl!)).json()) as { authorization_servers: string[] };
      expect(prm.authorization_servers).toEqual([world.facts.issuer2]);
      const metadata = await fetch(`${as2Origin}/.well-known/oauth-authorization-server`);
      expect(metadata.status).toBe(200);
      expect(((await metadata.json()) as { issuer: string }).issuer).toBe(world.facts.issuer2);
      // The client follows the move: it registers with the second server and gets its token there.
      await callTestTool(world.mcpUrl);
      expect(world.trace().exchanges.filter((e) => e.server === 'as2').map((e) => e.role)).toEqual(expect.arrayContaining(['register', 'authorize', 'token']));
      interception.done();
    } finally {
      interception.restore();
    }
  });

  it('restore removes exactly its interceptors: a second world intercepted at the same time keeps working', async () => {
    const [first, second] = await Promise.all([createConformanceWorld(), createConformanceWorld()]);
    const one = interceptWorld(first);
    const two = interceptWorld(second);
    one.restore();
    try {
      await expect(fetch(first.facts.prmUrl!)).rejects.toThrow();
      expect((await fetch(second.facts.prmUrl!)).status).toBe(200);
      expect(() => one.done()).toThrow(/answered no request/);
      two.done();
    } finally {
      two.restore();
    }
  });
});
