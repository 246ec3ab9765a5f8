// Many requests: a bounded burst sent at once, and token and header shapes drawn by fast-check.
import fc from 'fast-check';
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import type { ServerProperty, ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { INVALID_TOKENS, VALID_LABEL } from '../cases.js';
import { burstInvalidRefused, burstValidAccepted, fuzzInvalidRefused, fuzzValidAccepted, MANY_LABEL } from '../checks/many.js';
import { acceptsValidToken, noServerErrors, tokenNotEchoed } from '../checks/validation.js';

/**
 * Pairs of requests in the burst, a valid token and an invalid one each: at least this many, and one
 * for every invalid token the format has, so each is sent in the crowd. Enough to overlap JWKS
 * fetches and session creation, few enough for any test server.
 */
export const BURST_PAIRS = 12;

async function burst(drive: ServerDrive): Promise<void> {
  const valid = await drive.token();
  await drive.initialize(VALID_LABEL, { token: valid });
  const cases = INVALID_TOKENS.filter((c) => c.formats.includes(drive.facts.tokenFormat));
  const invalid = await Promise.all(cases.map(async (c) => ({ label: c.label, token: await c.token(drive) })));
  const pairs = Math.max(BURST_PAIRS, invalid.length);
  await Promise.all(
    Array.from({ length: pairs }, (_, i) => [
      drive.initialize(`${MANY_LABEL.burstValid}:${i}`, { token: valid }),
      drive.initialize(`${MANY_LABEL.burstInvalid}:${invalid[i % invalid.length].label}`, { token: invalid[i % invalid.length].token }),
    ]).flat(),
  );
}

// ---------------------------------------------------------------------------------------------
// The property: a token (valid, or wrong in one way) in a header of a drawn shape.

type TokenShape =
  | { kind: 'valid' }
  | { kind: 'case'; label: string }
  | { kind: 'truncated'; chars: number }
  | { kind: 'appended'; junk: string }
  | { kind: 'altered'; at: number }
  | { kind: 'huge'; length: number }
  | { kind: 'non-ascii'; char: string }
  | { kind: 'empty' };

interface HeaderShape {
  scheme: string;
  /** Spaces between scheme and token: RFC 6750 allows 1*SP, but more than one is rare enough to leave unjudged. */
  spaces: number;
  /** A second Authorization line: none, the same value again, or another (invalid) token. */
  duplicate: 'none' | 'same' | 'garbage';
}

export interface FuzzCase {
  token: TokenShape;
  header: HeaderShape;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const tokenShapes: fc.Arbitrary<TokenShape> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'valid' } as const) },
  { weight: 3, arbitrary: fc.constantFrom(...INVALID_TOKENS.map((c) => c.label)).map((label) => ({ kind: 'case', label }) as const) },
  fc.integer({ min: 1, max: 12 }).map((chars) => ({ kind: 'truncated', chars }) as const),
  fc.string({ unit: fc.constantFrom(...B64.split('')), minLength: 1, maxLength: 8 }).map((junk) => ({ kind: 'appended', junk }) as const),
  fc.nat({ max: 400 }).map((at) => ({ kind: 'altered', at }) as const),
  fc.integer({ min: 2_000, max: 24_000 }).map((length) => ({ kind: 'huge', length }) as const),
  fc.constantFrom('é', 'ß', 'ÿ', '\u00a0').map((char) => ({ kind: 'non-ascii', char }) as const),
  fc.constant({ kind: 'empty' } as const),
);

const headerShapes: fc.Arbitrary<HeaderShape> = fc.record({
  scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr'),
  spaces: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }),
  duplicate: fc.oneof({ weight: 4, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constantFrom('same' as const, 'garbage' as const) }),
});

