import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { World } from '../../mocks/world.js';
import { codeFlow, newWorld, register, tokenRequest } from './world-helpers.js';

async function refresh(world: World, clientId: string, refreshToken: string, extra: Record<string, string> = {}) {
  const response = await tokenRequest(world, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, ...extra });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, string> };
}

describe('refresh tokens', () => {
  it('rotate on every use and keep the audience and scope', async () => {
    const { world } = await newWorld();
    const first = await codeFlow(world, { scope: 'a b' });
    const second = await refresh(world, first.client.client_id, first.refresh_token!, { resource: world.facts.canonicalResource });
    expect(second.status).toBe(200);
    expect(second.cacheControl).toBe('no-store');
    expect(second.body.refresh_token).toBeTruthy();
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.scope).toBe('a b');
    expect(decodeJwt(second.body.access_token)).toMatchObject({ aud: world.facts.canonicalResource, scope: 'a b' });

    const third = await refresh(world, first.client.client_id, second.body.refresh_token);
    expect(third.status).toBe(200);
    expect(third.body.refresh_token).not.toBe(second.body.refresh_token);
    expect(decodeJwt(third.body.access_token).aud).toBe(world.facts.canonicalResource);
  });

  it('revoke the whole family when a superseded token is presented', async () => {
    const { world } = await newWorld();
    const first = await codeFlow(world);
    const clientId = first.client.client_id;
    const second = await refresh(world, clientId, first.refresh_token!);
    expect(second.status).toBe(200);

    const reuse = await refresh(world, clientId, first.refresh_token!);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const current = await refresh(world, clientId, second.body.refresh_token);
    expect(current.status).toBe(400);
    expect(current.body.error).toBe('invalid_grant');
  });

  it('leave other families alone when one is revoked', async () => {
    const { world } = await newWorld();
    const stolen = await codeFlow(world);
    const other = await codeFlow(world, { client: stolen.client });
    await refresh(world, stolen.client.client_id, stolen.refresh_token!);
    await refresh(world, stolen.client.client_id, stolen.refresh_token!);
    expect((await refresh(world, other.client.client_id, other.refresh_token!)).status).toBe(200);
  });

  it('may narrow the scope but not widen it', async () => {
    const { world } = await newWorld();
    const tokens = await codeFlow(world, { scope: 'a b' });
    const wider = await refresh(world, tokens.client.client_id, tokens.refresh_token!, { scope: 'a c' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // The refused request did not consume the token.
    const narrower = await refresh(world, tokens.client.client_id, tokens.refresh_token!, { scope: 'b' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('b');
    expect(decodeJwt(narrower.body.access_token).scope).toBe('b');
  });

  it('refuse another resource, another client, unknown tokens and missing parameters', async () => {
    const { world } = await newWorld();
    const tokens = await codeFlow(world);
    const clientId = tokens.client.client_id;
    const target = await refresh(world, clientId, tokens.refresh_token!, { resource: 'https://attacker.example/mcp' });
    expect(target.body.error).toBe('invalid_target');
    const intruder = await register(world);
    expect((await refresh(world, intruder.client_id, tokens.refresh_token!)).body.error).toBe('invalid_grant');
    expect((await refresh(world, clientId, 'made-up')).body.error).toBe('invalid_grant');
    const missing = await tokenRequest(world, { grant_type: 'refresh_token', client_id: clientId });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    expect((await refresh(world, clientId, tokens.refresh_token!)).status).toBe(200);
  });

  it('are not issued when the knob is off', async () => {
    const { world } = await newWorld({ as: { refreshTokens: false } });
    expect(await codeFlow(world)).not.toHaveProperty('refresh_token');
  });
});
