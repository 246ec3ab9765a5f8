import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CIMD_URL } from '../../mocks/knobs.js';
import { newWorld } from './world-helpers.js';

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('protected resource metadata', () => {
  it('is served at the path-inserted location by default, and nowhere else', async () => {
    const { world } = await newWorld({ prm: { scopesSupported: ['mcp:read', 'mcp:write'] } });
    const { rsOrigin, mcpUrl, issuer, prmUrl } = world.facts;
    expect(prmUrl).toBe(`${rsOrigin}/.well-known/oauth-protected-resource/mcp`);
    const response = await fetch(prmUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      resource: mcpUrl,
      authorization_servers: [issuer],
      scopes_supported: ['mcp:read', 'mcp:write'],
      bearer_methods_supported: ['header'],
    });
    expect(world.facts.scopesSupported).toEqual(['mcp:read', 'mcp:write']);
    expect(await status(`${rsOrigin}/.well-known/oauth-protected-resource`)).toBe(404);
    expect(await status(`${rsOrigin}/.well-known/oauth-authorization-server`)).toBe(404);
    expect(await status(`${rsOrigin}/custom/metadata/location.json`)).toBe(404);
  });

  it('is served at the root location', async () => {
    const { world } = await newWorld({ prm: { location: 'root' } });
    const { rsOrigin } = world.facts;
    expect(world.facts.prmUrl).toBe(`${rsOrigin}/.well-known/oauth-protected-resource`);
    expect(await status(world.facts.prmUrl!)).toBe(200);
    expect(await status(`${rsOrigin}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
  });

  it('names, as RFC 9728 §3.3 requires, the identifier its URL was built from: the origin at the root, unless the challenge names it', async () => {
    const probed = (await newWorld({ prm: { location: 'root', advertise: false } })).world;
    expect(await (await fetch(probed.facts.prmUrl!)).json()).toMatchObject({ resource: probed.facts.rsOrigin });
    expect(probed.facts.prmResource).toBe(probed.facts.rsOrigin);
    // Reached through resource_metadata, it names the URL whose request drew the challenge.
    const named = (await newWorld({ prm: { location: 'root', advertise: true } })).world;
    expect(await (await fetch(named.facts.prmUrl!)).json()).toMatchObject({ resource: named.facts.mcpUrl });
    expect(named.facts.prmResource).toBeUndefined();
  });

  it('is served at a custom location reachable only through the challenge', async () => {
    const { world } = await newWorld({ prm: { location: 'custom' } });
    const { rsOrigin } = world.facts;
    expect(world.facts.prmUrl).toBe(`${rsOrigin}/custom/metadata/location.json`);
    expect(await status(world.facts.prmUrl!)).toBe(200);
    expect(await status(`${rsOrigin}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
    expect(await status(`${rsOrigin}/.well-known/oauth-protected-resource`)).toBe(404);
  });

  it('is absent when the location is none', async () => {
    const { world } = await newWorld({ prm: { location: 'none', scopesSupported: ['x'] } });
    expect(world.facts.prmUrl).toBeUndefined();
    expect(world.facts.scopesSupported).toBeUndefined();
    expect(await status(`${world.facts.rsOrigin}/.well-known/oauth-protected-resource/mcp`)).toBe(404);
    expect(await status(`${world.facts.rsOrigin}/.well-known/oauth-protected-resource`)).toBe(404);
  });

  it('names a resource on another origin for the PRM-C-04 trap', async () => {
    const { world } = await newWorld({ prm: { resource: 'other-origin' } });
    const document = (await (await fetch(world.facts.prmUrl!)).json()) as Record<string, unknown>;
    expect(document.resource).toBe('https://evil.example.com/mcp');
    expect(document).not.toHaveProperty('scopes_supported');
  });
});

describe('authorization server metadata', () => {
  it('serves RFC 8414 metadata for an issuer without a path', async () => {
    const { world } = await newWorld();
    const { asOrigin, issuer } = world.facts;
    expect(issuer).toBe(asOrigin);
    expect(asOrigin).not.toBe(world.facts.rsOrigin);
    expect(world.facts.asMetadataUrls).toEqual([`${asOrigin}/.well-known/oauth-authorization-server`]);
    expect(world.facts.asMetadataProbeOrder).toEqual([
      `${asOrigin}/.well-known/oauth-authorization-server`,
      `${asOrigin}/.well-known/openid-configuration`,
    ]);
    const response = await fetch(world.facts.asMetadataUrls[0]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      registration_endpoint: `${issuer}/register`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(await status(`${asOrigin}/.well-known/openid-configuration`)).toBe(404);
    expect(await status(`${asOrigin}/.well-known/oauth-protected-resource`)).toBe(404);
  });

  it('places every form correctly for an issuer with a path', async () => {
    const { world } = await newWorld({ as: { issuerPath: '/tenant1', metadata: ['oidc-appended', 'oauth', 'oidc-inserted'] } });
    const A = world.facts.asOrigin;
    expect(world.facts.issuer).toBe(`${A}/tenant1`);
    const probeOrder = [
      `${A}/.well-known/oauth-authorization-server/tenant1`,
      `${A}/.well-known/openid-configuration/tenant1`,
      `${A}/tenant1/.well-known/openid-configuration`,
    ];
    expect(world.facts.asMetadataProbeOrder).toEqual(probeOrder);
    expect(world.facts.asMetadataUrls).toEqual(probeOrder);
    for (const url of probeOrder) {
      const document = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(document.issuer).toBe(`${A}/tenant1`);
      expect(document.token_endpoint).toBe(`${A}/tenant1/token`);
    }
    const oidc = (await (await fetch(probeOrder[1])).json()) as Record<string, unknown>;
    expect(oidc.subject_types_supported).toEqual(['public']);
    // OpenID Connect Discovery §3 requires RS256 in the list.
    expect(oidc.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    const oauth = (await (await fetch(probeOrder[0])).json()) as Record<string, unknown>;
    expect(oauth).not.toHaveProperty('subject_types_supported');
    expect(await status(`${A}/.well-known/oauth-authorization-server`)).toBe(404);
    expect(await status(`${A}/.well-known/openid-configuration`)).toBe(404);
  });

  it('serves only the forms asked for', async () => {
    const { world } = await newWorld({ as: { issuerPath: '/tenant1', metadata: ['oidc-appended'] } });
    const A = world.facts.asOrigin;
    expect(world.facts.asMetadataUrls).toEqual([`${A}/tenant1/.well-known/openid-configuration`]);
    expect(await status(`${A}/tenant1/.well-known/openid-configuration`)).toBe(200);
    expect(await status(`${A}/.well-known/oauth-authorization-server/tenant1`)).toBe(404);
    expect(await status(`${A}/.well-known/openid-configuration/tenant1`)).toBe(404);
  });

  it('reflects the metadata knobs', async () => {
    const { world } = await newWorld({
      as: {
        issuerInMetadata: 'other',
        issuerPath: '/t',
        pkceMethods: null,
        registration: false,
        cimd: true,
        tokenAuthMethods: ['client_secret_post', 'none'],
        scopesSupported: ['a', 'b'],
        issSupported: false,
      },
    });
    expect(world.facts.endpoints.register).toBeUndefined();
    expect(world.facts.cimdUrl).toBe(CONFORMANCE_CIMD_URL);
    const document = (await (await fetch(world.facts.asMetadataUrls[0])).json()) as Record<string, unknown>;
    expect(document.issuer).toBe('https://honest-as.example/t');
    expect(document).not.toHaveProperty('code_challenge_methods_supported');
    expect(document).not.toHaveProperty('registration_endpoint');
    expect(document.client_id_metadata_document_supported).toBe(true);
    expect(document.token_endpoint_auth_methods_supported).toEqual(['client_secret_post', 'none']);
    expect(document.scopes_supported).toEqual(['a', 'b']);
    expect(document.authorization_response_iss_parameter_supported).toBe(false);
    expect(await status(`${world.facts.issuer}/register`)).toBe(404);
  });

  it('publishes its signing key', async () => {
    const { world } = await newWorld();
    const jwks = (await (await fetch(world.facts.endpoints.jwks)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(typeof jwks.keys[0].kid).toBe('string');
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
