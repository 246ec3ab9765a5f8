// The verdict rules of core/verdicts.ts on real traffic: saved traces of the reference client
// (fixtures/traces/), cut short the way a real client falls short, judged by the engine's own
// judge() exactly as a run reports them. The rules' unit tests (test/engine/verdicts.test.ts) use
// made-up findings; these show the checks and the rules together give the verdict a user would see:
// - a client without optional behaviour (step-up) is not failed for it: the check of that behaviour
//   warns, the checks that need it are not applicable, and its exit is not held against it;
// - a step the world made mandatory (a second authorization once the token expired and no refresh
//   token exists) fails where it is missing, and sits on the process when the client gave up;
// - a client that dies before its first request shows one failure and every other step not reached.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judge } from '../../core/engine.js';
import type { CheckResult } from '../../core/report.js';
import type { Trace } from '../../core/trace.js';
import { clientScenarios } from '../../suites/client/index.js';

const RECORDED_AT = '2026-07-28';

function saved(scenarioId: string): Trace {
  return JSON.parse(readFileSync(new URL(`../../fixtures/traces/${scenarioId.replaceAll('/', '__')}.json`, import.meta.url), 'utf8')) as Trace;
}

function reported(trace: Trace, options: { strict?: boolean } = {}): Map<string, CheckResult> {
  const scenario = clientScenarios.find((s) => s.id === trace.scenario)!;
  return new Map(judge(scenario, trace, { specVersion: RECORDED_AT, strict: options.strict ?? false }).map((r) => [r.id, r]));
}

/** The trace as if the client had stopped after exchange `lastId`, ending with `exitCode`. */
function stoppedAfter(trace: Trace, lastId: number, exitCode: number, actor = trace.processes.at(-1)!.actor): Trace {
  return {
    ...trace,
    exchanges: trace.exchanges.filter((e) => e.id <= lastId),
    processes: trace.processes.map((p) => (p.actor === actor ? { ...p, exitCode, stderrTail: exitCode ? 'Error: gave up\n' : '' } : p)),
  };
}

const statuses = (results: Map<string, CheckResult>, wanted: CheckResult['status']): string[] =>
  [...results.values()].filter((r) => r.status === wanted).map((r) => r.id).sort();

describe('the verdict rules on saved traces', () => {
  it('every saved trace as recorded: nothing fails, nothing is not reached', () => {
    for (const scenario of clientScenarios.filter((s) => s.specVersions.includes(RECORDED_AT))) {
      const results = reported(saved(scenario.id), { strict: true });
      expect([...statuses(results, 'fail'), ...statuses(results, 'not-reached')], scenario.id).toEqual([]);
    }
  });

  describe('a client without step-up, in auth/scope-step-up', () => {
    // The reference client's own traffic up to the 403 on tools/call, then an error exit: what a
    // client that does not implement step-up (a SHOULD) does.
    const trace = saved('auth/scope-step-up');
    const firstForbidden = trace.exchanges.find((e) => e.response?.status === 403)!;
    const results = reported(stoppedAfter(trace, firstForbidden.id, 1));

    it('warns on the check of the behaviour itself, and fails nothing', () => {
      expect(results.get('step-up-escalation')?.status).toBe('warn');
      expect(statuses(results, 'fail')).toEqual([]);
      expect(statuses(results, 'not-reached')).toEqual([]);
    });

    it('makes the checks that need a step-up not applicable, naming the check that carries the verdict', () => {
      const union = results.get('step-up-scope-union')!;
      expect(union.status).toBe('skip');
      expect(union.message).toMatch(/^not applicable, .* is optional here: .*step-up-escalation carries the verdict/);
    });

    it('does not hold the error exit against it a second time', () => {
      const process = results.get('client-process')!;
      expect(process.status).toBe('skip');
      expect(process.message).toMatch(/the consequence of step-up-escalation/);
    });

    it('fails under --strict only through the SHOULD it left unmet', () => {
      const strict = reported(stoppedAfter(trace, firstForbidden.id, 1), { strict: true });
      expect(statuses(strict, 'fail')).toEqual(['step-up-escalation']);
      expect(strict.get('step-up-call-succeeds')?.status).toBe('skip');
    });
  });

  describe('a client that does not authorize again, in auth/pkce-fresh-per-attempt', () => {
    // The second start's token has expired and the world issues no refresh token, so the second
    // authorization is mandatory here.
    const trace = saved('auth/pkce-fresh-per-attempt');
    const second = trace.runs![1].actors[0];
    const secondStart = trace.exchanges.find((e) => e.actor === second)!;
    const lastRefused = trace.exchanges.filter((e) => e.actor === second && e.response?.status === 401).at(-1)!;

    it('fails the freshness check where the client ends as if all were well', () => {
      // The second start sends nothing and exits 0: nothing it did was wrong, but the step the
      // world made mandatory is missing.
      const results = reported(stoppedAfter(trace, secondStart.id - 1, 0, second));
      const fresh = results.get('pkce-fresh-per-attempt')!;
      expect(fresh.status).toBe('fail');
      expect(fresh.message).toMatch(/the client made 1/);
    });

    it('puts the verdict on the 401 the second start left unanswered, and on its exit, and the missing attempt is not reached', () => {
      const results = reported(stoppedAfter(trace, lastRefused.id, 1, second));
      expect(results.get('client-process')?.status).toBe('fail');
      expect(results.get('client-process')?.message).toMatch(/client-2 .*exited with code 1/);
      const answered = results.get('authorized-after-401')!;
      expect(answered.status).toBe('fail');
      expect(answered.message).toMatch(/^client-2 \(run 2 \(after expiry\)\): the client never answered the 401 \(#\d+\) with an authorization/);
      expect(results.get('pkce-fresh-per-attempt')).toMatchObject({ status: 'not-reached', cause: ['client-process', 'authorized-after-401'] });
    });
  });

  describe('a client that dies before its first request, in auth/metadata-default', () => {
    const trace = stoppedAfter(saved('auth/metadata-default'), 0, 1);
    const results = reported(trace);

    it('shows one failure, the process, and every other check not reached because of it', () => {
      expect(statuses(results, 'fail')).toEqual(['client-process']);
      const others = [...results.values()].filter((r) => r.id !== 'client-process');
      expect(others.length).toBeGreaterThan(15);
      for (const r of others) expect(r, r.id).toMatchObject({ status: 'not-reached', cause: ['client-process'] });
    });
  });

  describe('a client that never answers the 401, in auth/metadata-default', () => {
    // It stops at the first 401 and exits 0: nothing it did crashed, but C-PRM-05 is broken.
    const original = saved('auth/metadata-default');
    const challenged = original.exchanges.find((e) => e.response?.status === 401)!;
    const results = reported(stoppedAfter(original, challenged.id, 0));

    it('fails authorized-after-401 for what it did not do, and the steps after it are not reached', () => {
      const answered = results.get('authorized-after-401')!;
      expect(answered.status).toBe('fail');
      expect(answered.message).toMatch(/never answered the 401/);
      expect(answered.evidence.map((e) => e.exchange)).toEqual([challenged.id]);
      expect(statuses(results, 'fail')).toEqual(['authorized-after-401']);
      for (const id of statuses(results, 'not-reached')) expect(results.get(id)?.cause, id).toEqual(['authorized-after-401']);
      expect(results.get('pkce-s256')?.status).toBe('not-reached');
    });
  });
});
