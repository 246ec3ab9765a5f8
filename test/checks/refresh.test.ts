// The refresh-token checks on hand-built traces: the world's generation header read right, overlap
// arithmetic at its edges, and for every check a trace that passes, one that fails naming the
// offending exchange, and one where the behaviour never happened (which must not pass).
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/check.js';
import type { Trace } from '../../core/trace.js';
import { FAMILY_REVOKED_HEADER, REFRESH_GENERATION_HEADER } from '../../mocks/authorization-server/diagnostics.js';
import {
  refreshFollowUpUsesLatest,
  refreshInsteadOfReauthorization,
  refreshNoReauthorization,
  refreshNoSupersededToken,
  refreshReuseNeverDetected,
  refreshSingleFlight,
  refreshNotWhileValid,
  refreshSingleFlightInProcess,
  refreshSurvivesTransientErrors,
  refreshTokenKeptWhenNotRotated,
  refreshTokenPresentedOnce,
  refreshTokenRotatedUsed,
} from '../../suites/client/checks/refresh.js';
import { overlaps, parseFamilyRevoked, parseRefreshGeneration, refreshPresentations, runPositions, runsOf, supersededPresentations } from '../../suites/client/observe.js';
import { AS, RS, facts, formBody, trace, withRuns } from '../support/trace-builder.js';

interface When {
  at?: number;
  durationMs?: number;
  actor?: string;
}

const generation = (family: string, n: number, outcome = 'issued') => ({ [REFRESH_GENERATION_HEADER]: `family=${family}; generation=${n}; outcome=${outcome}` });

/** A code redemption that starts family `family` with refresh token `rt`. */
function redeem(rt: string, family: string, when: When = {}) {
  return {
    role: 'token' as const,
    method: 'POST',
    url: `${AS}/token`,
    ...formBody({ grant_type: 'authorization_code', code: `code-${rt}`, code_verifier: 'v', client_id: 'c1', resource: `${RS}/mcp` }),
    responseBody: { access_token: `at-${rt}`, token_type: 'Bearer', refresh_token: rt },
    responseHeaders: generation(family, 0),
    ...when,
  };
}

type Answer =
  | { rt: string; family: string; generation: number; outcome?: 'issued' | 'replayed' }
  | { kept: true; family: string; generation: number }
  | { status: number; revoked?: 'now' | 'earlier'; family?: string };

/** A refresh presenting `presented`, answered as `answer` says. */
function refresh(presented: string, answer: Answer, when: When = {}) {
  const request = { role: 'token' as const, method: 'POST', url: `${AS}/token`, ...formBody({ grant_type: 'refresh_token', refresh_token: presented, client_id: 'c1', resource: `${RS}/mcp` }) };
  if ('status' in answer) {
    const headers: Record<string, string> = answer.revoked ? { [FAMILY_REVOKED_HEADER]: `reuse; family=${answer.family}; detected=${answer.revoked}` } : {};
    const body = answer.status >= 500 || answer.status === 429 ? `${answer.status} Service Unavailable` : { error: 'invalid_grant' };
    return { ...request, status: answer.status, responseHeaders: headers, responseBody: body, ...when };
  }
  if ('kept' in answer) return { ...request, responseBody: { access_token: `at-kept-${presented}`, token_type: 'Bearer' }, responseHeaders: generation(answer.family, answer.generation, 'kept'), ...when };
  return {
    ...request,
    responseBody: { access_token: `at-${answer.rt}`, token_type: 'Bearer', refresh_token: answer.rt },
    responseHeaders: generation(answer.family, answer.generation, answer.outcome ?? 'issued'),
    ...when,
  };
}

const authorize = (when: When = {}) => ({ role: 'authorize' as const, url: `${AS}/authorize?client_id=c1&scope=mcp`, status: 302, actor: 'browser', ...when });
const mcp = (status: number, when: When = {}, method = 'tools/call') => ({
  role: 'mcp' as const,
  method: 'POST',
  url: `${RS}/mcp`,
  headers: { authorization: 'Bearer at' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }),
  status,
  ...when,
});

