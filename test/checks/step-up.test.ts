// The step-up checks on hand-built traces: the challenge read right whatever its wording and order,
// and for every check a passing trace, a failing one naming the offending exchange, and one where
// the behaviour never happened.
import { describe, expect, it } from 'vitest';
import { REFRESH_GENERATION_HEADER } from '../../mocks/authorization-server/diagnostics.js';
import {
  bare403NotStepUp,
  scopeNeverNarrows,
  stepUpCallSucceeds,
  stepUpEscalation,
  stepUpInitialScope,
  stepUpReauthorizes,
  stepUpRetryLimit,
  stepUpScopeUnion,
} from '../../suites/client/checks/step-up.js';
import { bearerChallengeParams } from '../../suites/client/observe.js';
import { AS, RS, facts, formBody, trace, withRuns } from '../support/trace-builder.js';

const world = facts({ challengeScope: 'mcp:basic', scopesSupported: ['mcp:profile'] });

const call = (status: number, challenge?: string, method = 'tools/call') => ({
  role: 'mcp' as const,
  method: 'POST',
  url: `${RS}/mcp`,
  headers: { authorization: 'Bearer at' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { name: 'test-tool' } }),
  status,
  ...(challenge ? { responseHeaders: { 'www-authenticate': challenge } } : {}),
});
const unauthorized = { ...call(401, `Bearer resource_metadata="${RS}/.well-known/oauth-protected-resource/mcp", scope="mcp:basic"`, 'tools/list'), headers: {} };
const insufficient = (scope = 'mcp:write') => call(403, `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${RS}/.well-known/oauth-protected-resource/mcp"`);
const authorize = (scope?: string) => ({ role: 'authorize' as const, url: `${AS}/authorize?client_id=c1${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`, status: 302, actor: 'browser' });

function redeem(rt: string, family: string, scope: string) {
  return {
    role: 'token' as const,
    method: 'POST',
    url: `${AS}/token`,
    ...formBody({ grant_type: 'authorization_code', code: `code-${rt}`, code_verifier: 'v', client_id: 'c1' }),
    responseBody: { access_token: `at-${rt}`, token_type: 'Bearer', scope, refresh_token: rt },
    responseHeaders: { [REFRESH_GENERATION_HEADER]: `family=${family}; generation=0; outcome=issued` },
  };
}

function refresh(presented: string, answer?: { rt: string; family: string; generation: number; scope: string }, extra: Record<string, string> = {}) {
  const request = { role: 'token' as const, method: 'POST', url: `${AS}/token`, ...formBody({ grant_type: 'refresh_token', refresh_token: presented, client_id: 'c1', ...extra }) };
  if (!answer) return { ...request, status: 400, responseBody: { error: 'invalid_grant' } };
  return {
    ...request,
    responseBody: { access_token: `at-${answer.rt}`, token_type: 'Bearer', scope: answer.scope, refresh_token: answer.rt },
    responseHeaders: { [REFRESH_GENERATION_HEADER]: `family=${answer.family}; generation=${answer.generation}; outcome=issued` },
  };
}

/** The correct flow: 401, authorize for mcp:basic, 403 for mcp:write, authorize for the union, call succeeds. */
const correct = [unauthorized, authorize('mcp:basic'), redeem('rt-a', 'narrow', 'mcp:basic'), call(200, undefined, 'tools/list'), insufficient(), authorize('mcp:basic mcp:write'), redeem('rt-b', 'wide', 'mcp:basic mcp:write'), call(200)];

describe('reading a Bearer challenge', () => {
  it('reads parameters in any order, with escapes and descriptions', () => {
    const a = bearerChallengeParams('Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="http://x/y"');
    const b = bearerChallengeParams('Bearer resource_metadata="http://x/y", scope="mcp:write", error="insufficient_scope"');
    expect(a).toEqual(b);
    expect(a?.get('scope')).toBe('mcp:write');
    const described = bearerChallengeParams('Bearer error="insufficient_scope", error_description="needs \\"more\\" (challenge 2)", scope="a b"');
    expect(described?.get('error_description')).toBe('needs "more" (challenge 2)');
    expect(described?.get('scope')).toBe('a b');
  });

  it('finds the Bearer challenge after another scheme and refuses headers without one', () => {
    expect(bearerChallengeParams('DPoP algs="ES256", Bearer scope="s", error=invalid_token')?.get('error')).toBe('invalid_token');
    expect(bearerChallengeParams('Basic realm="x"')).toBeUndefined();
    expect(bearerChallengeParams(undefined)).toBeUndefined();
    expect(bearerChallengeParams('bearer')).toEqual(new Map());
  });
});

