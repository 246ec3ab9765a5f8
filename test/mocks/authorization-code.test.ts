import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CIMD_URL } from '../../mocks/knobs.js';
import type { World } from '../../mocks/world.js';
import {
  REDIRECT_URI,
  authorize,
  clientCredentials,
  codeFlow,
  mcp,
  newWorld,
  obtainCode,
  pkce,
  register,
  rpc,
  tokenRequest,
  type RegisteredClient,
} from './world-helpers.js';

async function requestFor(world: World, client: RegisteredClient, overrides: Record<string, string | undefined> = {}) {
  const { challenge } = pkce();
  return authorize(world, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-123',
    ...overrides,
  });
}

function redirectParams(response: Response, redirectUri = REDIRECT_URI): URLSearchParams {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(location.origin + location.pathname).toBe(redirectUri);
  return location.searchParams;
}

describe('authorization endpoint', () => {
  it('redirects at once with code, echoed state and the issuer', async () => {
    const { world } = await newWorld();
    const params = redirectParams(await requestFor(world, await register(world)));
    expect(params.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(world.facts.issuer);
  });

  it.each([
    ['wrong', (state: string | null) => expect(state).not.toBe('state-123')],
    ['omit', (state: string | null) => expect(state).toBeNull()],
  ] as const)('shapes state with the %s knob', async (knob, expectation) => {
    const { world } = await newWorld({ as: { state: knob } });
    const params = redirectParams(await requestFor(world, await register(world)));
    expectation(params.get('state'));
    if (knob === 'wrong') expect(params.get('state')).toBeTruthy();
  });

  it('answers the wrong-state knob with a state the client never sent, shaped like the one it did', async () => {
    const { world } = await newWorld({ as: { state: 'wrong' } });
    const client = await register(world);
    const state = redirectParams(await requestFor(world, client, { state: '812d23ec-16b7-44bd-87cc-6c0f5816c1ac' })).get('state');
    expect(state).toBe('923e34fd-27c8-55ce-98dd-7d1g6927d2bd');
    // The same request draws the same state: a verdict on it cannot change from run to run.
    expect(redirectParams(await requestFor(world, client, { state: '812d23ec-16b7-44bd-87cc-6c0f5816c1ac' })).get('state')).toBe(state);
    expect(redirectParams(await requestFor(world, client, { state: 'Zz9' })).get('state')).toBe('Aa0');
    // Without a state to shift, still one the client never sent.
    for (const sent of [undefined, '-_.~']) {
      const answered = redirectParams(await requestFor(world, client, { state: sent })).get('state');
      expect(answered).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(answered).not.toBe(sent);
    }
  });

  it.each([
    ['correct', (issuer: string) => issuer],
    ['wrong', () => 'https://evil.example.com'],
    ['normalized', (issuer: string) => issuer + '/'],
    ['omit', () => null],
  ] as const)('shapes iss with the %s knob', async (knob, expected) => {
    const { world } = await newWorld({ as: { issParameter: knob } });
    const params = redirectParams(await requestFor(world, await register(world)));
    expect(params.get('iss')).toBe(expected(world.facts.issuer));
  });

  it('accepts a loopback redirect URI on another port, not another path or host', async () => {
    const { world } = await newWorld();
    const client = await register(world);
    const elsewhere = 'http://127.0.0.1:5999/callback';
    expect(redirectParams(await requestFor(world, client, { redirect_uri: elsewhere }), elsewhere).get('code')).toBeTruthy();
    expect((await requestFor(world, client, { redirect_uri: 'http://127.0.0.1:5999/other' })).status).toBe(400);
    expect((await requestFor(world, client, { redirect_uri: 'http://localhost:43111/callback' })).status).toBe(400);
  });

  it('answers unknown clients and unregistered redirect URIs itself, without redirecting', async () => {
    const { world } = await newWorld();
    const client = await register(world);
    for (const response of [
      await requestFor(world, { ...client, client_id: 'nobody' }),
      await requestFor(world, client, { redirect_uri: 'https://elsewhere.example/cb' }),
    ]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    }
  });

  it('redirects request errors with error, state and iss', async () => {
    const { world } = await newWorld();
    const client = await register(world);
    const cases: [Record<string, string | undefined>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
    ];
    for (const [overrides, error] of cases) {
      const params = redirectParams(await requestFor(world, client, overrides));
      expect(params.get('error')).toBe(error);
      expect(params.get('code')).toBeNull();
      expect(params.get('state')).toBe('state-123');
      expect(params.get('iss')).toBe(world.facts.issuer);
    }
    const missing = redirectParams(await requestFor(world, client, { code_challenge: undefined }));
    expect(missing.get('error_description')).toBe('code challenge required');
  });

  it('refuses every PKCE method when the server advertises none', async () => {
    const { world } = await newWorld({ as: { pkceMethods: null } });
    const params = redirectParams(await requestFor(world, await register(world)));
    expect(params.get('error')).toBe('invalid_request');
  });
});

describe('token endpoint: authorization code', () => {
  it('issues an ES256 access token for the resource, with scope, expiry and a refresh token', async () => {
    const { world } = await newWorld();
    const tokens = await codeFlow(world, { scope: 'mcp:read mcp:write' });
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp:read mcp:write' });
    expect(typeof tokens.refresh_token).toBe('string');

    const jwks = createLocalJWKSet((await (await fetch(world.facts.endpoints.jwks)).json()) as { keys: [] });
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: world.facts.issuer,
      audience: world.facts.canonicalResource,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'conformance-user', client_id: tokens.client.client_id, scope: 'mcp:read mcp:write' });
    expect(payload.aud).toBe(world.facts.canonicalResource);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(typeof payload.jti).toBe('string');
  });

  it('sends Cache-Control: no-store on success and on errors', async () => {
    const { world } = await newWorld();
    const { client, code, verifier } = await obtainCode(world);
    const ok = await tokenRequest(world, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: client.client_id });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const failed = await tokenRequest(world, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: client.client_id });
    expect(failed.status).toBe(400);
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves aud out and the scope out when the client named neither', async () => {
    const { world } = await newWorld({ as: { refreshTokens: false, accessTokenTtlSeconds: 60 } });
    const tokens = await codeFlow(world, { resource: null });
    expect(tokens).not.toHaveProperty('refresh_token');
    expect(tokens).not.toHaveProperty('scope');
    expect(tokens.expires_in).toBe(60);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).not.toHaveProperty('aud');
    expect(claims).not.toHaveProperty('scope');
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
  });

  it('rejects a wrong code_verifier with invalid_grant', async () => {
    const { world } = await newWorld();
    const { client, code } = await obtainCode(world);
    const response = await tokenRequest(world, { grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT_URI, client_id: client.client_id });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects a replayed code with invalid_grant', async () => {
    const { world } = await newWorld();
    const { client, code, verifier, resource } = await obtainCode(world);
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: client.client_id, resource: resource! };
    expect((await tokenRequest(world, form)).status).toBe(200);
    const replay = await tokenRequest(world, form);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects a code presented with another redirect_uri or by another client', async () => {
    const { world } = await newWorld();
    const other = await register(world);
    for (const tamper of [{ redirect_uri: 'http://127.0.0.1:43111/elsewhere' }, { client_id: other.client_id }]) {
      const { client, code, verifier } = await obtainCode(world);
      const response = await tokenRequest(world, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: client.client_id, ...tamper });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('rejects a resource other than the canonical one with invalid_target', async () => {
    const { world } = await newWorld();
    const { client, code, verifier } = await obtainCode(world);
    const response = await tokenRequest(world, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
      client_id: client.client_id,
      resource: 'https://attacker.example/mcp',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('rejects the canonical resource when the code was issued for another one', async () => {
    const { world } = await newWorld();
    const { client, code, verifier } = await obtainCode(world, { resource: 'https://attacker.example/mcp' });
    const response = await tokenRequest(world, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
      client_id: client.client_id,
      resource: world.facts.canonicalResource,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('mints for the origin a root PRM document names, written with or without the slash, and the resource server accepts it', async () => {
    const { world } = await newWorld({ prm: { location: 'root', advertise: false } });
    const origin = world.facts.rsOrigin;
    for (const resource of [origin, `${origin}/`]) {
      const tokens = await codeFlow(world, { resource });
      // The audience is the identifier as the world spells it (RFC 3986 §6.2.3 makes both forms one URI).
      expect(decodeJwt(tokens.access_token).aud).toBe(origin);
      const served = await mcp(world, rpc(1, 'tools/list'), tokens.access_token);
      expect(served.status).toBe(200);
    }
    // The MCP URL itself stays a name of the same server.
    const canonical = await codeFlow(world);
    expect((await mcp(world, rpc(2, 'tools/list'), canonical.access_token)).status).toBe(200);
    // A path under the origin that is not the server's is still another resource.
    await expect(codeFlow(world, { resource: `${origin}/other` })).rejects.toThrow(/invalid_target/);
  });

  it('answers missing parameters and unknown grant types', async () => {
    const { world } = await newWorld();
    const client = await register(world);
    const missingCode = await tokenRequest(world, { grant_type: 'authorization_code', code_verifier: 'x', client_id: client.client_id });
    expect(missingCode.status).toBe(400);
    expect(await missingCode.json()).toMatchObject({ error: 'invalid_request' });
    const missingGrant = await tokenRequest(world, { client_id: client.client_id });
    expect(await missingGrant.json()).toMatchObject({ error: 'invalid_request' });
    const unknown = await tokenRequest(world, { grant_type: 'password', client_id: client.client_id });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('token endpoint: client authentication', () => {
  const methods = ['none', 'client_secret_basic', 'client_secret_post'] as const;

  it.each(methods)('accepts a client registered for %s authenticating that way', async (method) => {
    const { world } = await newWorld({ as: { tokenAuthMethods: [...methods] } });
    const client = await register(world, { token_endpoint_auth_method: method });
    expect(client.token_endpoint_auth_method).toBe(method);
    const tokens = await codeFlow(world, { client });
    expect(decodeJwt(tokens.access_token).client_id).toBe(client.client_id);
  });

  it.each(methods)('rejects a client registered for %s that authenticates another way', async (method) => {
    const { world } = await newWorld({ as: { tokenAuthMethods: [...methods] } });
    const client = await register(world, { token_endpoint_auth_method: method });
    for (const other of methods.filter((m) => m !== method)) {
      const { code, verifier } = await obtainCode(world, { client });
      const credentials = clientCredentials({ ...client, client_secret: client.client_secret ?? 'guess', token_endpoint_auth_method: other }, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
      });
      const response = await tokenRequest(world, credentials.form, credentials.headers);
      // RFC 6749 §5.2: 401 with a challenge for a client that tried the Authorization header, else 400.
      expect(response.status).toBe(other === 'client_secret_basic' ? 401 : 400);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
      expect(response.headers.get('www-authenticate')?.startsWith('Basic') ?? false).toBe(other === 'client_secret_basic');
    }
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)('rejects a wrong secret with %s', async (method) => {
    const { world } = await newWorld({ as: { tokenAuthMethods: [method] } });
    const client = await register(world, { token_endpoint_auth_method: method });
    const { code, verifier } = await obtainCode(world, { client });
    const credentials = clientCredentials({ ...client, client_secret: 'wrong' }, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    const response = await tokenRequest(world, credentials.form, credentials.headers);
    expect(response.status).toBe(method === 'client_secret_basic' ? 401 : 400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('decodes Basic credentials form-urlencoded (RFC 6749 §2.3.1)', async () => {
    const { world } = await newWorld({ as: { tokenAuthMethods: ['client_secret_basic'], preRegistered: { client_id: 'pre:client id', client_secret: 's3cret/+ =' } } });
    const client = { client_id: 'pre:client id', client_secret: 's3cret/+ =', token_endpoint_auth_method: 'client_secret_basic' };
    const tokens = await codeFlow(world, { client });
    expect(decodeJwt(tokens.access_token).client_id).toBe('pre:client id');
  });

  it('knows the pre-registered client with the first advertised method and any loopback redirect URI', async () => {
    const { world } = await newWorld({ as: { tokenAuthMethods: ['client_secret_post', 'none'], preRegistered: { client_id: 'pre', client_secret: 'sec' } } });
    expect(world.facts.preRegistered).toEqual({ client_id: 'pre', client_secret: 'sec' });
    const tokens = await codeFlow(world, { client: { client_id: 'pre', client_secret: 'sec', token_endpoint_auth_method: 'client_secret_post' } });
    expect(tokens.access_token).toBeTruthy();
  });

  it('knows the CIMD client as a public client', async () => {
    const { world } = await newWorld({ as: { cimd: true } });
    const tokens = await codeFlow(world, { client: { client_id: CONFORMANCE_CIMD_URL, token_endpoint_auth_method: 'none' } });
    expect(decodeJwt(tokens.access_token).client_id).toBe(CONFORMANCE_CIMD_URL);
  });

  it('does not know the CIMD client when CIMD is off', async () => {
    const { world } = await newWorld();
    const response = await requestFor(world, { client_id: CONFORMANCE_CIMD_URL, token_endpoint_auth_method: 'none' });
    expect(response.status).toBe(400);
  });
});
