import { describe, expect, it } from 'vitest';
import { generateSigningKey, mintAccessToken } from '../../mocks/tokens.js';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

describe('MCP endpoint without a token', () => {
  it('challenges with resource_metadata and scope, without an error code', async () => {
    const { world } = await newWorld({ rs: { challengeScope: 'mcp:read mcp:write' } });
    const response = await mcp(world, rpc(1, 'initialize'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${world.facts.prmUrl}", scope="mcp:read mcp:write"`);
    expect(world.facts.challengeScope).toBe('mcp:read mcp:write');
  });

  it('names the custom PRM URL, which only the challenge reveals', async () => {
    const { world } = await newWorld({ prm: { location: 'custom' } });
    const response = await mcp(world, rpc(1, 'initialize'));
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${world.facts.rsOrigin}/custom/metadata/location.json"`);
  });

  it('leaves resource_metadata out when PRM is not advertised or absent', async () => {
    const quiet = await newWorld({ prm: { advertise: false }, rs: { challengeScope: 'x' } });
    expect((await mcp(quiet.world, rpc(1, 'initialize'))).headers.get('www-authenticate')).toBe('Bearer scope="x"');
    const none = await newWorld({ prm: { location: 'none' } });
    expect((await mcp(none.world, rpc(1, 'initialize'))).headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
  });

  it('ignores a token in the query string', async () => {
    const { world } = await newWorld();
    const { access_token } = await codeFlow(world);
    const response = await mcp(world, rpc(1, 'initialize'), undefined, { url: `${world.facts.mcpUrl}?access_token=${access_token}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toContain('error=');
  });

  it('serves public methods without a token, but not a batch that mixes in others', async () => {
    const { world } = await newWorld({ rs: { publicMethods: ['initialize', 'notifications/initialized'] } });
    expect((await mcp(world, rpc(1, 'initialize'))).status).toBe(200);
    expect((await mcp(world, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    expect((await mcp(world, rpc(2, 'tools/list'))).status).toBe(401);
    expect((await mcp(world, [rpc(1, 'initialize'), rpc(2, 'tools/list')])).status).toBe(401);
    expect((await mcp(world, { jsonrpc: '2.0', method: 'notifications/cancelled' })).status).toBe(401);
  });
});

describe('MCP endpoint with an invalid token', () => {
  async function challengeFor(token: string, overrides = {}) {
    const { world } = await newWorld(overrides);
    const response = await mcp(world, rpc(1, 'initialize'), token);
    return { world, status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
  }

  function expectInvalidToken(result: { world: { facts: { prmUrl?: string } }; status: number; challenge: string }, claim: RegExp) {
    expect(result.status).toBe(401);
    expect(result.challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/);
    expect(result.challenge).toContain(`resource_metadata="${result.world.facts.prmUrl}"`);
    expect(/error_description="([^"]+)"/.exec(result.challenge)![1]).toMatch(claim);
  }

  it('refuses a token without the resource as audience', async () => {
    const { world } = await newWorld();
    const { access_token } = await codeFlow(world, { resource: null });
    const response = await mcp(world, rpc(1, 'initialize'), access_token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="aud: /);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('refuses an expired token', async () => {
    const { world } = await newWorld({ as: { accessTokenTtlSeconds: 0 } });
    const { access_token } = await codeFlow(world);
    const response = await mcp(world, rpc(1, 'initialize'), access_token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="exp: /);
  });

  it('refuses a token signed with another key', async () => {
    const { world } = await newWorld();
    const forged = await mintAccessToken(await generateSigningKey(), {
      iss: world.facts.issuer,
      sub: 'conformance-user',
      aud: world.facts.canonicalResource,
      client_id: 'x',
      ttlSeconds: 60,
    });
    const response = await mcp(world, rpc(1, 'initialize'), forged);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error_description="signature: /);
  });

  it('refuses a tampered token and something that is not a JWT', async () => {
    const { world } = await newWorld();
    const { access_token } = await codeFlow(world);
    const [header, payload, signature] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url'), signature].join('.');
    expect((await mcp(world, rpc(1, 'initialize'), tampered)).headers.get('www-authenticate')).toMatch(/error_description="signature: /);
    expectInvalidToken(await challengeFor('not-a-jwt'), /not a valid JWT/);
  });
});

describe('MCP endpoint with a valid token', () => {
  it('answers initialize, server/discover, ping, tools/list, tools/call and unknown methods', async () => {
    const { world } = await newWorld({ rs: { toolScopes: { 'admin-tool': ['admin'] } } });
    const { access_token } = await codeFlow(world);
    const call = async (message: unknown) => {
      const response = await mcp(world, message, access_token, { headers: { 'mcp-session-id': 'whatever', 'mcp-protocol-version': '2025-06-18' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      return (await response.json()) as Record<string, unknown>;
    };
    const description = { capabilities: { tools: {} }, serverInfo: { name: 'mcp-auth-conformance-mock', version: '0.1.0' } };
    expect(await call(rpc(1, 'initialize', { protocolVersion: '2025-06-18' }))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { protocolVersion: '2025-06-18', ...description },
    });
    expect(await call(rpc(2, 'server/discover'))).toEqual({ jsonrpc: '2.0', id: 2, result: { protocolVersion: '2025-11-25', ...description } });
    expect(await call(rpc(3, 'ping'))).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
    const list = (await call(rpc(4, 'tools/list'))).result as { tools: { name: string; inputSchema: unknown }[] };
    expect(list.tools.map((t) => t.name)).toEqual(['test-tool', 'admin-tool']);
    expect(list.tools[0].inputSchema).toEqual({ type: 'object', properties: {} });
    expect(await call(rpc(5, 'tools/call', { name: 'test-tool', arguments: {} }))).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: { content: [{ type: 'text', text: 'ok' }] },
    });
    expect(await call(rpc(6, 'resources/list'))).toMatchObject({ jsonrpc: '2.0', id: 6, error: { code: -32601 } });
  });

  it('answers a batch with an array, skipping notifications, and notifications alone with 202', async () => {
    const { world } = await newWorld();
    const { access_token } = await codeFlow(world);
    const batch = await mcp(world, [rpc(1, 'initialize'), { jsonrpc: '2.0', method: 'notifications/initialized' }, rpc(2, 'ping')], access_token);
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as { id: number }[]).map((m) => m.id)).toEqual([1, 2]);
    const notification = await mcp(world, { jsonrpc: '2.0', method: 'notifications/initialized' }, access_token);
    expect(notification.status).toBe(202);
    expect(await notification.text()).toBe('');
    const garbage = await mcp(world, '{not json', access_token);
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('answers 403 insufficient_scope for a tool whose scopes the token lacks', async () => {
    const { world } = await newWorld({ rs: { toolScopes: { 'admin-tool': ['admin', 'write'] } } });
    const narrow = await codeFlow(world, { scope: 'read' });
    const denied = await mcp(world, rpc(1, 'tools/call', { name: 'admin-tool' }), narrow.access_token);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="admin write", resource_metadata="${world.facts.prmUrl}"`);
    expect((await mcp(world, rpc(2, 'tools/call', { name: 'test-tool' }), narrow.access_token)).status).toBe(200);
    expect((await mcp(world, rpc(3, 'tools/list'), narrow.access_token)).status).toBe(200);

    const wide = await codeFlow(world, { scope: 'read admin write' });
    expect((await mcp(world, rpc(4, 'tools/call', { name: 'admin-tool' }), wide.access_token)).status).toBe(200);
  });

  it.each(['GET', 'DELETE'])('answers %s with 405 and Allow: POST', async (method) => {
    const { world } = await newWorld();
    const { access_token } = await codeFlow(world);
    for (const headers of [{}, { authorization: `Bearer ${access_token}` }] as Record<string, string>[]) {
      const response = await fetch(world.facts.mcpUrl, { method, headers });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('serves the MCP endpoint at a configured path', async () => {
    const { world } = await newWorld({ rs: { mcpPath: '/v1/mcp' } });
    expect(world.facts.mcpUrl).toBe(`${world.facts.rsOrigin}/v1/mcp`);
    expect(world.facts.prmUrl).toBe(`${world.facts.rsOrigin}/.well-known/oauth-protected-resource/v1/mcp`);
    const { access_token } = await codeFlow(world);
    expect((await mcp(world, rpc(1, 'ping'), access_token)).status).toBe(200);
    expect((await fetch(`${world.facts.rsOrigin}/mcp`, { method: 'POST' })).status).toBe(404);
  });
});