/** Changes one character of the token's payload, where the signature no longer covers it. */
function alter(token: string, at: number): string {
  const start = token.indexOf('.') + 1 || 0;
  const i = start + (at % Math.max(1, token.length - start - 1));
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

async function tokenOf(drive: ServerDrive, shape: TokenShape): Promise<{ token: string; valid: boolean }> {
  const valid = await drive.token();
  switch (shape.kind) {
    case 'valid':
      return { token: valid, valid: true };
    case 'case': {
      const c = INVALID_TOKENS.find((x) => x.label === shape.label && x.formats.includes(drive.facts.tokenFormat)) ?? INVALID_TOKENS.find((x) => x.label === 'garbage')!;
      return { token: await c.token(drive), valid: false };
    }
    case 'truncated':
      return { token: valid.slice(0, -shape.chars), valid: false };
    case 'appended':
      return { token: valid + shape.junk, valid: false };
    case 'altered':
      return { token: alter(valid, shape.at), valid: false };
    case 'huge':
      return { token: valid + 'A'.repeat(Math.max(0, shape.length - valid.length)), valid: false };
    case 'non-ascii':
      return { token: valid + shape.char, valid: false };
    case 'empty':
      return { token: '', valid: false };
  }
}

/** Whether the server must accept the request, must refuse it, or may do either (a request the grammar leaves in doubt). */
function kindOf(valid: boolean, header: HeaderShape): string {
  if (header.duplicate !== 'none' || header.spaces !== 1) return valid || header.duplicate === 'same' ? MANY_LABEL.fuzzMalformed : MANY_LABEL.fuzzInvalid;
  return valid ? MANY_LABEL.fuzzValid : MANY_LABEL.fuzzInvalid;
}

function describeToken(shape: TokenShape): string {
  switch (shape.kind) {
    case 'valid':
      return 'the valid token';
    case 'case':
      return `the ${shape.label} token`;
    case 'truncated':
      return `the valid token less its last ${shape.chars} characters`;
    case 'appended':
      return `the valid token followed by "${shape.junk}"`;
    case 'altered':
      return `the valid token with one payload character changed (offset ${shape.at})`;
    case 'huge':
      return `the valid token padded to ${shape.length} characters`;
    case 'non-ascii':
      return `the valid token followed by U+${shape.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    case 'empty':
      return 'no token at all';
  }
}

export const tokenFuzz: ServerProperty<FuzzCase> = {
  cases: fc.record({ token: tokenShapes, header: headerShapes }),
  defaultRuns: 100,
  examples: [
    { token: { kind: 'valid' }, header: { scheme: 'bearer', spaces: 1, duplicate: 'none' } },
    { token: { kind: 'huge', length: 20_000 }, header: { scheme: 'Bearer', spaces: 1, duplicate: 'none' } },
  ],
  describe: (c) => `${describeToken(c.token)} as "Authorization: ${c.header.scheme}${' '.repeat(c.header.spaces)}<token>"${c.header.duplicate === 'none' ? '' : c.header.duplicate === 'same' ? ' sent twice' : ' beside a second Authorization line with garbage'}`,
  async send(drive, c) {
    const { token, valid } = await tokenOf(drive, c.token);
    const value = `${c.header.scheme}${' '.repeat(c.header.spaces)}${token}`;
    const authorization = c.header.duplicate === 'none' ? value : [value, c.header.duplicate === 'same' ? value : `${c.header.scheme} this-is-not-an-access-token-0123456789`];
    await drive.initialize(`${kindOf(valid, c.header)}:${c.token.kind}`, { headers: { authorization } });
  },
};

export const manyScenarios: ServerScenario[] = [
  {
    id: 'server/concurrent-requests',
    title: 'Valid and invalid tokens at once',
    description: `The kit sends at least ${2 * BURST_PAIRS} requests at once, valid and invalid tokens interleaved (every invalid token of the validation scenario among them). A correct server gives each the verdict it gives it alone, and no 5xx.`,
    suites: ['server', 'robustness'],
    specVersions: since('2025-06-18'),
    drive: burst,
    about: ['burst-valid-accepted', 'burst-invalid-refused'],
    checks: [acceptsValidToken, burstValidAccepted, burstInvalidRefused, noServerErrors],
  },
  {
    id: 'server/token-fuzz',
    title: 'Token and header shapes, drawn',
    description:
      'fast-check draws a token (valid, wrong in a known way, truncated, extended, altered, huge, non-ASCII, empty) and a header shape (scheme case, spaces, a repeated Authorization line). A correct server accepts exactly the valid ones, never answers 5xx and never echoes the token; a violation shrinks to the smallest request and prints a replay command.',
    suites: ['server', 'robustness'],
    specVersions: since('2025-06-18'),
    property: tokenFuzz,
    checks: [fuzzValidAccepted, fuzzInvalidRefused, noServerErrors, tokenNotEchoed],
  },
];
