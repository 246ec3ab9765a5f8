import { describe, expect, it } from 'vitest';
import { knobs } from '../../mocks/knobs.js';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

const cacheControlOf = async (url: string) => (await fetch(url)).headers.get('cache-control');

describe('Cache-Control on discovery documents', () => {
  it('is absent by default', async () => {
    const { world } = await newWorld();
    expect(await cacheControlOf(world.facts.prmUrl!)).toBeNull();
    expect(await cacheControlOf(world.facts.asMetadataUrls[0])).toBeNull();
  });

  it('is set on the PRM and on every metadata form from the knobs', async () => {
    const { world } = await newWorld({
      prm: { cacheControl: 'max-age=2' },
      as: { metadataCacheControl: 'no-store', issuerPath: '/t', metadata: ['oauth', 'oidc-inserted', 'oidc-appended'] },
    });
    expect(await cacheControlOf(world.facts.prmUrl!)).toBe('max-age=2');
    expect(world.facts.asMetadataUrls).toHaveLength(3);
    for (const url of world.facts.asMetadataUrls) expect(await cacheControlOf(url)).toBe('no-store');
  });

  it('changes between runs with a reconfiguration', async () => {
    const { world } = await newWorld({ prm: { cacheControl: 'max-age=3600' } });
    await world.reconfigure(knobs({ prm: { cacheControl: 'max-age=0' }, as: { metadataCacheControl: 'max-age=60' } }));
    expect(await cacheControlOf(world.facts.prmUrl!)).toBe('max-age=0');
    expect(await cacheControlOf(world.facts.asMetadataUrls[0])).toBe('max-age=60');
  });
});

describe('rs.resourceMetadataPath', () => {
  it('names R + path in every challenge and serves the PRM there as well', async () => {
    const { world, recorder } = await newWorld({ rs: { resourceMetadataPath: '/metadata/v2/prm.json', toolScopes: { admin: ['admin'] } } });
    const R = world.facts.rsOrigin;
    const moved = `${R}/metadata/v2/prm.json`;
    expect(world.facts.prmUrl).toBe(moved);

    expect((await mcp(world, rpc(1, 'ping'))).headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${moved}"`);
    expect((await mcp(world, rpc(2, 'ping'), 'not-a-jwt')).headers.get('www-authenticate')).toContain(`resource_metadata="${moved}"`);
    const { access_token } = await codeFlow(world);
    expect((await mcp(world, rpc(3, 'tools/call', { name: 'admin' }), access_token)).headers.get('www-authenticate')).toContain(`resource_metadata="${moved}"`);

    const atMoved = (await (await fetch(moved)).json()) as Record<string, unknown>;
    const atWellKnown = (await (await fetch(`${R}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(atMoved).toEqual(atWellKnown);
    expect(atMoved.resource).toBe(world.facts.canonicalResource);
    expect(recorder.exchanges.filter((e) => e.server === 'rs' && e.request.method === 'GET').map((e) => [e.request.url, e.role])).toEqual([
      [moved, 'prm'],
      [`${R}/.well-known/oauth-protected-resource/mcp`, 'prm'],
    ]);
  });

  it('can be switched on between runs, so the next challenge names a new PRM URL', async () => {
    const { world } = await newWorld();
    const R = world.facts.rsOrigin;
    const original = world.facts.prmUrl!;
    expect((await fetch(`${R}/v2/prm`)).status).toBe(404);

    await world.reconfigure(knobs({ rs: { resourceMetadataPath: '/v2/prm' } }));
    expect(world.facts.prmUrl).toBe(`${R}/v2/prm`);
    expect((await mcp(world, rpc(1, 'ping'))).headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${R}/v2/prm"`);
    expect((await fetch(`${R}/v2/prm`)).status).toBe(200);
    expect((await fetch(original)).status).toBe(200);
  });

  it('is not named when the PRM is not advertised', async () => {
    const { world } = await newWorld({ prm: { advertise: false }, rs: { resourceMetadataPath: '/p' } });
    expect((await mcp(world, rpc(1, 'ping'))).headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
    expect((await fetch(`${world.facts.rsOrigin}/p`)).status).toBe(200);
  });
});
