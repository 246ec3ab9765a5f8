// The strict WWW-Authenticate reader the server suite judges challenges with: what RFC 9110 §11.6.1
// accepts it reads, and what a strict client would choke on it reports with the place it fails.
import { describe, expect, it } from 'vitest';
import { bearerChallenges, paramValue, parseWwwAuthenticate } from '../../core/www-authenticate.js';

function parsed(value: string) {
  const result = parseWwwAuthenticate(value);
  if ('fault' in result) throw new Error(result.fault);
  return result.challenges;
}

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge with quoted and token values, names case-folded', () => {
    const [bearer] = parsed('Bearer resource_metadata="http://rs/.well-known/oauth-protected-resource/mcp", Scope="a b", error=invalid_token');
    expect(bearer.scheme).toBe('Bearer');
    expect(paramValue(bearer, 'resource_metadata')).toBe('http://rs/.well-known/oauth-protected-resource/mcp');
    expect(paramValue(bearer, 'scope')).toBe('a b');
    expect(paramValue(bearer, 'error')).toBe('invalid_token');
  });

  it('tells parameters from challenges after a comma, and keeps commas inside quoted-strings', () => {
    const challenges = parsed('Basic realm="a, b", Bearer realm="x", scope="s", DPoP algs="ES256"');
    expect(challenges.map((c) => c.scheme)).toEqual(['Basic', 'Bearer', 'DPoP']);
    expect(paramValue(challenges[0], 'realm')).toBe('a, b');
    expect(bearerChallenges({ challenges })).toHaveLength(1);
  });

  it('unescapes quoted-pairs and allows BWS around "=" and empty list elements', () => {
    const [bearer] = parsed(', Bearer error_description = "say \\"hi\\"",, realm=x');
    expect(paramValue(bearer, 'error_description')).toBe('say "hi"');
    expect(paramValue(bearer, 'realm')).toBe('x');
  });

  it('reads a token68 challenge and a bare scheme', () => {
    expect(parsed('Negotiate abc123==')[0].token68).toBe('abc123==');
    expect(parsed('Bearer')[0].params).toEqual([]);
  });

  it('keeps a repeated parameter so that a check can say so', () => {
    const [bearer] = parsed('Bearer scope="a", scope="b"');
    expect(bearer.params.filter((p) => p.name === 'scope')).toHaveLength(2);
  });

  it.each([
    ['an unescaped quote inside a quoted-string', 'Bearer error="invalid_token", error_description="the "aud" claim is wrong"', 'error_description'],
    ['a quoted-string never closed', 'Bearer error_description="open', 'never closed'],
    ['a parameter before any scheme', 'realm="x"', 'before any auth-scheme'],
    ['a value that is neither token nor quoted-string', 'Bearer scope=a b', 'the value of scope'],
    ['a scheme followed by something else', 'Bearer a b', 'neither an auth-param nor a token68'],
    ['a control character in a quoted-string', 'Bearer error_description="a\u0001b"', 'error_description'],
  ])('refuses %s', (_what, value, where) => {
    const result = parseWwwAuthenticate(value);
    expect('fault' in result && result.fault).toContain(where);
  });
});
