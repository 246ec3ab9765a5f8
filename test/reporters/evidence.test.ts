import { describe, expect, it } from 'vitest';
import { evidenceLines, exchangeLines, formatValue, PLAIN_STYLE, resolvePart } from '../../reporters/evidence.js';
import { cleanLine, cleanText, tailLines } from '../../reporters/text.js';
import { exchange, flawedFlow, scenario } from '../support/report-fixtures.js';

const flow = flawedFlow();
const byId = (id: number) => flow.find((e) => e.id === id)!;

describe('resolvePart', () => {
  it('reads query parameters of the request URL', () => {
    expect(resolvePart(byId(4), 'query.code_challenge_method')).toEqual({ kind: 'value', side: 'request', value: 'plain' });
    expect(resolvePart(byId(4), 'query.prompt')).toEqual({ kind: 'absent', side: 'request' });
    const repeated = exchange({ id: 9, request: { url: 'http://127.0.0.1:1/authorize?resource=a&resource=b' } });
    expect(resolvePart(repeated, 'query.resource')).toMatchObject({ value: ['a', 'b'] });
  });

  it('reads form parameters only from form-encoded bodies', () => {
    expect(resolvePart(byId(6), 'form.grant_type')).toMatchObject({ kind: 'value', value: 'authorization_code' });
    expect(resolvePart(byId(6), 'form.resource')).toEqual({ kind: 'absent', side: 'request' });
    expect(resolvePart(byId(1), 'form.resource')).toMatchObject({ kind: 'absent', hint: 'the body is application/json, not a form' });
    expect(resolvePart(byId(2), 'form.resource')).toMatchObject({ kind: 'absent', hint: 'the request has no body' });
  });

  it('reads request headers case-insensitively and response headers with the prefix', () => {
    expect(resolvePart(byId(7), 'header.Authorization')).toMatchObject({ value: 'bearer at-1', side: 'request' });
    expect(resolvePart(byId(6), 'header.authorization')).toEqual({ kind: 'absent', side: 'request' });
    expect(resolvePart(byId(1), 'response.header.www-authenticate')).toMatchObject({ side: 'response', value: expect.stringMatching(/^Bearer resource_metadata=/) });
  });

  it('reads the status and JSON bodies, choosing the response body for a request without one', () => {
    expect(resolvePart(byId(1), 'status')).toEqual({ kind: 'value', side: 'response', value: 401 });
    expect(resolvePart(byId(3), 'body.issuer')).toEqual({ kind: 'value', side: 'response', value: 'http://127.0.0.1:41001/other' });
    expect(resolvePart(byId(3), 'body.code_challenge_methods_supported.0')).toMatchObject({ value: 'S256' });
    expect(resolvePart(byId(1), 'body.method')).toMatchObject({ side: 'request', value: 'initialize' });
    expect(resolvePart(byId(1), 'response.body.error')).toMatchObject({ side: 'response', value: 'invalid_token' });
    expect(resolvePart(byId(3), 'body.registration_endpoint')).toEqual({ kind: 'absent', side: 'response' });
  });

  it('says what is missing when there is nothing to read', () => {
    const unanswered = exchange({ id: 9, request: { url: 'http://127.0.0.1:1/token' }, response: null });
    expect(resolvePart(unanswered, 'status')).toMatchObject({ kind: 'absent', hint: 'no response was recorded' });
    const html = exchange({ id: 9, request: { url: 'http://127.0.0.1:1/x' }, response: { body: '<html>' } });
    expect(resolvePart(html, 'body.issuer')).toMatchObject({ kind: 'absent', hint: 'the response body is not JSON' });
    expect(resolvePart(html, 'cookie.session')).toEqual({ kind: 'unknown' });
  });
});

describe('evidence lines', () => {
  const layout = { width: 100, full: false, style: PLAIN_STYLE };

  it('shortens a long URL to the width in the short form and breaks it up in the full form', () => {
    const [short] = exchangeLines(byId(4), layout);
    expect(short.length).toBeLessThanOrEqual(100);
    expect(short).toMatch(/^#4 browser authorize: GET http:\/\/127\.0\.0\.1:41001\/authorize\?response_type=code.*… → 302$/);

    const full = exchangeLines(byId(4), { ...layout, full: true });
    expect(full[0]).toBe('#4 browser authorize: → 302');
    expect(full[1]).toBe('  GET http://127.0.0.1:41001/authorize');
    expect(full).toContain('      &code_challenge_method=plain');
    expect(full.join('\n')).not.toContain('…');
  });

  it('keeps a short request on one line', () => {
    expect(exchangeLines(byId(6), layout)).toEqual(['#6 client-1 token: POST http://127.0.0.1:41001/token → 200']);
  });

  it('shows the part with its value or as absent, and the note', () => {
    const s = scenario({ id: 'auth/x', exchanges: flow });
    expect(evidenceLines(s, { exchange: 4, part: 'query.code_challenge_method', note: 'must be S256' }, layout)[1]).toBe(
      '  query.code_challenge_method = "plain" — must be S256',
    );
    expect(evidenceLines(s, { exchange: 6, part: 'form.resource' }, layout)[1]).toBe('  form.resource: (absent)');
    expect(evidenceLines(s, { exchange: 3, part: 'body.issuer' }, layout)[1]).toBe('  body.issuer (response) = "http://127.0.0.1:41001/other"');
    expect(evidenceLines(s, { exchange: 42, note: 'gone' }, layout)).toEqual(['#42 (exchange not in the report)', '  gone']);
  });

  it('formats values so that empty and odd strings remain visible', () => {
    expect(formatValue('', 50)).toBe('""');
    expect(formatValue(['S256'], 50)).toBe('["S256"]');
    expect(formatValue('x'.repeat(100), 20)).toHaveLength(20);
  });
});

describe('text cleaning', () => {
  it('removes escape sequences, keeps what a terminal would show after \\r, and escapes other controls', () => {
    expect(cleanText('\u001b[1;31mred\u001b[0m')).toBe('red');
    expect(cleanText('\u001b]8;;http://x\u0007link\u001b]8;;\u0007')).toBe('link');
    expect(cleanText('10%\r100%\r\nnext')).toBe('100%\nnext');
    expect(cleanText('a\u0000b\u0007c\u009bd\ty')).toBe('a\\x00b\\x07c\\x9bd\ty');
    expect(cleanText('\ud800 lone \uffff')).toBe('\ufffd lone \ufffd');
    expect(cleanText('emoji 🔐 stays')).toBe('emoji 🔐 stays');
    expect(cleanLine(' two\n lines\t')).toBe('two lines');
  });

  it('keeps the last lines of a tail', () => {
    expect(tailLines('1\n2\n3\n4\n\n', 2)).toEqual(['3', '4']);
    expect(tailLines('', 5)).toEqual([]);
    expect(tailLines('1\n2\n3', 0)).toEqual(['1', '2', '3']);
  });
});