const evidence = (finding: Finding) => ('evidence' in finding ? (finding.evidence ?? []).map((e) => e.exchange) : []);

describe('the generation and reuse headers', () => {
  it('reads family, generation, outcome and revoked siblings', () => {
    expect(parseRefreshGeneration('family=f1; generation=3; outcome=issued; revoked-siblings=2')).toEqual({ family: 'f1', generation: 3, outcome: 'issued', revokedSiblings: 2 });
    expect(parseRefreshGeneration('family=f1;generation=0;outcome=kept')).toEqual({ family: 'f1', generation: 0, outcome: 'kept', revokedSiblings: 0 });
    expect(parseRefreshGeneration('outcome=replayed; generation=1; family=abc')).toMatchObject({ family: 'abc', generation: 1, outcome: 'replayed' });
  });

  it('refuses malformed values rather than guessing', () => {
    for (const bad of [undefined, '', 'family=f1; generation=x; outcome=issued', 'family=f1; generation=-1; outcome=issued', 'family=f1; generation=1; outcome=stolen', 'generation=1; outcome=issued', 'family=f1; generation=1.5; outcome=issued'])
      expect(parseRefreshGeneration(bad), String(bad)).toBeUndefined();
  });

  it('reads the reuse header and its moment of detection', () => {
    expect(parseFamilyRevoked('reuse; family=f9; detected=now')).toEqual({ family: 'f9', detected: 'now' });
    expect(parseFamilyRevoked('reuse; family=f9; detected=earlier')).toEqual({ family: 'f9', detected: 'earlier' });
    expect(parseFamilyRevoked('family=f9; detected=now')).toBeUndefined();
    expect(parseFamilyRevoked('reuse; family=f9; detected=later')).toBeUndefined();
  });

  it('maps each presented token to the answer that issued it, ordering refreshes by arrival', () => {
    // Ids follow answers; the second refresh arrived first but was answered later.
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 50 }), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 }, { at: 40 })]);
    expect(refreshPresentations(t).map((p) => [p.exchange.id, p.issued?.generation])).toEqual([
      [3, 1],
      [2, 0],
    ]);
  });
});

describe('supersession is judged against what had been delivered', () => {
  it('flags a token presented after its successor was delivered', () => {
    const t = trace(facts(), [redeem('rt0', 'f', { at: 0 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100, durationMs: 50 }), refresh('rt0', { status: 400 }, { at: 151 })]);
    const found = supersededPresentations(t);
    expect(found).toHaveLength(1);
    expect(found[0].why).toBe('refresh #3 presented generation 0 of family f (issued in #1), but #2 had already issued generation 1');
  });

  it('does not flag one that arrived while the successor was still being issued (that is an overlap, judged by single flight)', () => {
    const t = trace(facts(), [redeem('rt0', 'f', { at: 0 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100, durationMs: 50 }), refresh('rt0', { status: 400 }, { at: 149 })]);
    expect(supersededPresentations(t)).toEqual([]);
  });

  it('takes siblings of the newest generation as current', () => {
    const t = trace(facts(), [
      redeem('rt0', 'f'),
      refresh('rt0', { rt: 'rt1a', family: 'f', generation: 1 }, { at: 100 }),
      refresh('rt0', { rt: 'rt1b', family: 'f', generation: 1 }, { at: 100.5, actor: 'client-2' }),
      refresh('rt1a', { rt: 'rt2', family: 'f', generation: 2 }, { at: 200 }),
    ]);
    expect(supersededPresentations(t)).toEqual([]);
  });
});

