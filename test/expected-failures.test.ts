import { describe, expect, it } from 'vitest';
import {
  applyExpectedFailures,
  emptyExpectedFailures,
  exitCodeOf,
  ExpectedFailuresError,
  formatEntry,
  parseExpectedFailures,
  type ExpectedFailures,
} from '../core/expected-failures.js';
import type { Report } from '../core/report.js';
import { scenarioStatusOf, summarize } from '../core/summary.js';
import { check, interruptedReport, processOutcome, report, sampleReport, scenario } from './support/report-fixtures.js';

const FILE = 'conformance-baseline.yml';

function baseline(yamlText: string): ExpectedFailures {
  return parseExpectedFailures(yamlText, FILE);
}

function parseError(yamlText: string): string {
  try {
    baseline(yamlText);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpectedFailuresError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the baseline to be rejected');
}

const checkById = (r: Report, scenarioId: string, checkId: string) => {
  const found = r.scenarios.find((s) => s.id === scenarioId)?.checks.find((c) => c.id === checkId);
  if (!found) throw new Error(`no check ${scenarioId}:${checkId}`);
  return found;
};
const scenarioById = (r: Report, id: string) => r.scenarios.find((s) => s.id === id)!;

describe('parseExpectedFailures', () => {
  it('reads the official suite format plus the authorization-server list, with line numbers', () => {
    const parsed = baseline(
      [
        '# known failures of our client',
        'client:',
        '  - auth/scope-step-up            # whole scenario',
        '  - auth/pkce-and-resource:pkce-s256',
        'server:',
        '  - server-auth/prm-served',
        'authorization-server:',
        '  - "as/metadata:issuer-matches"',
      ].join('\n'),
    );
    expect(parsed.source).toBe(FILE);
    expect(parsed.entries.client).toEqual([
      { scenario: 'auth/scope-step-up', line: 3 },
      { scenario: 'auth/pkce-and-resource', check: 'pkce-s256', line: 4 },
    ]);
    expect(parsed.entries.server).toEqual([{ scenario: 'server-auth/prm-served', line: 6 }]);
    expect(parsed.entries['authorization-server']).toEqual([{ scenario: 'as/metadata', check: 'issuer-matches', line: 8 }]);
    expect(parsed.entries.client.map(formatEntry)).toEqual(['auth/scope-step-up', 'auth/pkce-and-resource:pkce-s256']);
  });

  it('treats an empty file, a comment-only file and an empty list as an empty baseline', () => {
    for (const text of ['', '\n', '# nothing yet\n', 'client:\n', 'client: []\nserver:\n  # - auth/x\n']) {
      expect(baseline(text)).toEqual(emptyExpectedFailures(FILE));
    }
  });

  it('rejects invalid YAML, naming the file and line', () => {
    expect(parseError('client:\n  - auth/a\n  - [unclosed\n')).toMatch(/^conformance-baseline\.yml:\d+: invalid YAML: /);
    expect(parseError('client:\n  - a\nclient:\n  - b\n')).toMatch(/^conformance-baseline\.yml:3: invalid YAML: .*unique/);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(parseError('- auth/a\n- auth/b\n')).toBe(
      'conformance-baseline.yml:1: the top level must be a mapping with the keys client, server, authorization-server',
    );
    expect(parseError('just words\n')).toMatch(/top level must be a mapping/);
  });

  it('rejects unknown top-level keys', () => {
    expect(parseError('client: []\nclients:\n  - auth/a\n')).toBe(
      'conformance-baseline.yml:2: unknown key "clients"; allowed keys are client, server, authorization-server',
    );
    expect(parseError('authorization:\n  - as/metadata\n')).toMatch(/unknown key "authorization"/);
  });

  it('rejects a role whose value is not a list', () => {
    expect(parseError('client: auth/a\n')).toBe("conformance-baseline.yml:1: 'client' must be a list of 'scenario' or 'scenario:check-id' entries");
  });

  it('rejects the "- a: b" typo and says what was meant', () => {
    expect(parseError('client:\n  - auth/a\n  - auth/pkce-and-resource: pkce-s256\n')).toBe(
      "conformance-baseline.yml:3: 'client' entry is a mapping, not a 'scenario' or 'scenario:check-id' string; did you mean 'auth/pkce-and-resource:pkce-s256' (no space after the colon)?",
    );
    expect(parseError('client:\n  - {a: 1, b: 2}\n')).toMatch(/entry is a mapping, not a 'scenario' or 'scenario:check-id' string$/);
  });

  it('rejects entries that are not strings, empty, or malformed', () => {
    expect(parseError('client:\n  - 12\n')).toBe("conformance-baseline.yml:2: 'client' entry 12 is not a 'scenario' or 'scenario:check-id' string");
    expect(parseError('client:\n  - true\n')).toMatch(/entry true is not/);
    expect(parseError('client:\n  - [auth/a]\n')).toMatch(/entry a list is not/);
    expect(parseError('client:\n  -\n')).toBe("conformance-baseline.yml:2: 'client' has an empty entry");
    expect(parseError('client:\n  - ""\n')).toMatch(/empty entry/);
    expect(parseError('client:\n  - "auth/a:"\n')).toMatch(/"auth\/a:" is not 'scenario' or 'scenario:check-id'/);
    expect(parseError('client:\n  - ":pkce-s256"\n')).toMatch(/is not 'scenario' or 'scenario:check-id'/);
    expect(parseError('client:\n  - auth/a:b:c\n')).toMatch(/is not 'scenario' or 'scenario:check-id'/);
    expect(parseError('client:\n  - "auth/a :b"\n')).toMatch(/contains whitespace/);
  });

  it('rejects a scenario listed both wholesale and per check', () => {
    expect(parseError('client:\n  - auth/a:one\n  - auth/a\n')).toBe(
      `conformance-baseline.yml:2: 'client' lists "auth/a" as a whole scenario (line 3) and also "auth/a:one"; keep one of them`,
    );
  });

  it('rejects duplicate entries', () => {
    expect(parseError('client:\n  - auth/a:one\n  - auth/b\n  - auth/a:one\n')).toBe(
      `conformance-baseline.yml:4: 'client' lists "auth/a:one" twice (first on line 2)`,
    );
    expect(parseError('client:\n  - auth/b\n  - auth/b\n')).toMatch(/twice/);
  });

  it('lets the same entry appear under different roles', () => {
    const parsed = baseline('client:\n  - shared/x\nserver:\n  - shared/x\n');
    expect(parsed.entries.client).toHaveLength(1);
    expect(parsed.entries.server).toHaveLength(1);
  });
});

describe('applyExpectedFailures', () => {
  it('marks a listed failing check as expected and recomputes the summary', () => {
    const original = sampleReport();
    expect(original.summary.checks).toEqual({ pass: 5, fail: 3, warn: 2, skip: 1, notReached: 0, expectedFailures: 0 });

    const applied = applyExpectedFailures(original, baseline('client:\n  - auth/pkce-and-resource:pkce-s256\n'));
    expect(checkById(applied, 'auth/pkce-and-resource', 'pkce-s256').expectedFailure).toBe(true);
    expect(checkById(applied, 'auth/pkce-and-resource', 'pkce-s256').status).toBe('fail');
    expect(checkById(applied, 'auth/pkce-and-resource', 'resource-in-token-request').expectedFailure).toBeUndefined();
    expect(applied.summary.checks).toEqual({ pass: 5, fail: 2, warn: 2, skip: 1, notReached: 0, expectedFailures: 1 });
    // The other failure in the same scenario is still unexpected.
    expect(scenarioById(applied, 'auth/pkce-and-resource').status).toBe('fail');
    expect(applied.summary.exitCode).toBe(1);
    expect(applied.summary.staleExpectedFailures).toEqual([]);
  });

  it('passes a scenario whose only failures are expected', () => {
    const applied = applyExpectedFailures(
      sampleReport(),
      baseline('client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/pkce-and-resource:resource-in-token-request\n'),
    );
    expect(scenarioById(applied, 'auth/pkce-and-resource').status).toBe('pass');
    expect(applied.summary.scenarios).toEqual({ total: 5, passed: 2, failed: 2, skipped: 1 });
  });

  it('excuses every failure of a scenario listed wholesale, a crash or timeout included', () => {
    const applied = applyExpectedFailures(
      sampleReport(),
      baseline('client:\n  - auth/pkce-and-resource\n  - auth/token-endpoint-auth-basic\n  - auth/scope-step-up\n'),
    );
    for (const id of ['auth/pkce-and-resource', 'auth/token-endpoint-auth-basic', 'auth/scope-step-up']) {
      expect(scenarioById(applied, id).status).toBe('pass');
    }
    expect(checkById(applied, 'auth/token-endpoint-auth-basic', 'token-request-made').expectedFailure).toBe(true);
    // Warnings stay warnings: the baseline excuses failures, and a warning never failed the run.
    expect(checkById(applied, 'auth/pkce-and-resource', 'issuer-checked')).toMatchObject({ status: 'warn' });
    expect(checkById(applied, 'auth/pkce-and-resource', 'issuer-checked').expectedFailure).toBeUndefined();
    expect(applied.summary.checks).toEqual({ pass: 5, fail: 0, warn: 2, skip: 1, notReached: 0, expectedFailures: 3 });
    expect(applied.summary.scenarios).toEqual({ total: 5, passed: 4, failed: 0, skipped: 1 });
    expect(applied.summary.staleExpectedFailures).toEqual([]);
    expect(applied.summary.exitCode).toBe(0);
  });

  it('excuses the steps a listed failure left undone, and only those', () => {
    const dead = scenario({
      id: 'auth/crash',
      processes: [processOutcome({ exitCode: 1 })],
      checks: [
        check({ id: 'client-process', status: 'fail', message: 'the client exited with code 1' }),
        check({ id: 'pkce-s256', status: 'fail', message: 'plain' }),
        check({ id: 'token-sent-as-bearer', status: 'not-reached', cause: ['client-process'], message: 'no access token was issued' }),
        check({ id: 'resource-consistent', status: 'not-reached', cause: ['client-process', 'pkce-s256'], message: 'never redeemed' }),
      ],
    });
    const original = report([dead]);
    expect(original.summary.checks).toMatchObject({ fail: 2, notReached: 2, expectedFailures: 0 });
    expect(original.summary.exitCode).toBe(1);

    const one = applyExpectedFailures(original, baseline('client:\n  - auth/crash:client-process\n'));
    expect(checkById(one, 'auth/crash', 'token-sent-as-bearer').expectedFailure).toBe(true);
    // Its other cause is not excused, so it still fails the run.
    expect(checkById(one, 'auth/crash', 'resource-consistent').expectedFailure).toBeUndefined();
    expect(one.summary.checks).toMatchObject({ fail: 1, notReached: 1, expectedFailures: 2 });

    const both = applyExpectedFailures(original, baseline('client:\n  - auth/crash:client-process\n  - auth/crash:pkce-s256\n'));
    expect(both.summary.checks).toMatchObject({ fail: 0, notReached: 0, expectedFailures: 4 });
    expect(both.summary.exitCode).toBe(0);
    // A not-reached check listed itself is excused and not stale: it still did not happen.
    const listed = applyExpectedFailures(original, baseline('client:\n  - auth/crash:token-sent-as-bearer\n'));
    expect(checkById(listed, 'auth/crash', 'token-sent-as-bearer').expectedFailure).toBe(true);
    expect(listed.summary.staleExpectedFailures).toEqual([]);
  });

  it('reports entries whose check now passes, and scenarios listed wholesale that pass cleanly, as stale', () => {
    const applied = applyExpectedFailures(
      sampleReport(),
      baseline(
        [
          'client:',
          '  - auth/pkce-and-resource',
          '  - auth/token-endpoint-auth-basic',
          '  - auth/scope-step-up',
          '  - auth/metadata-default',
          '  - auth/other:prm-fetched',
        ].join('\n'),
      ),
    );
    expect(applied.summary.staleExpectedFailures).toEqual(['auth/metadata-default']);
    expect(applied.summary.exitCode).toBe(1);

    const perCheck = applyExpectedFailures(sampleReport(), baseline('client:\n  - auth/token-endpoint-auth-basic:prm-fetched\n'));
    expect(perCheck.summary.staleExpectedFailures).toEqual(['auth/token-endpoint-auth-basic:prm-fetched']);
  });

  it('does not call an entry stale when nothing was demonstrated', () => {
    const applied = applyExpectedFailures(
      sampleReport(),
      baseline(
        [
          'client:',
          // warn: the SHOULD is still unmet and the entry is needed under --strict
          '  - auth/pkce-and-resource:issuer-checked',
          // skipped check
          '  - auth/pkce-and-resource:refresh-rotation',
          // a check id the scenario did not report
          '  - auth/pkce-and-resource:no-such-check',
          // a scenario that was skipped
          '  - auth/2025-03-26-oauth-metadata-backcompat',
          // a scenario not in this run
          '  - auth/not-selected',
          '  - auth/not-selected-either:some-check',
        ].join('\n'),
      ),
    );
    expect(applied.summary.staleExpectedFailures).toEqual([]);
    expect(checkById(applied, 'auth/pkce-and-resource', 'issuer-checked').expectedFailure).toBeUndefined();
    expect(scenarioById(applied, 'auth/2025-03-26-oauth-metadata-backcompat').status).toBe('skip');
  });

  it('keeps a wholesale entry for a scenario that only warns', () => {
    const warnOnly = report([
      scenario({ id: 'auth/w', checks: [check({ id: 'a' }), check({ id: 'b', level: 'SHOULD', status: 'warn', message: 'meh' })] }),
    ]);
    const applied = applyExpectedFailures(warnOnly, baseline('client:\n  - auth/w\n'));
    expect(applied.summary.staleExpectedFailures).toEqual([]);
    expect(applied.summary.exitCode).toBe(0);
  });

  it('uses the list of the given role only', () => {
    const listedForServer = baseline('server:\n  - auth/pkce-and-resource\n');
    const applied = applyExpectedFailures(sampleReport(), listedForServer);
    expect(applied.summary.checks.expectedFailures).toBe(0);
    const asServer = applyExpectedFailures(sampleReport(), listedForServer, 'server');
    expect(asServer.summary.checks.expectedFailures).toBe(2);
  });

  it('covers every occurrence of a repeated check id', () => {
    const repeated = report([
      scenario({
        id: 'auth/r',
        checks: [check({ id: 'x' }), check({ id: 'x', status: 'fail', message: 'second run failed' }), check({ id: 'y' })],
      }),
    ]);
    const applied = applyExpectedFailures(repeated, baseline('client:\n  - auth/r:x\n'));
    expect(applied.scenarios[0].checks.map((c) => c.expectedFailure)).toEqual([undefined, true, undefined]);
    expect(applied.summary.staleExpectedFailures).toEqual([]);
    expect(applied.scenarios[0].status).toBe('pass');
  });

  it('keeps a scenario failed for a reason outside its checks unless it is listed wholesale', () => {
    const applied = applyExpectedFailures(sampleReport(), baseline('client:\n  - auth/scope-step-up:anything\n'));
    expect(scenarioById(applied, 'auth/scope-step-up').status).toBe('fail');
    expect(applied.summary.staleExpectedFailures).toEqual([]);
  });

  it('does not modify its input', () => {
    const original = sampleReport();
    const copy = structuredClone(original);
    applyExpectedFailures(original, baseline('client:\n  - auth/pkce-and-resource\n  - auth/metadata-default\n'));
    expect(original).toEqual(copy);
  });

  it('recomputes flags from an earlier application', () => {
    const b = baseline('client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/token-endpoint-auth-basic:token-request-made\n');
    const once = applyExpectedFailures(sampleReport(), b);
    expect(applyExpectedFailures(once, b)).toEqual(once);
    const undone = applyExpectedFailures(once, emptyExpectedFailures());
    expect(undone).toEqual(sampleReport());
  });

  it('keeps exit codes 2 and 3, decided before the baseline', () => {
    const couldNotRun = sampleReport();
    couldNotRun.summary.exitCode = 3;
    expect(applyExpectedFailures(couldNotRun, emptyExpectedFailures()).summary.exitCode).toBe(3);
    const allExcused = baseline('client:\n  - auth/pkce-and-resource\n  - auth/token-endpoint-auth-basic\n  - auth/scope-step-up\n');
    expect(applyExpectedFailures(couldNotRun, allExcused).summary.exitCode).toBe(3);
    const usage = sampleReport();
    usage.summary.exitCode = 2;
    expect(applyExpectedFailures(usage, allExcused).summary.exitCode).toBe(2);
  });

  it('leaves entries for scenarios an interrupted run never finished alone', () => {
    const applied = applyExpectedFailures(interruptedReport(), baseline('client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/scope-step-up\n'));
    expect(applied.summary.staleExpectedFailures).toEqual([]);
    expect(applied.summary.exitCode).toBe(0);
    expect(applied.interrupted).toBe(true);
  });
});

describe('summary helpers', () => {
  it('counts every check exactly once', () => {
    const r = applyExpectedFailures(sampleReport(), baseline('client:\n  - auth/pkce-and-resource:pkce-s256\n'));
    const { checks } = summarize(r.scenarios);
    const total = r.scenarios.reduce((n, s) => n + s.checks.length, 0);
    expect(checks.pass + checks.fail + checks.warn + checks.skip + checks.expectedFailures).toBe(total);
  });

  it('derives scenario status from checks, keeping skips and failures that lie outside the checks', () => {
    const failing = [check({ id: 'a', status: 'fail' })];
    const expected = [check({ id: 'a', status: 'fail', expectedFailure: true })];
    expect(scenarioStatusOf(failing, 'pass')).toBe('fail');
    expect(scenarioStatusOf(expected, 'fail')).toBe('pass');
    expect(scenarioStatusOf([check({ id: 'w', status: 'warn' })], 'pass')).toBe('pass');
    expect(scenarioStatusOf([], 'fail')).toBe('fail');
    expect(scenarioStatusOf(failing, 'skip')).toBe('skip');
  });

  it('exits 1 on an unexpected failure or a stale entry, 0 otherwise', () => {
    const clean = report([scenario({ id: 'auth/a', checks: [check({ id: 'x' }), check({ id: 'y', status: 'warn', level: 'SHOULD' })] })]);
    expect(exitCodeOf(clean)).toBe(0);
    expect(exitCodeOf({ ...clean, summary: { ...clean.summary, staleExpectedFailures: ['auth/a:x'] } })).toBe(1);
    expect(exitCodeOf(sampleReport())).toBe(1);
    expect(exitCodeOf(interruptedReport())).toBe(0);
  });
});
