// The one world knob the step-up retry-limit scenarios needed: as.grantableScopes, the scopes a user
// can consent to. Driven over loopback like a client would, so the token the resource server sees
// is the one judged.
import { describe, expect, it } from 'vitest';
import { grantedScope } from '../../mocks/authorization-server/authorize.js';
import { codeFlow, mcp, newWorld, refresh, rpc } from '../mocks/world-helpers.js';

describe('as.grantableScopes', () => {
  it('grants only the requested scopes it lists, in request order, and nothing when none is left', () => {
    expect(grantedScope('mcp:admin mcp:basic', ['mcp:basic'])).toBe('mcp:basic');
    expect(grantedScope('b a c', ['a', 'b'])).toBe('b a');
    expect(grantedScope('mcp:admin', ['mcp:basic'])).toBeUndefined();
    expect(grantedScope(null, ['mcp:basic'])).toBeUndefined();
  });

  it('grants whatever was requested when absent (the default)', () => {
    expect(grantedScope('mcp:admin mcp:basic', undefined)).toBe('mcp:admin mcp:basic');
    expect(grantedScope(null, undefined)).toBeUndefined();
  });

  it('makes a step-up for an ungrantable scope fail at the resource server, refresh included', async () => {
    const { world } = await newWorld({ as: { grantableScopes: ['mcp:basic'] }, rs: { toolScopes: { 'test-tool': ['mcp:admin'] } } });
    const tokens = await codeFlow(world, { scope: 'mcp:basic mcp:admin' });
    expect(tokens.scope).toBe('mcp:basic');
    const call = await mcp(world, rpc(1, 'tools/call', { name: 'test-tool', arguments: {} }), tokens.access_token);
    expect(call.status).toBe(403);
    const refreshed = await refresh(world, tokens.client.client_id, tokens.refresh_token!, { scope: 'mcp:basic mcp:admin' });
    expect(refreshed.body.error).toBe('invalid_scope');
  });

  it('refuses an authorization none of whose requested scopes can be granted, rather than grant nothing silently', async () => {
    const { world } = await newWorld({ as: { grantableScopes: ['mcp:basic'] } });
    await expect(codeFlow(world, { scope: 'mcp:admin' })).rejects.toThrow(/no code in .*error=invalid_scope/);
  });

  it('leaves a world without it unchanged', async () => {
    const { world } = await newWorld();
    expect((await codeFlow(world, { scope: 'mcp:basic mcp:admin' })).scope).toBe('mcp:basic mcp:admin');
  });
});