describe('step-up-initial-scope', () => {
  it('passes a first authorization that includes the challenged scope', () => {
    expect(stepUpInitialScope.judge(trace(world, correct)).outcome).toBe('met');
  });

  it('fails one that asks only for scopes_supported', () => {
    const finding = stepUpInitialScope.judge(trace(world, [unauthorized, authorize('mcp:profile')]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'the first authorization requested "mcp:profile", without the challenged mcp:basic', evidence: [{ exchange: 2, part: 'query.scope' }, { exchange: 1 }] });
  });

  it('cannot pass without an authorization', () => {
    expect(stepUpInitialScope.judge(trace(world, [unauthorized])).outcome).toBe('missing');
  });
});

describe('step-up-escalation', () => {
  it('passes a second authorization that asks for the challenged scope', () => {
    expect(stepUpEscalation.judge(trace(world, correct)).outcome).toBe('met');
  });

  it('fails a client that never authorizes again, naming the 403', () => {
    const finding = stepUpEscalation.judge(trace(world, correct.slice(0, 5)));
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 5, part: 'response.header.www-authenticate' }] });
  });

  it('fails a second authorization without the challenged scope', () => {
    const finding = stepUpEscalation.judge(trace(world, [...correct.slice(0, 5), authorize('mcp:basic')]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'the step-up authorization requested "mcp:basic", without the challenged mcp:write' });
  });

  it('cannot pass without a 403 insufficient_scope', () => {
    expect(stepUpEscalation.judge(trace(world, correct.slice(0, 4))).outcome).toBe('missing');
  });
});

describe('step-up-scope-union', () => {
  it('passes the union of the earlier and challenged scopes', () => {
    expect(stepUpScopeUnion.judge(trace(world, correct)).outcome).toBe('met');
  });

  it('fails a step-up that asks only for the challenged scope', () => {
    const finding = stepUpScopeUnion.judge(trace(world, [...correct.slice(0, 5), authorize('mcp:write')]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: expect.stringMatching(/lacks mcp:basic$/), evidence: [{ exchange: 6, part: 'query.scope' }] });
  });

  it('does not accept scopes_supported in place of the earlier request', () => {
    const finding = stepUpScopeUnion.judge(trace(world, [...correct.slice(0, 5), authorize('mcp:profile mcp:write')]));
    expect(finding.outcome).toBe('unmet');
  });

  it('cannot pass without a step-up authorization', () => {
    expect(stepUpScopeUnion.judge(trace(world, correct.slice(0, 5))).outcome).toBe('missing');
    expect(stepUpScopeUnion.judge(trace(world, correct.slice(0, 3))).outcome).toBe('missing');
  });
});

describe('step-up-call-succeeds', () => {
  it('passes a tool call that succeeds after the 403', () => {
    expect(stepUpCallSucceeds.judge(trace(world, correct))).toMatchObject({ outcome: 'met', evidence: [{ exchange: 5 }, { exchange: 8 }] });
  });

  it('fails when every later tool call is refused', () => {
    const finding = stepUpCallSucceeds.judge(trace(world, [...correct.slice(0, 7), insufficient()]));
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 5 }, { exchange: 8, part: 'response.status' }] });
  });

  it('cannot pass without a 403 insufficient_scope', () => {
    expect(stepUpCallSucceeds.judge(trace(world, [unauthorized, authorize('mcp:basic'), call(200)])).outcome).toBe('missing');
  });

  it('has nothing to judge when no step-up followed the 403, leaving the verdict to step-up-escalation', () => {
    const finding = stepUpCallSucceeds.judge(trace(world, correct.slice(0, 5)));
    expect(finding).toMatchObject({ outcome: 'missing', precondition: { id: 'step-up' }, evidence: [{ exchange: 5 }] });
  });
});