describe('refresh-token-rotated-used', () => {
  it('passes when each refresh presents the newest token', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 })]);
    expect(refreshTokenRotatedUsed.judge(t)).toMatchObject({ outcome: 'met', message: '1 refresh(es) after a rotation presented the newest token' });
  });

  it('fails a client that keeps the first refresh token, naming the refresh and the rotation it ignored', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), refresh('rt0', { status: 400 })]);
    const finding = refreshTokenRotatedUsed.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toMatch(/^refresh #3 presented generation 0 of family f \(issued in #1\), but #2 had already issued generation 1$/);
    expect(finding).toMatchObject({ evidence: [{ exchange: 3, part: 'form.refresh_token' }, { exchange: 2, part: `response.header.${REFRESH_GENERATION_HEADER}` }] });
  });

  it('fails a refresh with a token the world never issued', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), refresh('made-up', { status: 400 })]);
    expect(refreshTokenRotatedUsed.judge(t)).toMatchObject({ outcome: 'unmet', message: 'refresh #3 presented a refresh token the world never issued' });
  });

  it('cannot pass without a refresh, nor with only refreshes that came before any rotation', () => {
    expect(refreshTokenRotatedUsed.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
    expect(refreshTokenRotatedUsed.judge(trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })])).outcome).toBe('missing');
  });
});

describe('refresh-no-superseded-token', () => {
  it('passes one refresh by one copy', () => {
    expect(refreshNoSupersededToken.judge(trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })])).outcome).toBe('met');
  });

  it("fails a copy that presents the token another copy had already rotated", () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { actor: 'client-2' }), refresh('rt0', { status: 400, revoked: 'now', family: 'f' }, { actor: 'client-3' })]);
    const finding = refreshNoSupersededToken.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(evidence(finding)).toEqual([3, 2]);
  });

  it('cannot pass when no copy refreshed', () => {
    expect(refreshNoSupersededToken.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

describe('runs', () => {
  it('assigns client exchanges by actor and the browser by time, else to the run before it', () => {
    const t = withRuns(trace(facts(), [mcp(401, { at: 0 }), authorize({ at: 5 }), mcp(401, { at: 100, actor: 'client-2' }), authorize({ at: 105 })]), [
      { label: 'cold start', actors: ['client-1'], startedAt: 0, endedAt: 50 },
      { label: 'after expiry', actors: ['client-2'] },
    ]);
    expect([...runPositions(t)]).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
    ]);
    expect(runsOf(t).map((r) => r.label)).toEqual(['cold start', 'after expiry']);
  });

  it('treats a trace without runs as one run', () => {
    expect(runsOf(trace(facts(), [mcp(200)]))).toEqual([{ position: 0, label: 'the only run', actors: ['client-1'], clientRefuses: false }]);
  });
});

/** Cold start (client-1) with the family started, then run 2 (client-2) doing `later`. */
function twoRuns(later: ReturnType<typeof refresh | typeof authorize | typeof mcp>[], first: ReturnType<typeof redeem | typeof authorize | typeof mcp>[] = []): Trace {
  const steps = [...first.map((s, i) => ({ ...s, at: i })), redeem('rt0', 'f', { at: 9 }), ...later.map((s, i) => ({ actor: 'client-2', ...s, at: 100 + i * 10 }))];
  return withRuns(trace(facts(), steps), [
    { label: 'cold start', actors: ['client-1'], startedAt: 0, endedAt: 50 },
    { label: 'after expiry', actors: ['client-2'], startedAt: 60, endedAt: 1000 },
  ]);
}

describe.each([refreshInsteadOfReauthorization, refreshNoReauthorization])('$id', (check) => {
  it('passes a later run that refreshes', () => {
    expect(check.judge(twoRuns([mcp(401), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), mcp(200)])).outcome).toBe('met');
  });

  it('fails a later run that authorizes again, naming the authorization', () => {
    const finding = check.judge(twoRuns([mcp(401), authorize()]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'run 2 (after expiry) authorized again (#3) while family f was alive', evidence: [{ exchange: 3 }] });
  });

  it('names reuse detection set off by the client as the cause', () => {
    const finding = check.judge(twoRuns([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), refresh('rt0', { status: 400, revoked: 'now', family: 'f' }), authorize()]));
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toContain("the client's own refresh #3 had set off reuse detection");
    expect(evidence(finding)).toEqual([4, 3]);
  });

  it('cannot pass with a single run, without a family, or when later runs did nothing', () => {
    expect(check.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
    const noFamily = withRuns(trace(facts(), [mcp(200), mcp(200, { actor: 'client-2' })]), [
      { label: 'a', actors: ['client-1'] },
      { label: 'b', actors: ['client-2'] },
    ]);
    expect(check.judge(noFamily).outcome).toBe('missing');
    expect(check.judge(twoRuns([])).outcome).toBe('missing');
  });
});

