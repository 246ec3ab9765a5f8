// Every operation of the mock's control API, in both modes, driven over HTTP as a developer's
// scripts would; the mock runs in the test's process on free ports.
import { request as httpRequest } from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { FIXED_INTROSPECTION_CLIENT } from '../../mocks/issuer.js';
import { codeFlow, mcp, refresh, rpc, tokenRequest } from '../mocks/world-helpers.js';
import { api, clientMock, serverMock, waitFor, worldOf } from './support.js';

const INITIALIZE = rpc(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } });
const callTool = rpc(2, 'tools/call', { name: 'test-tool', arguments: {} });

describe('client mode: the world of a scenario', () => {
  it('GET /info names the URLs and ports; GET / is the page, GET /view and /version what it polls', async () => {
    const started = await clientMock();
    const info = await api(started.control, 'GET', '/info');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ service: 'mcp-auth-conformance mock', mode: 'client', scenario: 'auth/metadata-default', specVersion: '2026-07-28' });
    expect(info.body.urls.mcp).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(info.body.urls.prm).toBe(`${new URL(info.body.urls.mcp).origin}/.well-known/oauth-protected-resource/mcp`);
    expect(Object.keys(info.body.ports).sort()).toEqual(['as', 'control', 'rs']);

    const page = await api(started.control, 'GET', '/');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<main id="live">');
    expect(page.body).not.toMatch(/src="http|href="http/);
    const version = (await api(started.control, 'GET', '/version')).body.version;
    await mcp(await worldOf(started), INITIALIZE);
    const moved = await api(started.control, 'GET', '/version');
    expect(moved.body.version).toBeGreaterThan(version);
    expect((await api(started.control, 'GET', '/view')).body).toContain('<svg');
  });

  it('GET /trace gives the exchanges, ?since= the newer ones; POST /reset clears them and ids start again', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    await mcp(world, INITIALIZE);
    const all = await api(started.control, 'GET', '/trace');
    expect(all.body.exchanges.map((e: { role: string }) => e.role)).toEqual(['as-metadata', 'mcp']);
    expect(all.body.last).toBe(2);
    const newer = await api(started.control, 'GET', '/trace?since=1');
    expect(newer.body.exchanges.map((e: { id: number }) => e.id)).toEqual([2]);
    expect((await api(started.control, 'GET', '/trace?since=x')).status).toBe(400);

    const reset = await api(started.control, 'POST', '/reset');
    expect(reset.body).toEqual({ cleared: 2, epoch: 1 });
    await mcp(world, INITIALIZE);
    const after = await api(started.control, 'GET', '/trace');
    expect(after.body).toMatchObject({ epoch: 1, last: 1 });
    expect(after.body.exchanges[0].id).toBe(1);
    expect(started.lines.some((line) => line.includes('trace cleared'))).toBe(true);
  });

  it('POST /token mints a token the resource server accepts; POST /tokens/expire expires it', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const minted = await api(started.control, 'POST', '/token', { scope: 'mcp:read  mcp:write', ttl: 120, sub: 'alice' });
    expect(minted.status).toBe(200);
    expect(minted.body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'mcp:read mcp:write', issuer: started.mock.info().urls.issuer });
    expect((await mcp(world, INITIALIZE, minted.body.access_token)).status).toBe(200);

    expect((await api(started.control, 'POST', '/tokens/expire')).body).toEqual({ expired: true });
    const refused = await mcp(world, INITIALIZE, minted.body.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await api(started.control, 'POST', '/token', { format: 'opaque' })).status).toBe(400);
    expect((await api(started.control, 'POST', '/token', { ttl: 0, colour: 'blue' })).body.mistakes).toEqual([
      'ttl: expected a whole number ≥ 1; got 0',
      'colour: unknown member; the members are scope, ttl, sub, client_id, format',
    ]);
  });

  it('POST /refresh-tokens/revoke revokes every refresh-token family', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const tokens = await codeFlow(world);
    expect((await api(started.control, 'POST', '/refresh-tokens/revoke')).body).toEqual({ revoked: true, families: 1 });
    const answer = await refresh(world, tokens.client.client_id, tokens.refresh_token!, { resource: world.facts.canonicalResource });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('POST /refresh-tokens/revoke {"refresh_token"} revokes that token\'s family alone; an unknown token is 404', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const signedOut = await codeFlow(world);
    const kept = await codeFlow(world, { client: signedOut.client });
    const resource = { resource: world.facts.canonicalResource };
    // A superseded token names its family as well as the current one does.
    const rotated = await refresh(world, signedOut.client.client_id, signedOut.refresh_token!, resource);
    expect(rotated.status).toBe(200);
    const revoked = await api(started.control, 'POST', '/refresh-tokens/revoke', { refresh_token: signedOut.refresh_token });
    expect(revoked.body).toEqual({ revoked: true, families: 1 });
    expect((await refresh(world, signedOut.client.client_id, rotated.body.refresh_token as string, resource)).status).toBe(400);
    expect((await refresh(world, kept.client.client_id, kept.refresh_token!, resource)).status).toBe(200);

    const unknown = await api(started.control, 'POST', '/refresh-tokens/revoke', { refresh_token: 'not-a-token-of-this-world' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no refresh token of this world has that value');
    expect((await api(started.control, 'POST', '/refresh-tokens/revoke', { refresh_token: 7 })).status).toBe(400);
  });

  it('POST /keys/rotate signs with a new key, and {"withdraw":true} takes the old ones off the JWKS', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const before = (await api(started.control, 'POST', '/token')).body.access_token as string;
    const rotated = await api(started.control, 'POST', '/keys/rotate');
    expect(rotated.body.kids).toHaveLength(1);
    expect(rotated.body.withdrawn).toBe(false);
    const after = (await api(started.control, 'POST', '/token')).body.access_token as string;
    expect(decodeProtectedHeader(after).kid).toBe(rotated.body.kids[0]);
    expect((await mcp(world, INITIALIZE, before)).status).toBe(200);

    const withdrawn = await api(started.control, 'POST', '/keys/rotate', { withdraw: true });
    expect(withdrawn.body.withdrawn).toBe(true);
    const jwks = (await (await fetch(world.facts.endpoints.jwks)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual(withdrawn.body.kids);
    expect((await mcp(world, INITIALIZE, after)).status).toBe(401);
    expect((await api(started.control, 'POST', '/keys/rotate', { withdraw: 'yes' })).status).toBe(400);
  });

  it('POST /faults answers the next requests of a role with a 5xx or 429, or delays them; GET and DELETE /faults', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const added = await api(started.control, 'POST', '/faults', { role: 'token', status: 503, count: 2 });
    expect(added.status).toBe(201);
    expect(added.body.fault).toMatchObject({ role: 'token', status: 503, count: 2, remaining: 2 });
    const form = { grant_type: 'client_credentials' };
    expect((await tokenRequest(world, form)).status).toBe(503);
    expect((await api(started.control, 'GET', '/faults')).body.faults[0].remaining).toBe(1);
    expect((await tokenRequest(world, form)).status).toBe(503);
    expect((await tokenRequest(world, form)).status).toBe(400);
    expect((await api(started.control, 'GET', '/faults')).body.faults).toEqual([]);

    await api(started.control, 'POST', '/faults', { role: 'mcp', status: 429, retryAfter: 7 });
    const limited = await mcp(world, INITIALIZE);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');

    await api(started.control, 'POST', '/faults', { role: 'mcp', latencyMs: 300, count: 3 });
    const began = performance.now();
    // Only a lower bound: a delay can be longer on a busy machine, never shorter.
    expect((await mcp(world, INITIALIZE)).status).toBe(401);
    expect(performance.now() - began).toBeGreaterThanOrEqual(290);
    expect((await api(started.control, 'GET', '/faults')).body.faults).toMatchObject([{ role: 'mcp', latencyMs: 300, remaining: 2 }]);
    expect((await api(started.control, 'DELETE', '/faults')).body).toEqual({ cleared: 1 });
    expect((await api(started.control, 'GET', '/faults')).body.faults).toEqual([]);

    const wrong = await api(started.control, 'POST', '/faults', { role: 'introspection', status: 404, count: 0 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.mistakes).toEqual([
      'role: expected one of mcp, prm, as-metadata, authorize, token, register, jwks; got "introspection"',
      'status: expected 429 or a status from 500 to 599; got 404',
      'count: expected a whole number ≥ 1; got 0',
    ]);
    expect((await api(started.control, 'POST', '/faults', { role: 'token' })).body.error).toBe('give status (429 or a 5xx), latencyMs, or both');
  });

  it('GET and PATCH /knobs reconfigure the world live, refusing mistakes with 400 and every line', async () => {
    const started = await clientMock();
    const knobs = await api(started.control, 'GET', '/knobs');
    expect(knobs.body.knobs.as.refreshPolicy).toBeUndefined();
    const patched = await api(started.control, 'PATCH', '/knobs', { as: { refreshPolicy: 'grace-same' }, prm: { scopesSupported: ['mcp:read'] } });
    expect(patched.status).toBe(200);
    expect(patched.body.knobs.as.refreshPolicy).toBe('grace-same');
    const prm = (await (await fetch(started.mock.info().urls.prm)).json()) as { scopes_supported?: string[] };
    expect(prm.scopes_supported).toEqual(['mcp:read']);
    expect(started.lines.some((line) => line.includes('knobs changed (PATCH /knobs: as, prm)'))).toBe(true);

    const refused = await api(started.control, 'PATCH', '/knobs', { as: { refreshPolicy: 'gracee', registration: 'no' }, world: 'auth/metadata-var1' });
    expect(refused.status).toBe(400);
    expect(refused.body.mistakes).toEqual([
      'as.refreshPolicy: expected one of strict, grace-same, grace-sibling, latest-wins, no-invalidation; got "gracee" (did you mean grace-same?)',
      'as.registration: expected true or false; got "no"',
      'world: the base world is chosen when the mock starts (--world or the config file), not changed while it runs',
    ]);
    expect(refused.body.error).toContain('as.refreshPolicy');
    expect((await api(started.control, 'GET', '/knobs')).body.knobs.as.refreshPolicy).toBe('grace-same');
    expect((await api(started.control, 'PATCH', '/knobs', '{"as":')).body.error).toMatch(/^the body is not JSON/);
  });

  it('POST /step-up makes a tool need a scope, and takes it away with scope null', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const token = (await api(started.control, 'POST', '/token', { scope: 'mcp:read' })).body.access_token as string;
    expect((await mcp(world, callTool, token)).status).toBe(200);
    const stepped = await api(started.control, 'POST', '/step-up', { tool: 'test-tool', scope: 'mcp:admin' });
    expect(stepped.body).toEqual({ toolScopes: { 'test-tool': ['mcp:admin'] } });
    const denied = await mcp(world, callTool, token);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/insufficient_scope.*scope="mcp:admin"/);
    const admin = (await api(started.control, 'POST', '/token', { scope: 'mcp:admin' })).body.access_token as string;
    expect((await mcp(world, callTool, admin)).status).toBe(200);
    expect((await api(started.control, 'POST', '/step-up', { tool: 'test-tool', scope: null })).body).toEqual({ toolScopes: {} });
    expect((await mcp(world, callTool, token)).status).toBe(200);
    expect((await api(started.control, 'POST', '/step-up', { scope: 'x' })).body.mistakes).toEqual(['tool: missing']);
  });

  it('GET /verdicts judges the scenario\'s checks on the trace so far', async () => {
    const started = await clientMock();
    const world = await worldOf(started);
    const empty = await api(started.control, 'GET', '/verdicts');
    expect(empty.body).toMatchObject({ scenario: 'auth/metadata-default', specVersion: '2026-07-28', strict: false });
    expect(empty.body.verdicts.filter((v: { status: string }) => v.status === 'fail' || v.status === 'warn')).toEqual([]);
    const tokens = await codeFlow(world, { resource: null });
    expect(tokens.access_token).toBeTruthy();
    const judged = await api(started.control, 'GET', '/verdicts');
    const byId = new Map<string, { status: string; evidence: number[] }>(judged.body.verdicts.map((v: { id: string }) => [v.id, v]));
    expect(byId.get('resource-in-token-request')?.status).toBe('fail');
    expect(byId.get('pkce-s256')?.status).toBe('pass');
    expect(typeof judged.body.judgedInMs).toBe('number');
  });

  it('answers what is not an operation with a JSON error, and refuses other web pages and hosts', async () => {
    const started = await clientMock();
    const unknown = await api(started.control, 'GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/^no operation GET \/nope; the operations are GET \/, /);
    const method = await api(started.control, 'POST', '/trace');
    expect(method.status).toBe(405);
    expect(method.body.error).toBe('POST /trace is not an operation; GET /trace is');
    const serverOnly = await api(started.control, 'POST', '/tokens/revoke', { token: 'opaque-x' });
    expect(serverOnly.status).toBe(404);
    expect(serverOnly.body.error).toContain('server-mode mock');

    const foreign = await api(started.control, 'POST', '/reset', undefined, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const port = Number(new URL(started.control).port);
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/info', headers: { host: `attacker.example:${port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(rebound).toBe(403);
    expect((await api(started.control, 'GET', '/trace')).body.exchanges).toEqual([]);
  });
});

describe('server mode: an authorization server for the developer\'s resource', () => {
  const resource = 'http://localhost:3000/mcp';

  it('GET /info names the issuer, its endpoints and the fixed introspection client', async () => {
    const started = await serverMock(resource);
    const info = (await api(started.control, 'GET', '/info')).body;
    expect(info).toMatchObject({ mode: 'server', resource, introspectionClient: FIXED_INTROSPECTION_CLIENT });
    expect(info.urls.metadata).toBe(`${info.urls.issuer}/.well-known/oauth-authorization-server`);
    const metadata = (await (await fetch(info.urls.metadata)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: info.urls.issuer, jwks_uri: info.urls.jwks, introspection_endpoint: info.urls.introspection });
  });

  it('POST /token mints JWTs for the resource, verifiable with the JWKS; POST /keys/rotate changes and withdraws keys', async () => {
    const started = await serverMock(resource);
    const { urls } = started.mock.info();
    const jwks = createRemoteJWKSet(new URL(urls.jwks), { cacheMaxAge: 0, cooldownDuration: 0 });
    const minted = (await api(started.control, 'POST', '/token', { scope: 'mcp:read mcp:write', sub: 'alice' })).body;
    expect(minted).toMatchObject({ token_type: 'Bearer', expires_in: 3600, format: 'jwt' });
    const { payload } = await jwtVerify(minted.access_token, jwks, { issuer: urls.issuer, audience: resource, typ: 'at+jwt' });
    expect(payload).toMatchObject({ scope: 'mcp:read mcp:write', sub: 'alice' });

    const rotated = (await api(started.control, 'POST', '/keys/rotate')).body;
    const next = (await api(started.control, 'POST', '/token')).body.access_token as string;
    expect(decodeProtectedHeader(next).kid).toBe(rotated.kids[0]);
    await jwtVerify(minted.access_token, jwks, { issuer: urls.issuer, audience: resource });
    await api(started.control, 'POST', '/keys/rotate', { withdraw: true });
    const published = (await (await fetch(urls.jwks)).json()) as { keys: unknown[] };
    expect(published.keys).toHaveLength(1);
    await expect(jwtVerify(next, createRemoteJWKSet(new URL(urls.jwks)), { issuer: urls.issuer, audience: resource })).rejects.toThrow();
  });

  it('POST /token {"format":"opaque"} is described by introspection until POST /tokens/revoke', async () => {
    const started = await serverMock(resource);
    const { urls } = started.mock.info();
    const token = (await api(started.control, 'POST', '/token', { format: 'opaque', scope: 'mcp:read' })).body.access_token as string;
    const introspect = async (): Promise<Record<string, unknown>> => {
      const basic = Buffer.from(`${FIXED_INTROSPECTION_CLIENT.id}:${FIXED_INTROSPECTION_CLIENT.secret}`).toString('base64');
      const response = await fetch(urls.introspection, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
      return (await response.json()) as Record<string, unknown>;
    };
    expect(await introspect()).toMatchObject({ active: true, aud: resource, scope: 'mcp:read' });
    expect((await api(started.control, 'POST', '/tokens/revoke', { token })).body).toEqual({ revoked: true });
    expect(await introspect()).toEqual({ active: false });
    const jwt = (await api(started.control, 'POST', '/token')).body.access_token as string;
    expect((await api(started.control, 'POST', '/tokens/revoke', { token: jwt })).status).toBe(400);

    const trace = (await api(started.control, 'GET', '/trace')).body.exchanges as Array<{ role: string; actor: string }>;
    expect(trace.map((e) => [e.role, e.actor])).toEqual([['introspection', 'server'], ['introspection', 'server']]);
    expect(started.lines.filter((line) => / introspection$/.test(line))).toHaveLength(2);
  });

  it('POST /faults applies to the issuer\'s roles (a JWKS outage); client-mode operations answer 404', async () => {
    const started = await serverMock(resource);
    const { urls } = started.mock.info();
    await api(started.control, 'POST', '/faults', { role: 'jwks', status: 503 });
    expect((await fetch(urls.jwks)).status).toBe(503);
    expect((await fetch(urls.jwks)).status).toBe(200);
    expect((await api(started.control, 'POST', '/faults', { role: 'mcp', status: 503 })).status).toBe(400);
    for (const [method, path] of [['GET', '/verdicts'], ['GET', '/knobs'], ['PATCH', '/knobs'], ['POST', '/tokens/expire'], ['POST', '/refresh-tokens/revoke'], ['POST', '/step-up']]) {
      const answer = await api(started.control, method, path, method === 'GET' ? undefined : {});
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error).toBe(`${method} ${path} is an operation of the client-mode mock (started without --resource); this is the server-mode mock (started with --resource)`);
    }
    const page = await api(started.control, 'GET', '/');
    expect(page.body).toContain('authorization server for http://localhost:3000/mcp');
    await waitFor(async () => (await api(started.control, 'GET', '/version')).body.version >= 2, 'the version to count the JWKS fetches');
  });
});
