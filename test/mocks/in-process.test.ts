import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knobs } from '../../mocks/knobs.js';
import { createWorldHandlers } from '../../mocks/world-handlers.js';

// The same handlers the loopback world serves, intercepted in-process on made-up origins.
const world = await createWorldHandlers(knobs({ rs: { challengeScope: 'mcp' } }), { rsOrigin: 'http://rs.test', asOrigin: 'http://as.test' });
const server = setupServer(...world.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('world handlers in-process', () => {
  it('answer discovery and the MCP challenge without any listener', async () => {
    const challenge = await fetch('http://rs.test/mcp', { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toBe('Bearer resource_metadata="http://rs.test/.well-known/oauth-protected-resource/mcp", scope="mcp"');
    const prm = (await (await fetch(world.layout.prmUrl!)).json()) as Record<string, unknown>;
    expect(prm.authorization_servers).toEqual(['http://as.test']);
    const metadata = (await (await fetch('http://as.test/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(metadata.token_endpoint).toBe('http://as.test/token');
  });
});

describe('world handlers in-process with a second authorization server', () => {
  it('need an origin for it, and then serve it', async () => {
    const twoServers = knobs({ prm: { authorizationServer: 'second' } });
    twoServers.as2 = {};
    await expect(createWorldHandlers(twoServers, { rsOrigin: 'http://rs.test', asOrigin: 'http://as.test' })).rejects.toThrow(/no origin/);
    const built = await createWorldHandlers(twoServers, { rsOrigin: 'http://rs2.test', asOrigin: 'http://as1.test', as2Origin: 'http://as2.test' });
    expect(built.secondAuthorizationServer?.issuer).toBe('http://as2.test');
    server.use(...built.handlers);
    try {
      const prm = (await (await fetch('http://rs2.test/.well-known/oauth-protected-resource/mcp')).json()) as Record<string, unknown>;
      expect(prm.authorization_servers).toEqual(['http://as2.test']);
      const metadata = (await (await fetch('http://as2.test/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
      expect(metadata.token_endpoint).toBe('http://as2.test/token');
    } finally {
      server.resetHandlers();
    }
  });
});