describe('refresh-token-kept-when-not-rotated', () => {
  it('passes when the token kept by an answer without refresh_token is presented next', () => {
    const t = twoRuns([refresh('rt0', { kept: true, family: 'f', generation: 0 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })]);
    expect(refreshTokenKeptWhenNotRotated.judge(t).outcome).toBe('met');
  });

  it('fails a client that authorizes instead, having dropped its refresh token', () => {
    const t = twoRuns([refresh('rt0', { kept: true, family: 'f', generation: 0 }), mcp(401), authorize()]);
    expect(refreshTokenKeptWhenNotRotated.judge(t)).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 2, part: `response.header.${REFRESH_GENERATION_HEADER}` }, { exchange: 4 }] });
  });

  it('fails a next refresh that presents something else', () => {
    const t = twoRuns([refresh('rt0', { kept: true, family: 'f', generation: 0 }), refresh('', { status: 400 })]);
    const finding = refreshTokenKeptWhenNotRotated.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toBe('refresh #3 presented a refresh token the world never issued instead of the token refresh #2 kept (generation 0 of family f)');
  });

  it('cannot pass without an answer lacking refresh_token, or with nothing after it', () => {
    expect(refreshTokenKeptWhenNotRotated.judge(twoRuns([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })])).outcome).toBe('missing');
    expect(refreshTokenKeptWhenNotRotated.judge(twoRuns([refresh('rt0', { kept: true, family: 'f', generation: 0 })])).outcome).toBe('missing');
  });
});

describe('refresh-survives-transient-errors', () => {
  it('passes the same token presented again after a 503', () => {
    const t = twoRuns([refresh('rt0', { status: 503 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })]);
    expect(refreshTokenKeptWhenNotRotated.judge(t).outcome).toBe('missing');
    expect(refreshSurvivesTransientErrors.judge(t).outcome).toBe('met');
  });

  it('passes a newer token when another copy refreshed in between', () => {
    const t = twoRuns([refresh('rt0', { status: 429 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { actor: 'client-3' }), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 })]);
    expect(refreshSurvivesTransientErrors.judge(t).outcome).toBe('met');
  });

  it('fails a client that authorizes after a 503 (it cleared its credentials)', () => {
    const t = twoRuns([refresh('rt0', { status: 503 }), authorize()]);
    expect(refreshSurvivesTransientErrors.judge(t)).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 2, part: 'response.status' }, { exchange: 3 }] });
  });

  it('fails a retry that presents another token', () => {
    const t = twoRuns([refresh('rt0', { status: 502 }), refresh('other', { status: 400 })]);
    expect(refreshSurvivesTransientErrors.judge(t)).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 2 }, { exchange: 3, part: 'form.refresh_token' }] });
  });

  it('cannot pass without a transient failure, or with nothing after it', () => {
    expect(refreshSurvivesTransientErrors.judge(twoRuns([refresh('rt0', { status: 400 })])).outcome).toBe('missing');
    expect(refreshSurvivesTransientErrors.judge(twoRuns([refresh('rt0', { status: 503 })])).outcome).toBe('missing');
  });
});

