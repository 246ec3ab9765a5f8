// The rules that turn findings into statuses, once for every suite: levels, optional preconditions,
// root cause first. Pure functions of the findings; the scenario tests show the same on real runs.
import { describe, expect, it } from 'vitest';
import { met, missing, notExercised, skip, unmet, type CheckDef, type Finding, type Precondition } from '../../core/check.js';
import { verdicts, type Judged } from '../../core/verdicts.js';

const REFRESHED: Precondition = { id: 'refresh', behaviour: 'refreshing a token', optional: true, judgedBy: ['refresh-instead-of-reauthorization', 'refresh-no-reauthorization'] };
const AUTHORIZED: Precondition = { id: 'authorization', behaviour: 'authorizing', optional: false };

function check(id: string, level: CheckDef['level'] = 'MUST'): CheckDef {
  return { id, title: id, requirements: [], level, specVersions: ['2026-07-28'], specLinks: [], judge: () => met('') };
}

const judged = (entries: Array<[string, Finding, CheckDef['level']?]>): Judged[] => entries.map(([id, finding, level]) => ({ check: check(id, level), finding }));
const statuses = (results: ReturnType<typeof verdicts>) => Object.fromEntries(results.map((r) => [r.id, r.status]));
const PROCESS = { processCheck: 'client-process' };

describe('levels', () => {
  it('fails an unmet MUST, warns on an unmet SHOULD, and fails it under --strict', () => {
    const findings = judged([
      ['must', unmet('no', [])],
      ['should', unmet('no', []), 'SHOULD'],
      ['fine', met('yes')],
      ['other', skip('does not apply')],
    ]);
    expect(statuses(verdicts(findings, { strict: false }))).toEqual({ must: 'fail', should: 'warn', fine: 'pass', other: 'skip' });
    expect(statuses(verdicts(findings, { strict: true }))).toMatchObject({ should: 'fail' });
  });
});

describe('optional preconditions', () => {
  it('makes a check not applicable when the optional behaviour it needs never happened, naming the check that carries the verdict', () => {
    const results = verdicts(
      judged([
        ['refresh-token-rotated-used', notExercised(REFRESHED, 'the client never refreshed')],
        ['refresh-instead-of-reauthorization', unmet('run 2 authorized again', []), 'SHOULD'],
      ]),
      { strict: false },
    );
    expect(results[0]).toMatchObject({
      status: 'skip',
      message: 'not applicable, refreshing a token is optional here: the client never refreshed; refresh-instead-of-reauthorization carries the verdict',
    });
    expect(results[0].cause).toBeUndefined();
    expect(results[1].status).toBe('warn');
    // Without a carrier in the scenario, the skip names none.
    const [alone] = verdicts(judged([['refresh-token-rotated-used', notExercised(REFRESHED, 'the client never refreshed')]]), { strict: false });
    expect(alone.message).toBe('not applicable, refreshing a token is optional here: the client never refreshed');
  });

  it('fails it where the scenario makes the behaviour mandatory', () => {
    const [result] = verdicts(judged([['refresh-token-rotated-used', notExercised(REFRESHED, 'the client never refreshed')]]), { strict: false, requires: ['refresh'] });
    expect(result).toMatchObject({ status: 'fail', message: 'the client never refreshed' });
  });

  it('fails a missing step that is not optional, or that names no precondition', () => {
    const results = verdicts(
      judged([
        ['a', notExercised(AUTHORIZED, 'the client never sent an authorization request')],
        ['b', missing('no MCP request after the token')],
      ]),
      { strict: false },
    );
    expect(statuses(results)).toEqual({ a: 'fail', b: 'fail' });
  });
});

describe('root cause first', () => {
  it('puts every missing step of a client that died before its first request on the process check', () => {
    const results = verdicts(
      judged([
        ['client-process', unmet('the client exited with code 1 after 80 ms', [])],
        ['prm-discovered', missing('the client never requested protected resource metadata')],
        ['pkce-s256', missing('no authorization request carried a code_challenge')],
        ['cimd-client-id-url', notExercised({ ...REFRESHED, id: 'cimd' }, 'never used a URL client_id')],
      ]),
      { strict: false, ...PROCESS },
    );
    expect(statuses(results)).toEqual({ 'client-process': 'fail', 'prm-discovered': 'not-reached', 'pkce-s256': 'not-reached', 'cimd-client-id-url': 'skip' });
    expect(results[1]).toMatchObject({ cause: ['client-process'], message: 'the client never requested protected resource metadata' });
  });

  it('names every check the target failed by what it did as a cause, a process that could not start too', () => {
    const results = verdicts(
      judged([
        ['client-process', missing('the client could not be started: ENOENT')],
        ['pkce-s256', unmet('code_challenge_method was plain', [])],
        ['token-sent-as-bearer', missing('no access token was issued')],
      ]),
      { strict: false, ...PROCESS },
    );
    expect(results[2]).toMatchObject({ status: 'not-reached', cause: ['client-process', 'pkce-s256'] });
  });

  it('leaves a missing step a plain failure when nothing the target did failed first', () => {
    const results = verdicts(
      judged([
        ['client-process', met('exited 0')],
        ['token-sent-as-bearer', missing('no access token was issued')],
        ['state-sent', unmet('no state', []), 'SHOULD'],
      ]),
      { strict: false, ...PROCESS },
    );
    // A warning is no root cause: a SHOULD left unmet does not stop a flow.
    expect(statuses(results)).toEqual({ 'client-process': 'pass', 'token-sent-as-bearer': 'fail', 'state-sent': 'warn' });
  });

  it('takes no SHOULD as a cause, even under --strict where it fails', () => {
    const results = verdicts(
      judged([
        ['state-sent', unmet('no state', []), 'SHOULD'],
        ['token-sent-as-bearer', missing('no access token was issued')],
      ]),
      { strict: true, ...PROCESS },
    );
    expect(statuses(results)).toEqual({ 'state-sent': 'fail', 'token-sent-as-bearer': 'fail' });
  });
});

describe('an exit explained by missing optional behaviour', () => {
  const stepUp = { ...PROCESS, exitExplainedBy: ['step-up-escalation'] };

  it('does not hold a non-zero exit against a client when the check of the behaviour its flow needed already warns', () => {
    const results = verdicts(
      judged([
        ['client-process', unmet('the client exited with code 1 after 900 ms', [])],
        ['step-up-escalation', unmet('never authorized again after the 403', []), 'SHOULD'],
        ['step-up-scope-union', missing('no union to judge')],
      ]),
      { strict: false, ...stepUp },
    );
    expect(results[0]).toMatchObject({
      status: 'skip',
      message: 'not applicable: the client exited with code 1 after 900 ms, the consequence of step-up-escalation, which carries the verdict',
    });
    expect(statuses(results)).toEqual({ 'client-process': 'skip', 'step-up-escalation': 'warn', 'step-up-scope-union': 'fail' });
  });

  it('still fails a timeout, or an exit where the behaviour was there', () => {
    const hung = verdicts(judged([['client-process', missing('still running at the timeout')], ['step-up-escalation', unmet('no', []), 'SHOULD']]), { strict: false, ...stepUp });
    expect(hung[0].status).toBe('fail');
    const crashed = verdicts(judged([['client-process', unmet('exited with code 1', [])], ['step-up-escalation', met('stepped up')]]), { strict: false, ...stepUp });
    expect(crashed[0].status).toBe('fail');
  });
});
