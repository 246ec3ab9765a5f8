import { describe, expect, it } from 'vitest';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

describe('2025-03-26 worlds', () => {
  it('serve RFC 8414 metadata at the MCP origin root with endpoints under /oauth', async () => {
    const { world } = await newWorld({ legacy: 'metadata-at-root' });
    const R = world.facts.rsOrigin;
    expect(world.facts).toMatchObject({
      issuer: R,
      asOrigin: R,
      asMetadataUrls: [`${R}/.well-known/oauth-authorization-server`],
      asMetadataProbeOrder: [`${R}/.well-known/oauth-authorization-server`],
      endpoints: { authorize: `${R}/oauth/authorize`, token: `${R}/oauth/token`, register: `${R}/oauth/register`, jwks: `${R}/oauth/jwks` },
    });
    expect(world.facts.prmUrl).toBeUndefined();
    expect(world.origins).toEqual([R]);
    const document = (await (await fetch(`${R}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(document).toMatchObject({ issuer: R, authorization_endpoint: `${R}/oauth/authorize`, token_endpoint: `${R}/oauth/token` });
    expect((await fetch(`${R}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
    expect((await fetch(`${R}/authorize`)).status).toBe(404);
    expect((await mcp(world, rpc(1, 'initialize'))).headers.get('www-authenticate')).toBe('Bearer realm="mcp"');

    const { access_token } = await codeFlow(world);
    expect((await mcp(world, rpc(1, 'initialize'), access_token)).status).toBe(200);
  });

  it('serve the default endpoints at the MCP origin root with no metadata', async () => {
    const { world } = await newWorld({ legacy: 'default-endpoints' });
    const R = world.facts.rsOrigin;
    expect(world.facts.asMetadataUrls).toEqual([]);
    expect(world.facts.asMetadataProbeOrder).toEqual([`${R}/.well-known/oauth-authorization-server`]);
    expect(world.facts.endpoints).toMatchObject({ authorize: `${R}/authorize`, token: `${R}/token`, register: `${R}/register` });
    expect((await fetch(`${R}/.well-known/oauth-authorization-server`)).status).toBe(404);
    const { access_token } = await codeFlow(world);
    expect((await mcp(world, rpc(1, 'tools/list'), access_token)).status).toBe(200);
  });
});