describe('overlap arithmetic', () => {
  const at = (id: number, start: number, duration: number) => ({ id, at: start, durationMs: duration }) as never;

  it('counts a request arriving before the earlier answer left, not one arriving as it left', () => {
    expect(overlaps([at(1, 100, 50), at(2, 149.9, 1)])).toHaveLength(1);
    expect(overlaps([at(1, 100, 50), at(2, 150, 1)])).toEqual([]);
  });

  it('compares with every earlier request, not only the one before', () => {
    const pairs = overlaps([at(1, 100, 100), at(2, 110, 5), at(3, 150, 1)]);
    expect(pairs.map((p) => [(p.first as { id: number }).id, (p.second as { id: number }).id])).toEqual([
      [1, 2],
      [1, 3],
    ]);
  });

  it('orders by arrival, whatever the ids', () => {
    expect(overlaps([at(2, 149, 1), at(1, 100, 50)]).map((p) => (p.second as { id: number }).id)).toEqual([2]);
  });
});

describe('refresh-single-flight', () => {
  it('passes refreshes one after another', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100, durationMs: 50 }), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 }, { at: 150, actor: 'client-2' })]);
    expect(refreshSingleFlight.judge(t).outcome).toBe('met');
  });

  it('fails two copies refreshing one family at once, with the times', () => {
    const t = trace(facts(), [
      redeem('rt0', 'f'),
      refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100, durationMs: 50, actor: 'client-2' }),
      refresh('rt0', { status: 400, revoked: 'now', family: 'f' }, { at: 120, durationMs: 40, actor: 'client-3' }),
    ]);
    const finding = refreshSingleFlight.judge(t);
    expect(finding.message).toBe('refresh #3 (client-3) arrived at 120 ms, before refresh #2 (client-2) of the same family f was answered at 150 ms');
    expect(evidence(finding)).toEqual([2, 3]);
  });

  it('does not count refreshes of different families as overlapping', () => {
    const t = trace(facts(), [redeem('a0', 'a'), redeem('b0', 'b'), refresh('a0', { rt: 'a1', family: 'a', generation: 1 }, { at: 100, durationMs: 50 }), refresh('b0', { rt: 'b1', family: 'b', generation: 1 }, { at: 110, actor: 'client-2' })]);
    expect(refreshSingleFlight.judge(t).outcome).toBe('met');
  });

  it('cannot pass when no copy refreshed', () => {
    expect(refreshSingleFlight.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

describe('refresh-token-presented-once', () => {
  it('allows one retry after a transient failure, and presenting a token the server kept', () => {
    const t = trace(facts(), [
      redeem('rt0', 'f'),
      refresh('rt0', { status: 503 }, { at: 100 }),
      refresh('rt0', { kept: true, family: 'f', generation: 0 }, { at: 200 }),
      refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 300 }),
    ]);
    expect(refreshTokenPresentedOnce.judge(t).outcome).toBe('met');
  });

  it('fails a token presented again after it was rotated', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1, outcome: 'replayed' }, { at: 200, actor: 'client-2' })]);
    const finding = refreshTokenPresentedOnce.judge(t);
    expect(finding.message).toBe('refresh #3 (client-2) presented generation 0 of family f again after refresh #2 (client-1), which had been answered 200');
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 2 }, { exchange: 3 }] });
  });

  it('fails a retry sent before the failed request was answered', () => {
    const t = trace(facts(), [redeem('rt0', 'f'), refresh('rt0', { status: 503 }, { at: 100, durationMs: 30 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 110 })]);
    expect(refreshTokenPresentedOnce.judge(t).message).toContain('while that request was still unanswered');
  });

  it('cannot pass when no copy refreshed', () => {
    expect(refreshTokenPresentedOnce.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

describe('refresh-reuse-never-detected', () => {
  it('passes refusals that revoke nothing', () => {
    expect(refreshReuseNeverDetected.judge(trace(facts(), [redeem('rt0', 'f'), refresh('x', { status: 400 })])).outcome).toBe('met');
  });

  it('fails on the refusal that set detection off, listing later ones too', () => {
    const t = trace(facts(), [
      redeem('rt0', 'f'),
      refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }),
      refresh('rt0', { status: 400, revoked: 'now', family: 'f' }, { actor: 'client-2' }),
      refresh('rt1', { status: 400, revoked: 'earlier', family: 'f' }),
    ]);
    const finding = refreshReuseNeverDetected.judge(t);
    expect(finding.message).toBe('refresh #3 (client-2) presented generation 0 of family f: the server detected reuse and revoked family f');
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 3, part: `response.header.${FAMILY_REVOKED_HEADER}` }, { exchange: 4 }] });
  });

  it('cannot pass when no copy refreshed', () => {
    expect(refreshReuseNeverDetected.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

/** Cold start, racing copies (client-2, client-3), follow-up (client-4). */
function race(racing: ReturnType<typeof refresh | typeof mcp>[], followUp: ReturnType<typeof refresh | typeof authorize | typeof mcp>[]): Trace {
  const steps = [redeem('rt0', 'f', { at: 0 }), ...racing.map((s, i) => ({ actor: 'client-2', ...s, at: 100 + i * 10 })), ...followUp.map((s, i) => ({ actor: 'client-4', ...s, at: 500 + i * 10 }))];
  return withRuns(trace(facts(), steps), [
    { label: 'cold start', actors: ['client-1'], startedAt: 0, endedAt: 50 },
    { label: 'racing copies', actors: ['client-2', 'client-3'], startedAt: 60, endedAt: 400 },
    { label: 'follow-up', actors: ['client-4'], startedAt: 450, endedAt: 1000 },
  ]);
}

describe('refresh-follow-up-uses-latest', () => {
  it('passes a follow-up that needs nothing, and one that refreshes with the newest token', () => {
    expect(refreshFollowUpUsesLatest.judge(race([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })], [mcp(200)])).outcome).toBe('met');
    const t = race([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })], [mcp(401), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 })]);
    expect(refreshFollowUpUsesLatest.judge(t)).toMatchObject({ outcome: 'met', message: 'run 3 (follow-up) refreshed with the newest token' });
  });

  it('fails a follow-up whose store went back to an older token', () => {
    const t = race([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }), refresh('rt1', { rt: 'rt2', family: 'f', generation: 2 }, { actor: 'client-3' })], [mcp(401), refresh('rt1', { status: 400 })]);
    const finding = refreshFollowUpUsesLatest.judge(t);
    expect(finding.message).toBe('run 3 (follow-up) refreshed (#5) with generation 1 of family f; the store should have held generation 2 of family f (#3)');
    expect(evidence(finding)).toEqual([5, 3]);
  });

  it('fails a follow-up that authorizes', () => {
    expect(refreshFollowUpUsesLatest.judge(race([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })], [mcp(401), authorize()]))).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 4 }] });
  });

  it('cannot pass without a follow-up request', () => {
    expect(refreshFollowUpUsesLatest.judge(race([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 })], [])).outcome).toBe('missing');
    expect(refreshFollowUpUsesLatest.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

describe('refresh-single-flight-in-process', () => {
  const afterExpiry = (steps: ReturnType<typeof refresh | typeof mcp>[]) =>
    withRuns(trace(facts(), [redeem('rt0', 'f', { at: 0 }), ...steps.map((s) => ({ actor: 'client-2', ...s }))]), [
      { label: 'cold start', actors: ['client-1'] },
      { label: 'after expiry', actors: ['client-2'] },
    ]);

  it('passes overlapping MCP requests served by one refresh', () => {
    const t = afterExpiry([mcp(401, { at: 100, durationMs: 20 }, 'tools/list'), mcp(401, { at: 105, durationMs: 20 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 130, durationMs: 30 })]);
    expect(refreshSingleFlightInProcess.judge(t).outcome).toBe('met');
  });

  it('counts requests the server refused one after the other, both before the refresh was answered', () => {
    // The mock handles one request at a time: two sent together rarely overlap in its log.
    const t = afterExpiry([mcp(401, { at: 100, durationMs: 1 }, 'tools/list'), mcp(401, { at: 102, durationMs: 1 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 104, durationMs: 30 })]);
    expect(refreshSingleFlightInProcess.judge(t)).toMatchObject({ outcome: 'met', message: expect.stringMatching(/^MCP requests #2 and #3 carried the same expired token/) });
  });

  it('fails two refreshes in flight together', () => {
    const t = afterExpiry([
      mcp(401, { at: 100, durationMs: 20 }, 'tools/list'),
      mcp(401, { at: 105, durationMs: 20 }),
      refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 130, durationMs: 30 }),
      refresh('rt0', { status: 400, revoked: 'now', family: 'f' }, { at: 131, durationMs: 5 }),
    ]);
    const finding = refreshSingleFlightInProcess.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(evidence(finding)).toEqual([4, 5, 2, 3]);
  });

  it('skips, without passing, a client that never had two requests in flight', () => {
    const t = afterExpiry([mcp(401, { at: 100, durationMs: 5 }, 'tools/list'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 110 }), mcp(200, { at: 120 })]);
    expect(refreshSingleFlightInProcess.judge(t)).toMatchObject({
      outcome: 'missing',
      precondition: { id: 'overlapping-requests', optional: true },
      message: expect.stringMatching(/never had two MCP requests refused for the same expired token before it could refresh/),
    });
  });

  it('skips requests that overlap only once the new token is in hand (nothing for a guard to merge)', () => {
    const t = afterExpiry([mcp(401, { at: 100, durationMs: 5 }, 'tools/list'), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 110 }), mcp(200, { at: 120, durationMs: 20 }), mcp(200, { at: 125 })]);
    expect(refreshSingleFlightInProcess.judge(t)).toMatchObject({ outcome: 'missing', precondition: { id: 'overlapping-requests' } });
  });

  it('cannot pass without a refresh after expiry', () => {
    expect(refreshSingleFlightInProcess.judge(afterExpiry([mcp(401, { at: 100, durationMs: 20 }), mcp(401, { at: 105 })]))).toMatchObject({ outcome: 'missing', precondition: { id: 'refresh' } });
    expect(refreshSingleFlightInProcess.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
  });
});

