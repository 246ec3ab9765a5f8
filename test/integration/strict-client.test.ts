// The whole client suite at 2026-07-28 against the strict client (test/targets/strict-client.ts),
// which enforces every MUST it can observe on the servers it talks to and refuses when one is
// broken. Two claims at once: the suite passes a correct client (every scenario passes, warnings
// allowed), and the mock world breaks no RFC a strict client may enforce (the client never refuses
// where the world is meant to be benign).
//
// Where the world breaks an RFC, the scenario is listed below with the refusal it draws, as an
// expected exception. Each entry is a defect of the world, not of the client: when the world is
// fixed the scenario passes, this test says so, and the entry is to be removed.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../core/client-process.js';
import { runClientScenarios } from '../../core/engine.js';
import { clientScenarios } from '../../suites/client/index.js';
import { bearerChallenge, parseChallenges } from '../targets/strict/challenge.js';
import { ensureCompiled, ROOT, STRICT_CLIENT } from '../support/compiled.js';

const SPEC_VERSION = '2026-07-28';

/**
 * Scenario -> the refusals the world draws from the strict client there: defects of the world, each
 * to be fixed rather than listed. None today; the world's fixes for the ones this client found (a
 * bare Bearer challenge, a root PRM naming the MCP URL, OpenID metadata without RS256, discovery
 * documents marked no-cache yet expected to be used stale) are tested in test/mocks/.
 */
const WORLD_DEFECTS: Record<string, RegExp[]> = {};

/** The line a client process ended with, stripped of the client's prefix. */
function lastLine(stderrTail: string): string {
  return (stderrTail.trim().split('\n').at(-1) ?? '').replace(/^\[strict-client\] /, '');
}

beforeAll(() => ensureCompiled(STRICT_CLIENT), 120_000);

describe(`the strict client, whole client suite at ${SPEC_VERSION}`, () => {
  it('passes every scenario the world does not break, and is refused only by the known world defects', async () => {
    const report = await runClientScenarios({
      command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, STRICT_CLIENT.compiled))}`,
      scenarios: clientScenarios,
      specVersion: SPEC_VERSION,
      jobs: 2,
      timeoutMs: 30_000,
      strict: false,
    });
    const problems: string[] = [];
    for (const scenario of report.scenarios) {
      const refusals = (scenario.processes ?? []).map((p) => lastLine(p.stderrTail ?? '')).filter((line) => line.startsWith('refused'));
      const expected = WORLD_DEFECTS[scenario.id];
      if (!expected) {
        if (scenario.status !== 'pass') {
          const failing = scenario.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.message}`);
          problems.push(`${scenario.id} is ${scenario.status}: ${failing.join('; ') || scenario.skipReason || 'no failing check'}`);
        }
        continue;
      }
      if (scenario.status === 'pass') problems.push(`${scenario.id} passes now: the world defect is fixed, remove it from WORLD_DEFECTS`);
      else if (!refusals.some((line) => expected.some((pattern) => pattern.test(line)))) {
        problems.push(`${scenario.id} fails, but not with a known refusal: ${refusals.join(' | ') || scenario.checks.find((c) => c.id === 'client-process')?.message}`);
      }
    }
    for (const id of Object.keys(WORLD_DEFECTS)) if (!report.scenarios.some((s) => s.id === id)) problems.push(`${id} did not run`);
    expect(problems).toEqual([]);
  }, 300_000);
});

// The verdict above is only as good as the client's reading of WWW-Authenticate: a reader stricter
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
