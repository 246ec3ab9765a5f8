import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

async function publishedKids(jwksUrl: string): Promise<string[]> {
  const document = (await (await fetch(jwksUrl)).json()) as { keys: Array<{ kid: string }> };
  return document.keys.map((key) => key.kid);
}

describe('rotateSigningKeys', () => {
  it('signs new tokens with a new key and keeps the old one published, so earlier tokens stay valid', async () => {
    const { world } = await newWorld();
    try {
      const before = await codeFlow(world);
      const oldKid = decodeProtectedHeader(before.access_token).kid;
      const [newKid] = await world.rotateSigningKeys();
      expect(newKid).not.toBe(oldKid);
      expect(await publishedKids(world.facts.endpoints.jwks)).toEqual([newKid, oldKid]);

      const after = await codeFlow(world);
      expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
      expect((await mcp(world, rpc(1, 'ping'), after.access_token)).status).toBe(200);
      expect((await mcp(world, rpc(2, 'ping'), before.access_token)).status).toBe(200);
    } finally {
      await world.close();
    }
  });

  it('withdraws every earlier key when asked, and then their tokens fail the signature check', async () => {
    const { world } = await newWorld();
    try {
      const before = await codeFlow(world);
      const [newKid] = await world.rotateSigningKeys(true);
      expect(await publishedKids(world.facts.endpoints.jwks)).toEqual([newKid]);
      const refused = await mcp(world, rpc(1, 'ping'), before.access_token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error_description="signature: the token signature does not verify"');
    } finally {
      await world.close();
    }
  });

  it('keeps the rotated key across a reconfiguration', async () => {
    const { world } = await newWorld();
    try {
      const [newKid] = await world.rotateSigningKeys();
      await world.reconfigure({ ...world.knobs, as: { ...world.knobs.as, accessTokenTtlSeconds: 60 } });
      const tokens = await codeFlow(world);
      expect(decodeProtectedHeader(tokens.access_token).kid).toBe(newKid);
    } finally {
      await world.close();
    }
  });
});