describe('refresh-not-while-valid', () => {
  const warm = (steps: ReturnType<typeof refresh | typeof mcp>[]) =>
    withRuns(trace(facts(), [redeem('rt0', 'f', { at: 0 }), ...steps.map((s) => ({ actor: 'client-2', ...s }))]), [
      { label: 'cold start', actors: ['client-1'] },
      { label: 'warm reconnect', actors: ['client-2'] },
    ]);

  it('passes a restart that uses the stored token', () => {
    expect(refreshNotWhileValid.judge(warm([mcp(200, { at: 100 }), mcp(200, { at: 110 })]))).toMatchObject({ outcome: 'met', message: 'no refresh after the first run; 2 request(s) served' });
  });

  it('passes a refresh that follows a refusal', () => {
    expect(refreshNotWhileValid.judge(warm([mcp(401, { at: 100 }), refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 110 }), mcp(200, { at: 120 })])).outcome).toBe('met');
  });

  it('fails a refresh before any request was refused', () => {
    const finding = refreshNotWhileValid.judge(warm([refresh('rt0', { rt: 'rt1', family: 'f', generation: 1 }, { at: 100 }), mcp(200, { at: 120 })]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'run 2 (warm reconnect) refreshed (#2) although its access token was valid and no request had been refused' });
    expect(evidence(finding)).toEqual([2]);
  });

  it('cannot pass with one run or with nothing served', () => {
    expect(refreshNotWhileValid.judge(trace(facts(), [redeem('rt0', 'f')])).outcome).toBe('missing');
    expect(refreshNotWhileValid.judge(warm([mcp(401, { at: 100 })])).outcome).toBe('missing');
  });
});