describe('step-up-reauthorizes', () => {
  it('passes a client that goes straight to authorization', () => {
    expect(stepUpReauthorizes.judge(trace(world, correct)).outcome).toBe('met');
  });

  it('fails a client that refreshes first, naming the refresh', () => {
    const t = trace(world, [...correct.slice(0, 5), refresh('rt-a', { rt: 'rt-a1', family: 'narrow', generation: 1, scope: 'mcp:basic' }), insufficient(), authorize('mcp:basic mcp:write')]);
    const finding = stepUpReauthorizes.judge(t);
    expect(finding).toMatchObject({ outcome: 'unmet', message: expect.stringMatching(/refreshed \(#6\) before authorizing again: a refresh cannot widen scope$/) });
    expect(finding).toMatchObject({ evidence: [{ exchange: 5 }, { exchange: 6, part: 'form.grant_type' }] });
  });

  it('fails a client that never authorizes again', () => {
    expect(stepUpReauthorizes.judge(trace(world, correct.slice(0, 5))).outcome).toBe('unmet');
  });

  it('cannot pass without a 403 insufficient_scope', () => {
    expect(stepUpReauthorizes.judge(trace(world, correct.slice(0, 4))).outcome).toBe('missing');
  });
});

describe('step-up-retry-limit', () => {
  const attempts = (n: number) => [unauthorized, ...Array.from({ length: n }, (_, i) => [authorize(i === 0 ? 'mcp:basic' : 'mcp:basic mcp:admin'), insufficient('mcp:admin')]).flat()];

  it('passes up to three authorization attempts', () => {
    expect(stepUpRetryLimit.judge(trace(world, attempts(3)))).toMatchObject({ outcome: 'met', message: '3 authorization attempt(s), then the client stopped' });
    expect(stepUpRetryLimit.judge(trace(world, attempts(1))).outcome).toBe('met');
  });

  it('fails a fourth attempt, naming the extra ones', () => {
    const finding = stepUpRetryLimit.judge(trace(world, attempts(5)));
    expect(finding).toMatchObject({ outcome: 'unmet', message: '5 authorization attempts for an operation whose step-up cannot succeed (at most 3)' });
    expect('evidence' in finding && finding.evidence?.map((e) => e.exchange)).toEqual([8, 10]);
  });

  it('cannot pass with no authorization at all, or without a 403', () => {
    expect(stepUpRetryLimit.judge(trace(world, [unauthorized])).outcome).toBe('missing');
    expect(stepUpRetryLimit.judge(trace(world, [unauthorized, authorize('mcp:basic'), call(200)])).outcome).toBe('missing');
  });
});

describe('bare-403-not-step-up', () => {
  const bare = { ...call(403), responseBody: { error: 'forbidden' } };

  it('passes a client that stops at a 403 without a challenge', () => {
    expect(bare403NotStepUp.judge(trace(world, [unauthorized, authorize('mcp:basic'), bare])).outcome).toBe('met');
  });

  it('fails a client that authorizes after it', () => {
    const finding = bare403NotStepUp.judge(trace(world, [unauthorized, authorize('mcp:basic'), bare, authorize('mcp:basic')]));
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 3, part: 'response.status' }, { exchange: 4 }] });
  });

  it('does not take a 403 insufficient_scope for a bare one, and cannot pass without a bare 403', () => {
    expect(bare403NotStepUp.judge(trace(world, correct)).outcome).toBe('missing');
  });
});

describe('scope-never-narrows', () => {
  const later = (steps: Parameters<typeof trace>[1]) =>
    withRuns(trace(world, [...correct, ...steps.map((s) => ({ actor: 'client-2', ...s }))]), [
      { label: 'step-up', actors: ['client-1'], startedAt: 0, endedAt: 75 },
      { label: 'after expiry', actors: ['client-2'], startedAt: 80 },
    ]);

  it('passes a refresh of the stepped-up grant', () => {
    const t = later([call(401), refresh('rt-b', { rt: 'rt-b1', family: 'wide', generation: 1, scope: 'mcp:basic mcp:write' })]);
    expect(scopeNeverNarrows.judge(t).outcome).toBe('met');
  });

  it('fails a refresh of the older, narrower grant', () => {
    const finding = scopeNeverNarrows.judge(later([call(401), refresh('rt-a', { rt: 'rt-a1', family: 'narrow', generation: 1, scope: 'mcp:basic' })]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('not of the stepped-up family wide (#7)'), evidence: [{ exchange: 10 }, { exchange: 7 }] });
  });

  it('fails a refresh that narrows the scope it asks for', () => {
    const finding = scopeNeverNarrows.judge(later([refresh('rt-b', { rt: 'rt-b1', family: 'wide', generation: 1, scope: 'mcp:basic' }, { scope: 'mcp:basic' })]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'the token refresh #9 obtained has scope "mcp:basic", without the stepped-up mcp:write' });
  });

  it('cannot pass with one run, or without a refresh after the step-up', () => {
    expect(scopeNeverNarrows.judge(trace(world, correct)).outcome).toBe('missing');
    expect(scopeNeverNarrows.judge(later([call(200)])).outcome).toBe('missing');
  });
});
