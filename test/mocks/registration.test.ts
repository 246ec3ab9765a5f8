import { describe, expect, it } from 'vitest';
import type { World } from '../../mocks/world.js';
import { REDIRECT_URI, newWorld } from './world-helpers.js';

function post(world: World, body: string): Promise<Response> {
  return fetch(world.facts.endpoints.register!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('dynamic client registration', () => {
  it('registers a public client with 201 and echoes its metadata', async () => {
    const { world } = await newWorld();
    const metadata = {
      client_name: 'Test client',
      redirect_uris: [REDIRECT_URI, 'https://app.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      software_id: 'abc',
    };
    const response = await post(world, JSON.stringify(metadata));
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject(metadata);
    expect(typeof body.client_id).toBe('string');
    expect(typeof body.client_id_issued_at).toBe('number');
    expect(body).not.toHaveProperty('client_secret');
  });

  it.each(['client_secret_basic', 'client_secret_post'])('issues a secret to a %s client', async (method) => {
    const { world } = await newWorld({ as: { tokenAuthMethods: ['client_secret_basic', 'client_secret_post'] } });
    const response = await post(world, JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: method }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(typeof body.client_secret).toBe('string');
    expect(body.client_secret_expires_at).toBe(0);
  });

  it('defaults the method to client_secret_basic, and replaces an unsupported one with the first it supports', async () => {
    const basic = await newWorld({ as: { tokenAuthMethods: ['client_secret_basic'] } });
    const accepted = await post(basic.world, JSON.stringify({ redirect_uris: [REDIRECT_URI] }));
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic' });

    const replaced = await post(basic.world, JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' }));
    expect(replaced.status).toBe(201);
    const body = (await replaced.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0 });
    expect(typeof body.client_secret).toBe('string');

    const publicOnly = await newWorld();
    const downgraded = await post(publicOnly.world, JSON.stringify({ redirect_uris: [REDIRECT_URI] }));
    expect(downgraded.status).toBe(201);
    expect(await downgraded.json()).not.toHaveProperty('client_secret');
  });

  it('refuses a body that is not a JSON object', async () => {
    const { world } = await newWorld();
    for (const body of ['not json', '[1]', 'null']) {
      const response = await post(world, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata' });
    }
  });

  it.each([
    ['missing', {}],
    ['empty', { redirect_uris: [] }],
    ['not an array', { redirect_uris: REDIRECT_URI }],
    ['relative', { redirect_uris: ['/callback'] }],
    ['with a fragment', { redirect_uris: ['https://app.example/cb#frag'] }],
    ['plain http off loopback', { redirect_uris: ['http://app.example/cb'] }],
    ['one bad among good', { redirect_uris: [REDIRECT_URI, 'ftp://app.example/cb'] }],
  ])('refuses redirect_uris %s with invalid_redirect_uri', async (_, metadata) => {
    const { world } = await newWorld();
    const response = await post(world, JSON.stringify({ token_endpoint_auth_method: 'none', ...metadata }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  });

  it('accepts loopback http redirect URIs on every loopback host', async () => {
    const { world } = await newWorld();
    const response = await post(
      world,
      JSON.stringify({ token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:1/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb'] }),
    );
    expect(response.status).toBe(201);
  });
});
