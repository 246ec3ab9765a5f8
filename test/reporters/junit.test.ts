import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import type { Report } from '../../core/report.js';
import { renderJunit } from '../../reporters/junit.js';
import { check, CRASH_STDERR, deadOnArrivalReport, interruptedReport, processOutcome, report, sampleReport, scenario } from '../support/report-fixtures.js';

type El = Record<string, any>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Keep every value a string, as a CI viewer reads it, and every repeatable element a list.
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped', 'system-out', 'system-err'].includes(name),
});

function parse(xml: string): El {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).testsuites;
}

const textOf = (node: unknown): string => (typeof node === 'string' ? node : ((node as El)?.['#text'] ?? ''));
const NUMBER = /^\d+$/;
const SECONDS = /^\d+(\.\d+)?$/;
const ANT_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** The Ant/Jenkins JUnit shape: the elements and attributes CI viewers rely on, present and numeric where counted. */
function expectAntShape(root: El): void {
  for (const name of ['tests', 'failures', 'errors', 'skipped']) expect(root[name]).toMatch(NUMBER);
  expect(root.time).toMatch(SECONDS);
  const suites: El[] = root.testsuite ?? [];
  const sum = (attr: string) => suites.reduce((n, s) => n + Number(s[attr]), 0);
  for (const name of ['tests', 'failures', 'errors', 'skipped']) expect(Number(root[name])).toBe(sum(name));

  for (const suite of suites) {
    expect(Object.keys(suite).filter((k) => !['properties', 'testcase', 'system-out', 'system-err'].includes(k) && typeof suite[k] !== 'string')).toEqual([]);
    expect(typeof suite.name).toBe('string');
    for (const name of ['tests', 'failures', 'errors', 'skipped']) expect(suite[name]).toMatch(NUMBER);
    expect(suite.time).toMatch(SECONDS);
    expect(suite.timestamp).toMatch(ANT_TIMESTAMP);
    for (const property of suite.properties?.property ?? []) {
      expect(typeof property.name).toBe('string');
      expect(typeof property.value).toBe('string');
    }
    const cases: El[] = suite.testcase ?? [];
    expect(cases).toHaveLength(Number(suite.tests));
    expect(cases.filter((c) => c.failure)).toHaveLength(Number(suite.failures));
    expect(cases.filter((c) => c.error)).toHaveLength(Number(suite.errors));
    expect(cases.filter((c) => c.skipped)).toHaveLength(Number(suite.skipped));
    for (const testcase of cases) {
      expect(typeof testcase.classname).toBe('string');
      expect(typeof testcase.name).toBe('string');
      expect(testcase.time).toMatch(SECONDS);
      const children = Object.keys(testcase).filter((k) => !['classname', 'name', 'time'].includes(k));
      for (const child of children) expect(['failure', 'error', 'skipped', 'system-out', 'system-err']).toContain(child);
      // A testcase has at most one outcome element.
      expect(children.filter((k) => ['failure', 'error', 'skipped'].includes(k)).length).toBeLessThanOrEqual(1);
      for (const outcome of ['failure', 'error'] as const) {
        for (const el of testcase[outcome] ?? []) {
          expect(typeof el.message).toBe('string');
          expect(typeof el.type).toBe('string');
        }
      }
      for (const el of testcase.skipped ?? []) expect(typeof el.message).toBe('string');
    }
  }
}

const cases = (root: El, suiteName: string): El[] => root.testsuite.find((s: El) => s.name === suiteName).testcase;
const caseNamed = (root: El, suiteName: string, prefix: string): El => cases(root, suiteName).find((c) => c.name.startsWith(prefix))!;

