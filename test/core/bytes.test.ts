// core/bytes.ts replaced Buffer and node:crypto so the world runs in a browser; what it reads and
// writes must be what Buffer did, byte for byte, on any input (here Buffer is the oracle).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, decodeBase64, latin1Bytes, randomBytes, utf8 } from '../../core/bytes.js';
import { s256 } from '../../core/pkce.js';
import { basicCredentials } from '../../core/trace-query.js';
import { authenticateClient } from '../../mocks/authorization-server/client-authentication.js';
import type { AuthorizationServerState, Client } from '../../mocks/authorization-server/state.js';
import type { Exchange } from '../../core/trace.js';
import { randomToken } from '../../mocks/tokens.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Text as it may come in a header or a saved trace: base64 of both alphabets, padding, junk, and any UTF-16 unit. */
const base64ish = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_'.split('')) },
    { weight: 2, arbitrary: fc.constantFrom('=', ' ', '\t', '.', '!', '\n', '\u00e9') },
    // Units whose low byte is a base64 character or "=": Buffer truncates before looking up.
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) },
  ),
  maxLength: 40,
});

const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 60 });

describe('bytes without Buffer', () => {
  it('writes base64url as Buffer does', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => base64url(bytes) === Buffer.from(bytes).toString('base64url')));
  });

  it('reads base64 and base64url exactly as leniently as Buffer', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        const expected = Buffer.from(text, 'base64').toString('hex');
        expect(hex(decodeBase64(text))).toBe(expected);
        expect(Buffer.from(text, 'base64url').toString('hex')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the Basic credentials atob refuses, as the world and the checks always did', () => {
    // client:secret, spoilt in the ways a client's encoder can spoil it.
    const lenient = ['Y2xpZW50OnNlY3JldA', 'Y2xpZW50OnNlY3JldA=', 'Y2xpZW50OnNl Y3JldA==', 'Y2xpZW50OnNlY3JldA==garbage', 'Y2xpZW50OnNl.Y3JldA'];
    const client = { client_id: 'client', client_secret: 'secret', token_endpoint_auth_method: 'client_secret_basic' } as Client;
    const state = { clients: new Map([['client', client]]) } as unknown as AuthorizationServerState;
    for (const encoded of lenient) {
      expect(Buffer.from(encoded, 'base64').toString('utf8'), encoded).toBe('client:secret');
      const authorization = `Basic ${encoded.replace(' ', '')}`;
      const request = new Request('http://as.test/token', { method: 'POST', headers: { authorization } });
      expect(authenticateClient(state, request, new URLSearchParams()), encoded).toEqual({ client });
      const exchange = { id: 1, at: 0, durationMs: 0, actor: 'client-1', server: 'as', role: 'token', request: { method: 'POST', url: request.url, headers: { authorization: `Basic ${encoded}` } } } satisfies Exchange;
      expect(basicCredentials(exchange), encoded).toEqual({ id: 'client', secret: 'secret' });
    }
    expect(() => atob('Y2xpZW50OnNlY3JldA=')).toThrow();
    expect(() => atob('Y2xpZW50OnNl.Y3JldA')).toThrow();
  });

  it('decodes UTF-8 as Buffer does: replacement characters for bad sequences, a leading BOM kept', () => {
    const withBom = fc.uint8Array({ maxLength: 40 }).map((bytes) => Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), withBom), (bytes) => utf8(bytes) === Buffer.from(bytes).toString('utf8')), { numRuns: 2000 });
  });

  it('hashes a PKCE verifier as createHash(...).update(verifier, "ascii") did, whatever its characters', () => {
    fc.assert(
      fc.property(fc.oneof(anyUnits, fc.string({ unit: 'grapheme' })), (verifier) => {
        expect(hex(latin1Bytes(verifier))).toBe(Buffer.from(verifier, 'ascii').toString('hex'));
        expect(s256(verifier)).toBe(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
      }),
    );
    // RFC 7636 Appendix B.
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('draws random tokens of the same length and alphabet as before', () => {
    expect(randomBytes(24)).toHaveLength(24);
    const tokens = Array.from({ length: 50 }, () => randomToken());
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomToken(12)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
