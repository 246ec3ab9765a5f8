import { describe, expect, it } from 'vitest';
import { bearerChallenge, parseChallenges } from './strict/challenge.js';

// The strict client's verdicts on the worlds (test/integration/compatibility.test.ts, pinned in
// test/integration/clients/strict.ts) are only as good as its reading of WWW-Authenticate: a reader stricter
// than RFC 9110 §11.6.1 would blame the world for a header that is valid, a laxer one would miss a
// defect. These are the grammar's edges, which the world's own headers do not reach.
describe("the strict client's WWW-Authenticate reader", () => {
  const read = (header: string) => {
    const parsed = parseChallenges(header);
    return 'fault' in parsed ? 'fault' : parsed.challenges.map((c) => [c.scheme, c.token68 ?? null, Object.fromEntries(c.params)]);
  };

  it('accepts what the grammar allows', () => {
    expect(read('Bearer realm="x", error="invalid_token"')).toEqual([['Bearer', null, { realm: 'x', error: 'invalid_token' }]]);
    expect(read('Basic realm="a", Bearer scope="a b"')).toEqual([['Basic', null, { realm: 'a' }], ['Bearer', null, { scope: 'a b' }]]);
    expect(read('Bearer scope="a", Basic')).toEqual([['Bearer', null, { scope: 'a' }], ['Basic', null, {}]]);
    expect(read('Negotiate YWJj==, Bearer realm="x"')).toEqual([['Negotiate', 'YWJj==', {}], ['Bearer', null, { realm: 'x' }]]);
    // Empty list elements (RFC 9110 §5.6.1.2), BWS around "=", token values, quoted-pairs, parameter names in any case.
    expect(read(', Bearer , realm=x,,  ,ERROR = "a \\"b\\"",')).toEqual([['Bearer', null, { realm: 'x', error: 'a "b"' }]]);
  });

  it('rejects what it does not', () => {
    expect(read('Bearer realm="x" error="y"')).toBe('fault');
    expect(read('Bearer realm="x", realm="y"')).toBe('fault');
    expect(read('Bearer,realm="x"')).toBe('fault');
    expect(read('Bearer realm="open')).toBe('fault');
  });

  it('holds a Bearer challenge to RFC 6750 §3 and RFC 9728 §5.1', () => {
    expect(bearerChallenge('Bearer realm="mcp"', 'a test')).toEqual({});
    expect(bearerChallenge('Bearer error="insufficient_scope", scope="a b", resource_metadata="http://127.0.0.1:1/x"', 'a test')).toEqual({
      error: 'insufficient_scope',
      scope: 'a b',
      resourceMetadata: 'http://127.0.0.1:1/x',
    });
    expect(bearerChallenge('Basic realm="x"', 'a test')).toBeUndefined();
    expect(() => bearerChallenge('Bearer', 'a test')).toThrow(/RFC 6750 §3.*no auth-param/);
    expect(() => bearerChallenge('Bearer scope="a  b"', 'a test')).toThrow(/RFC 6750 §3/);
    expect(() => bearerChallenge('Bearer error_description="back\\\\slash"', 'a test')).toThrow(/RFC 6750 §3/);
    expect(() => bearerChallenge('Bearer resource_metadata="/relative"', 'a test')).toThrow(/RFC 9728 §5.1/);
  });
});