describe('JUnit reporter', () => {
  it('writes valid XML in the Ant/Jenkins shape', () => {
    for (const r of [sampleReport(), interruptedReport()]) expectAntShape(parse(renderJunit(r)));
    expect(renderJunit(sampleReport()).startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
  });

  it('has counts that match the report', () => {
    const r = sampleReport();
    const root = parse(renderJunit(r));
    const checks = r.scenarios.reduce((n, s) => n + s.checks.length, 0);
    // One extra testcase for the timed-out scenario (no checks) and one for the skipped scenario.
    expect(Number(root.tests)).toBe(checks + 2);
    expect(Number(root.failures)).toBe(r.summary.checks.fail);
    expect(Number(root.errors)).toBe(1);
    expect(Number(root.skipped)).toBe(r.summary.checks.skip + r.summary.checks.expectedFailures + 1);
    expect(root.testsuite.map((s: El) => s.name)).toEqual(r.scenarios.map((s) => s.id));
    expect(root.time).toBe('5.230');
    expect(root.timestamp).toBe('2026-08-07T10:15:30');
  });

  it('maps a failing check to <failure> with the evidence as text', () => {
    const root = parse(renderJunit(sampleReport()));
    const failing = caseNamed(root, 'auth/pkce-and-resource', 'pkce-s256:');
    expect(failing.classname).toBe('auth/pkce-and-resource');
    expect(failing.name).toBe('pkce-s256: Uses the S256 challenge method');
    expect(failing.failure[0].message).toBe('the authorization request used code_challenge_method "plain"');
    expect(failing.failure[0].type).toBe('MUST C-PKCE-03');
    const body = textOf(failing.failure[0]);
    expect(body).toContain('GET http://127.0.0.1:41001/authorize');
    expect(body).toContain('&code_challenge_method=plain');
    expect(body).toContain('query.code_challenge_method = "plain" — must be S256');
    expect(body).toContain('see https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#authorization-code-protection');
    expect(textOf(caseNamed(root, 'auth/pkce-and-resource', 'resource-in-token-request:').failure[0])).toContain('form.resource: (absent)');
  });

  it('maps a warning to a passing testcase with the warning in <system-out>', () => {
    const root = parse(renderJunit(sampleReport()));
    const warned = caseNamed(root, 'auth/pkce-and-resource', 'bearer-scheme:');
    expect(warned.failure).toBeUndefined();
    expect(warned['system-out'][0]).toContain('WARNING (SHOULD C-TOK-02): scheme written in lower case');
    expect(warned['system-out'][0]).toContain('header.authorization = "bearer at-1"');
  });

  it('maps skips, expected failures and skipped scenarios to <skipped>', () => {
    const baseline = parseExpectedFailures('client:\n  - auth/pkce-and-resource:pkce-s256\n', 'b.yml');
    const root = parse(renderJunit(applyExpectedFailures(sampleReport(), baseline)));
    expect(caseNamed(root, 'auth/pkce-and-resource', 'refresh-rotation:').skipped[0].message).toBe('the authorization server issued no refresh token');
    const expected = caseNamed(root, 'auth/pkce-and-resource', 'pkce-s256:');
    expect(expected.failure).toBeUndefined();
    expect(expected.skipped[0].message).toBe('expected failure: the authorization request used code_challenge_method "plain"');
    const skippedScenario = cases(root, 'auth/2025-03-26-oauth-metadata-backcompat');
    expect(skippedScenario).toHaveLength(1);
    expect(skippedScenario[0].skipped[0].message).toBe('not applicable at spec version 2026-07-28');
    expectAntShape(root);
  });

  it('puts the output tails of a crashed or timed-out client in <system-err>, cleaned for XML', () => {
    const xml = renderJunit(sampleReport());
    expect(xml).not.toMatch(XML_INVALID);
    const root = parse(xml);
    const crashed = root.testsuite.find((s: El) => s.name === 'auth/token-endpoint-auth-basic');
    const err = crashed['system-err'][0];
    expect(err).toContain('client-1 exited with code 1 after 2.2 s');
    expect(err).toContain('Error: could not reach the token endpoint');
    expect(err).toContain('bell\\x07 and nul\\x00 and escape\\x1bX');
    expect(err).not.toContain('\u001b');
    expect(CRASH_STDERR).toContain('\u0000');

    const timedOut = root.testsuite.find((s: El) => s.name === 'auth/scope-step-up');
    expect(timedOut['system-err'][0]).toContain('client-1 timed out after 30.0 s');
    expect(timedOut.testcase[0].error[0].message).toBe('client-1 timed out after 30.0 s');
  });

  it('reports a client that could not be started as an error even with no checks', () => {
    const r = report([
      scenario({
        id: 'auth/metadata-default',
        status: 'fail',
        processes: [processOutcome({ exitCode: null, spawnError: 'spawn ./nope ENOENT', durationMs: 3 })],
      }),
    ]);
    const root = parse(renderJunit(r));
    expectAntShape(root);
    expect(root.errors).toBe('1');
    expect(root.testsuite[0].testcase[0].error[0].message).toBe('client-1 could not be started: spawn ./nope ENOENT');
  });

  it('stays well-formed whatever the target and the checks wrote', () => {
    const hostile = 'a]]><b attr="x">&amp;\u0000\u0001\u0008\u000b\u000c\u001b[31m\u007f\ud800\uffff\r\nend';
    const r: Report = report([
      scenario({
        id: `auth/${hostile}`,
        title: hostile,
        checks: [
          check({ id: 'x', title: hostile, status: 'fail', message: hostile, requirements: [hostile], evidence: [{ exchange: 1, part: `query.${hostile}`, note: hostile }] }),
          check({ id: 'y', status: 'warn', level: 'SHOULD', message: hostile }),
          check({ id: 'z', status: 'skip', message: hostile }),
        ],
        exchanges: [
          {
            id: 1,
            at: 0,
            durationMs: 1,
            actor: hostile,
            server: 'as',
            role: 'authorize',
            request: { method: 'GET', url: `http://127.0.0.1:1/authorize?q=${encodeURIComponent('a&b<c>')}&raw=${hostile}`, headers: { x: hostile } },
            response: { status: 400, headers: {}, body: hostile },
          },
        ],
        processes: [processOutcome({ exitCode: 1, stdoutTail: hostile, stderrTail: hostile })],
      }),
    ]);
    const xml = renderJunit(r);
    expect(xml).not.toMatch(XML_INVALID);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const root = parse(xml);
    expectAntShape(root);
    expect(root.testsuite[0].testcase[0].failure[0].message).toContain('a]]><b attr="x">&amp;\\x00');
  });

  it('writes strict-mode failures of SHOULD checks as failures', () => {
    const r = report([scenario({ id: 'auth/s', checks: [check({ id: 'w', level: 'SHOULD', status: 'fail', message: 'unmet under --strict' })] })], { strict: true });
    const root = parse(renderJunit(r));
    expect(root.testsuite[0].testcase[0].failure[0].type).toBe('SHOULD');
    expect(root.testsuite[0].properties.property.find((p: El) => p.name === 'strict').value).toBe('true');
  });

  it('fails once for a client that died before its first request and marks the checks it left undone as not reached', () => {
    const root = parse(renderJunit(deadOnArrivalReport()));
    expectAntShape(root);
    expect(root).toMatchObject({ tests: '5', failures: '1', errors: '0', skipped: '4' });
    expect(caseNamed(root, 'auth/metadata-default', 'client-process').failure[0].message).toContain('exited with code 1');
    expect(caseNamed(root, 'auth/metadata-default', 'token-sent-as-bearer').skipped[0].message).toBe(
      'not reached: left undone by the failure of client-process (token-sent-as-bearer: the client never got that far)',
    );
  });
});
