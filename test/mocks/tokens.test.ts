import { describe, expect, it } from 'vitest';
import { generateSigningKey, mintAccessToken, verifyAccessToken } from '../../mocks/tokens.js';

const ISSUER = 'http://127.0.0.1:4200';
const RESOURCE = 'http://127.0.0.1:4100/mcp';

describe('access token verification', () => {
  it('refuses a token without aud where resource indicators apply, and names the claim', async () => {
    const key = await generateSigningKey();
    const token = await mintAccessToken(key, { iss: ISSUER, sub: 'u', client_id: 'c', ttlSeconds: 60 });
    const verdict = await verifyAccessToken(token, key, { issuer: ISSUER, audience: RESOURCE });
    expect(verdict).toEqual({ valid: false, reason: expect.stringMatching(/^aud:/) });
  });

  it('accepts a token without aud on a 2025-03-26 server, but still refuses one for another resource', async () => {
    const key = await generateSigningKey();
    const legacy = { issuer: ISSUER, audience: RESOURCE, audienceOptional: true };
    const noAudience = await mintAccessToken(key, { iss: ISSUER, sub: 'u', client_id: 'c', ttlSeconds: 60 });
    expect((await verifyAccessToken(noAudience, key, legacy)).valid).toBe(true);
    const elsewhere = await mintAccessToken(key, { iss: ISSUER, sub: 'u', client_id: 'c', ttlSeconds: 60, aud: 'http://127.0.0.1:9/other' });
    expect(await verifyAccessToken(elsewhere, key, legacy)).toEqual({ valid: false, reason: expect.stringMatching(/^aud:/) });
  });
});
