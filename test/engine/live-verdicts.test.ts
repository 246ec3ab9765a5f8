// Verdicts on a growing trace: the saved trace of the reference client in auth/metadata-default,
// replayed one exchange at a time, and the same trace with the token request's resource removed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksAt } from '../../core/scenario.js';
import { changedVerdicts, liveVerdicts, type LiveStatus } from '../../core/live-verdicts.js';
import type { Trace } from '../../core/trace.js';
import { clientScenarios } from '../../suites/client/index.js';

const trace = JSON.parse(readFileSync(new URL('../../fixtures/traces/auth__metadata-default.json', import.meta.url), 'utf8')) as Trace;
const scenario = clientScenarios.find((s) => s.id === 'auth/metadata-default')!;
const checks = checksAt(scenario, '2026-07-28');
const upTo = (t: Trace, n: number): Trace => ({ ...t, exchanges: t.exchanges.slice(0, n) });

describe('liveVerdicts', () => {
  it('holds every check pending before anything happened, and passes a correct client once its flow is done', () => {
    expect(liveVerdicts(checks, upTo(trace, 0)).every((v) => v.status === 'pending')).toBe(true);
    const final = liveVerdicts(checks, trace);
    expect(final.filter((v) => v.status === 'fail' || v.status === 'warn')).toEqual([]);
    expect(final.filter((v) => v.status === 'pass').length).toBeGreaterThan(10);
  });

  it('fails a flow that stopped half-way, which is why a live view judges only once the target paused', () => {
    // After the challenge alone, "answered the 401" is unmet: right for a client that stopped there.
    const stopped = liveVerdicts(checks, upTo(trace, 1)).filter((v) => v.status === 'fail');
    expect(stopped.map((v) => v.id)).toEqual(['authorized-after-401']);
  });

  it('fails the check the moment the offending exchange is recorded, with that exchange as evidence', () => {
    const tokenIndex = trace.exchanges.findIndex((e) => e.role === 'token');
    const broken: Trace = structuredClone(trace);
    const token = broken.exchanges[tokenIndex];
    const form = new URLSearchParams(token.request.body);
    form.delete('resource');
    token.request.body = form.toString();

    const before = liveVerdicts(checks, upTo(broken, tokenIndex));
    const after = liveVerdicts(checks, upTo(broken, tokenIndex + 1));
    const seen = new Map<string, LiveStatus>(before.map((v) => [v.id, v.status]));
    const changed = changedVerdicts(seen, after).filter((v) => v.status === 'fail');
    expect(changed.map((v) => v.id)).toContain('resource-in-token-request');
    expect(after.find((v) => v.id === 'resource-in-token-request')).toMatchObject({ level: 'MUST', evidence: [token.id] });
  });

  it('reports a check that throws as pending with the reason rather than crashing', () => {
    const throwing = { ...checks[0], judge: () => { throw new Error('boom'); } };
    expect(liveVerdicts([throwing], trace)[0]).toMatchObject({ status: 'pending', message: expect.stringContaining('boom') });
  });
});
