import { describe, expect, it } from 'vitest';
import { FAMILY_REVOKED_HEADER, REFRESH_GENERATION_HEADER } from '../../mocks/authorization-server/diagnostics.js';
import { knobs } from '../../mocks/knobs.js';
import { TraceRecorder } from '../../mocks/recorder.js';
import { startWorld } from '../../mocks/world.js';
import { authorize, codeFlow, mcp, newWorld, obtainCode, pkce, REDIRECT_URI, refresh, register, rpc } from './world-helpers.js';

describe('expireAccessTokens', () => {
  it('makes the resource server refuse every token issued so far as expired, and only those', async () => {
    const { world } = await newWorld();
    const tokens = await codeFlow(world);
    expect((await mcp(world, rpc(1, 'ping'), tokens.access_token)).status).toBe(200);

    world.expireAccessTokens();
    const expired = await mcp(world, rpc(2, 'ping'), tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="exp: the token has expired", resource_metadata="${world.facts.prmUrl}"`,
    );
    expect(await expired.json()).toEqual({ error: 'invalid_token', error_description: 'exp: the token has expired' });

    // The refresh token is untouched, and what it yields now is fresh.
    const renewed = await refresh(world, tokens.client.client_id, tokens.refresh_token!);
    expect(renewed.status).toBe(200);
    expect((await mcp(world, rpc(3, 'ping'), renewed.body.access_token as string)).status).toBe(200);
  });

  it('expires the tokens of a second authorization server too', async () => {
    const { world } = await newWorld({ as2: {}, prm: { authorizationServer: 'second' } });
    const tokens = await codeFlow(world, { server: 'second' });
    expect((await mcp(world, rpc(1, 'ping'), tokens.access_token)).status).toBe(200);
    world.expireAccessTokens();
    expect((await mcp(world, rpc(2, 'ping'), tokens.access_token)).status).toBe(401);
  });
});

describe('revokeRefreshTokens', () => {
  it('revokes every family issued so far, without claiming reuse detection, and leaves later ones alone', async () => {
    const { world } = await newWorld();
    const before = await codeFlow(world);
    world.revokeRefreshTokens();
    const refused = await refresh(world, before.client.client_id, before.refresh_token!);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant' });
    expect(refused.headers.get(FAMILY_REVOKED_HEADER)).toBeNull();
    const after = await codeFlow(world, { client: before.client });
    expect((await refresh(world, after.client.client_id, after.refresh_token!)).status).toBe(200);
  });

  it('given a refresh token, revokes its family alone, and says how many it revoked', async () => {
    const { world } = await newWorld();
    const one = await codeFlow(world);
    const other = await codeFlow(world, { client: one.client });
    expect(world.revokeRefreshTokens(one.refresh_token!)).toBe(1);
    expect(world.revokeRefreshTokens(one.refresh_token!)).toBe(0);
    expect(world.revokeRefreshTokens('never-issued')).toBeUndefined();
    expect((await refresh(world, one.client.client_id, one.refresh_token!)).status).toBe(400);
    expect((await refresh(world, other.client.client_id, other.refresh_token!)).status).toBe(200);
    expect(world.revokeRefreshTokens()).toBe(1);
  });
});

describe('reconfigure', () => {
  it('swaps the handlers and keeps ports, clients, codes, keys, refresh families and the recorder', async () => {
    const { world, recorder } = await newWorld();
    const before = world.facts;
    const origins = world.origins;
    const client = await register(world);
    const first = await codeFlow(world, { client });
    const pending = await obtainCode(world, { client });
    const rt1 = (await refresh(world, client.client_id, first.refresh_token!)).body.refresh_token as string;
    const exchangesBefore = recorder.exchanges.length;

    const next = knobs({ prm: { cacheControl: 'max-age=5' }, as: { tokenFaults: [{ status: 503, count: 1, grant: 'refresh_token' }] } });
    await world.reconfigure(next);

    expect(world.origins).toEqual(origins);
    expect(world.knobs).toEqual(next);
    expect(world.facts.knobs).toEqual(next);
    expect(world.facts).toMatchObject({ mcpUrl: before.mcpUrl, issuer: before.issuer, endpoints: before.endpoints });
    // Facts are replaced, not mutated: what a run captured before stays as it was.
    expect(before.knobs).not.toEqual(next);
    expect((await fetch(world.facts.prmUrl!)).headers.get('cache-control')).toBe('max-age=5');

    // Signing key: the token issued before still works.
    expect((await mcp(world, rpc(1, 'ping'), first.access_token)).status).toBe(200);
    // The code issued before is still redeemable by the client registered before.
    const redeemed = await fetch(world.facts.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: pending.code,
        code_verifier: pending.verifier,
        redirect_uri: REDIRECT_URI,
        resource: world.facts.canonicalResource,
        client_id: client.client_id,
      }),
    });
    expect(redeemed.status).toBe(200);
    // The refresh family: the new fault answers first, then rotation carries on from rt1.
    expect((await refresh(world, client.client_id, rt1)).status).toBe(503);
    const rotated = await refresh(world, client.client_id, rt1);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get(REFRESH_GENERATION_HEADER)).toMatch(/generation=2; outcome=issued$/);
    // Reuse detection spans the reconfiguration.
    const reuse = await refresh(world, client.client_id, first.refresh_token!);
    expect(reuse.headers.get(FAMILY_REVOKED_HEADER)).toMatch(/detected=now$/);

    expect(recorder.exchanges.length).toBeGreaterThan(exchangesBefore);
    expect(recorder.exchanges.map((e) => e.id)).toEqual(recorder.exchanges.map((_, i) => i + 1));
  });

  it('changes the refresh policy of a live family', async () => {
    const { world } = await newWorld();
    const tokens = await codeFlow(world);
    const clientId = tokens.client.client_id;
    await refresh(world, clientId, tokens.refresh_token!);
    await world.reconfigure(knobs({ as: { refreshPolicy: 'no-invalidation' } }));
    // Under strict rotation this replay would have revoked the family.
    expect((await refresh(world, clientId, tokens.refresh_token!)).status).toBe(200);
  });

  it('counts token requests for tokenLatencyMs over the world’s life', async () => {
    const { world, recorder } = await newWorld();
    const tokens = await codeFlow(world);
    const rt1 = (await refresh(world, tokens.client.client_id, tokens.refresh_token!)).body.refresh_token as string;
    // Requests 0 and 1 are behind us; request 2 is the next one.
    // Were the count to restart, this request would be index 0 and wait 5 s.
    await world.reconfigure(knobs({ as: { tokenLatencyMs: [5000, 5000, 600] } }));
    expect((await refresh(world, tokens.client.client_id, rt1)).status).toBe(200);
    const last = recorder.exchanges.filter((e) => e.role === 'token').at(-1)!;
    expect(last.durationMs).toBeGreaterThanOrEqual(550);
    expect(last.durationMs).toBeLessThan(4000);
  });

  it('keeps handlers added with use() and applies reconfigurations in order', async () => {
    const { world } = await newWorld();
    const { http, HttpResponse } = await import('msw');
    world.use(http.get(world.facts.endpoints.jwks, () => HttpResponse.json({ keys: [] }, { status: 418 })));
    await Promise.all([
      world.reconfigure(knobs({ prm: { cacheControl: 'first' } })),
      world.reconfigure(knobs({ prm: { cacheControl: 'second' } })),
    ]);
    expect(world.facts.knobs).toMatchObject({ prm: { cacheControl: 'second' } });
    expect((await fetch(world.facts.prmUrl!)).headers.get('cache-control')).toBe('second');
    expect((await fetch(world.facts.endpoints.jwks)).status).toBe(418);
  });

  it('starts no listener once the world is closed', async () => {
    const { world } = await newWorld();
    await world.close();
    await expect(world.reconfigure(knobs({ as2: {} }))).rejects.toThrow(/closed/);
    expect(world.origins).toHaveLength(2);
  });

  it('refuses knobs it cannot build and keeps serving the old ones', async () => {
    const { world } = await newWorld();
    await expect(world.reconfigure(knobs({ prm: { authorizationServer: 'second' } }))).rejects.toThrow(/no second authorization server/);
    const prm = (await (await fetch(world.facts.prmUrl!)).json()) as { authorization_servers: string[] };
    expect(prm.authorization_servers).toEqual([world.facts.issuer]);
    expect(world.facts.issuer2).toBeUndefined();
  });
});

describe('a second authorization server', () => {
  it('lives on its own origin with its own issuer, metadata, key and clients', async () => {
    const { world, recorder } = await newWorld({ as2: { metadataCacheControl: 'max-age=9' } });
    const { issuer, issuer2, endpoints2, asOrigin, rsOrigin } = world.facts;
    expect(issuer2).toBeDefined();
    expect(new URL(issuer2!).origin).toBe(issuer2);
    expect([asOrigin, rsOrigin]).not.toContain(issuer2);
    expect(world.origins).toHaveLength(3);
    expect(world.origins).toContain(issuer2);
    expect(endpoints2).toEqual({ authorize: `${issuer2}/authorize`, token: `${issuer2}/token`, register: `${issuer2}/register`, jwks: `${issuer2}/jwks` });

    const metadata = await fetch(`${issuer2}/.well-known/oauth-authorization-server`);
    expect(metadata.headers.get('cache-control')).toBe('max-age=9');
    expect(await metadata.json()).toMatchObject({ issuer: issuer2, token_endpoint: endpoints2!.token });
    // The first server's knobs are not the second's.
    expect((await fetch(world.facts.asMetadataUrls[0])).headers.get('cache-control')).toBeNull();

    const keys = async (url: string) => ((await (await fetch(url)).json()) as { keys: { kid: string }[] }).keys[0].kid;
    expect(await keys(endpoints2!.jwks)).not.toBe(await keys(world.facts.endpoints.jwks));

    // A client of the first server is unknown to the second.
    const client = await register(world);
    const { challenge } = pkce();
    const refused = await authorize(
      world,
      { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256' },
      'second',
    );
    expect(refused.status).toBe(400);
    // Its refresh families are its own; a client of the first one is unknown there (invalid_client).
    const own = await codeFlow(world, { server: 'second' });
    expect((await refresh(world, own.client.client_id, own.refresh_token!, {}, 'second')).status).toBe(200);
    const elsewhere = await codeFlow(world);
    expect((await refresh(world, elsewhere.client.client_id, elsewhere.refresh_token!, {}, 'second')).status).toBe(400);

    const second = recorder.exchanges.filter((e) => e.server === 'as2');
    expect(second.map((e) => e.role)).toEqual(expect.arrayContaining(['as-metadata', 'jwks', 'register', 'authorize', 'token']));
    expect(second.every((e) => e.request.url.startsWith(issuer2!))).toBe(true);
    expect(issuer).not.toBe(issuer2);
  });

  it('is trusted only when the PRM names it, which a reconfiguration can flip', async () => {
    const { world } = await newWorld({ as2: {} });
    const fromFirst = await codeFlow(world);
    const fromSecond = await codeFlow(world, { server: 'second' });
    const authorizationServers = async () => ((await (await fetch(world.facts.prmUrl!)).json()) as { authorization_servers: string[] }).authorization_servers;

    expect(await authorizationServers()).toEqual([world.facts.issuer]);
    expect((await mcp(world, rpc(1, 'ping'), fromFirst.access_token)).status).toBe(200);
    const foreign = await mcp(world, rpc(2, 'ping'), fromSecond.access_token);
    expect(foreign.status).toBe(401);
    expect(foreign.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    await world.reconfigure(knobs({ as2: {}, prm: { authorizationServer: 'second' } }));
    expect(await authorizationServers()).toEqual([world.facts.issuer2]);
    expect((await mcp(world, rpc(3, 'ping'), fromFirst.access_token)).status).toBe(401);
    expect((await mcp(world, rpc(4, 'ping'), fromSecond.access_token)).status).toBe(200);
    // The first server still runs, with its families, for clients that go back to it.
    expect((await refresh(world, fromFirst.client.client_id, fromFirst.refresh_token!)).status).toBe(200);
  });

  it('takes over under a running client once the resource server has served the first one\'s token as often as asked', async () => {
    const { world } = await newWorld({ as2: {}, prm: { migrateAfterAuthorizedRequests: 1 } });
    const fromFirst = await codeFlow(world);
    const authorizationServers = async () => ((await (await fetch(world.facts.prmUrl!)).json()) as { authorization_servers: string[] }).authorization_servers;
    expect(await authorizationServers()).toEqual([world.facts.issuer]);
    expect((await mcp(world, rpc(1, 'tools/list'), fromFirst.access_token)).status).toBe(200);
    // Served once: from now on the resource server has moved.
    expect(await authorizationServers()).toEqual([world.facts.issuer2]);
    const refused = await mcp(world, rpc(2, 'tools/call', { name: 'test-tool', arguments: {} }), fromFirst.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token".*resource_metadata="/);
    const fromSecond = await codeFlow(world, { server: 'second' });
    expect((await mcp(world, rpc(3, 'tools/call', { name: 'test-tool', arguments: {} }), fromSecond.access_token)).status).toBe(200);
    // The move is remembered across reconfigurations with the same knob.
    await world.reconfigure(world.knobs);
    expect((await mcp(world, rpc(4, 'ping'), fromFirst.access_token)).status).toBe(401);
  });

  it('can appear only at a reconfiguration, on a new origin, leaving the others where they were', async () => {
    const { world, recorder } = await newWorld();
    const { rsOrigin, asOrigin } = world.facts;
    expect(world.origins).toHaveLength(2);
    await world.reconfigure(knobs({ as2: {}, prm: { authorizationServer: 'second' } }));
    expect(world.facts).toMatchObject({ rsOrigin, asOrigin });
    expect(world.origins).toHaveLength(3);
    const tokens = await codeFlow(world, { server: 'second' });
    expect((await mcp(world, rpc(1, 'ping'), tokens.access_token)).status).toBe(200);
    expect(recorder.exchanges.filter((e) => e.role === 'token').map((e) => e.server)).toEqual(['as2']);
  });

  it('cannot be trusted when the world has none', async () => {
    await expect(startWorld(knobs({ prm: { authorizationServer: 'second' } }), { recorder: new TraceRecorder() })).rejects.toThrow(
      /no second authorization server/,
    );
  });
});
