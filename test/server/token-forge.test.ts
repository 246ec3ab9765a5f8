// The forge's tokens differ from the valid one in exactly what their names say: proven with jose
// against the issuer's real keys, so a check that a server refuses one is a check of that one thing.
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenForge } from '../../mocks/token-forge.js';
import { generateSigningKey } from '../../mocks/tokens.js';

const issuer = 'http://127.0.0.1:9/issuer';
const audience = 'http://127.0.0.1:8/mcp';

async function setup() {
  const key = await generateSigningKey();
  const forge = new TokenForge({ issuer, audience, key: () => key });
  const jwks = createLocalJWKSet({ keys: [key.publicJwk] });
  return { key, forge, jwks };
}

describe('TokenForge', () => {
  it('mints a valid RFC 9068 token that a strict verifier accepts', async () => {
    const { forge, jwks } = await setup();
    const token = await forge.jwt({ claims: { scope: 'a b' } });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt', requiredClaims: ['exp'] });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ iss: issuer, aud: audience, scope: 'a b', client_id: 'conformance-client' });
  });

  it('leaves out claims set to null and moves the time claims', async () => {
    const { forge } = await setup();
    const claims = decodeJwt(await forge.jwt({ claims: { iss: null, aud: null, expiresIn: null, notBeforeIn: 600 } }));
    expect(claims.iss).toBeUndefined();
    expect(claims.aud).toBeUndefined();
    expect(claims.exp).toBeUndefined();
    expect(claims.nbf! - claims.iat!).toBe(600);
  });

  it.each(['unknown-key', 'embedded-jwk', 'bad-signature'] as const)('%s: same claims, a signature the issuer\'s keys do not verify', async (signing) => {
    const { forge, jwks } = await setup();
    const token = await forge.jwt({ claims: {}, signing });
    expect(decodeJwt(token).aud).toBe(audience);
    await expect(jwtVerify(token, jwks)).rejects.toThrow();
  });

  it('embeds the signing key in the header of an embedded-jwk token, and that key verifies it', async () => {
    const { forge } = await setup();
    const token = await forge.jwt({ claims: {}, signing: 'embedded-jwk' });
    const header = decodeProtectedHeader(token);
    expect(header.jwk).toBeDefined();
    await expect(compactVerify(token, createLocalJWKSet({ keys: [header.jwk!] }))).resolves.toBeDefined();
  });

  it('alg none carries no signature; HS256 variants are MACed with the public key', async () => {
    const { forge } = await setup();
    const none = await forge.jwt({ claims: {}, signing: 'none' });
    expect(decodeProtectedHeader(none).alg).toBe('none');
    expect(none.endsWith('.')).toBe(true);
    for (const signing of ['hs256-public-pem', 'hs256-public-jwk'] as const) expect(decodeProtectedHeader(await forge.jwt({ claims: {}, signing })).alg).toBe('HS256');
  });

  it('signs with a rotated key when given one, naming its kid', async () => {
    const { forge } = await setup();
    const rotated = await generateSigningKey();
    const token = await forge.jwt({ claims: {}, key: rotated });
    expect(decodeProtectedHeader(token).kid).toBe(rotated.kid);
    await expect(jwtVerify(token, createLocalJWKSet({ keys: [rotated.publicJwk] }))).resolves.toBeDefined();
  });
});
