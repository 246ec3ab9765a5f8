// Step-up authorization: a 403 insufficient_scope asks for more scope, which only a new
// authorization can grant (a refresh cannot widen scope, RFC 6749 §6), with the earlier scopes kept
// (SEP-2350), a bounded number of attempts, and never for a 403 that carries no challenge.
import { met, missing, notExercised, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { authorizationRequests, ev, fromClients, mcpMethods, query, responseJson, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import {
  byArrival,
  challengeOf,
  describeRun,
  insufficientScopeAnswers,
  issuedRefreshTokens,
  refreshPresentations,
  runPositions,
  runsOf,
  scopeSet,
  show,
} from '../observe.js';
import { CALLED_TOOL, REFRESHED, STEPPED_UP } from '../preconditions.js';

/** The most authorization attempts a client may make for one operation that keeps failing (official auth/scope-retry-limit). */
export const STEP_UP_ATTEMPT_LIMIT = 3;

const authorizationsInOrder = (trace: Trace): Exchange[] => [...authorizationRequests(trace)].sort(byArrival);

/** The first step-up request the server made, what it asked for, and the authorization that answered it, if any. */
interface StepUp {
  denial: Exchange;
  challenged: Set<string>;
  /** Scopes the client asked for before the denial, in every authorization up to then. */
  earlier: Set<string>;
  reauthorization?: Exchange;
}

function firstStepUp(trace: Trace): StepUp | undefined {
  const denial = insufficientScopeAnswers(trace).sort(byArrival)[0];
  if (!denial) return undefined;
  const authorizations = authorizationsInOrder(trace);
  const earlier = new Set(authorizations.filter((a) => a.at < denial.at).flatMap((a) => [...scopeSet(query(a).get('scope'))]));
  const reauthorization = authorizations.find((a) => a.at > denial.at);
  return { denial, challenged: scopeSet(challengeOf(denial)?.get('scope')), earlier, ...(reauthorization ? { reauthorization } : {}) };
}

/** Why a step-up check has nothing to judge: the client never made the request that needs more scope. */
const NO_STEP_UP_REQUEST = 'the server never answered 403 insufficient_scope: the client never made a request that needs more scope (calling test-tool) with a token';

function onStepUp(judgeStepUp: (stepUp: StepUp, trace: Trace) => Finding): (trace: Trace) => Finding {
  return (trace) => {
    const stepUp = firstStepUp(trace);
    if (!stepUp) return notExercised(CALLED_TOOL, NO_STEP_UP_REQUEST);
    return judgeStepUp(stepUp, trace);
  };
}

const DENIAL_PART = 'response.header.www-authenticate';

export const stepUpInitialScope: CheckDef = {
  id: 'step-up-initial-scope',
  title: 'the first authorization requests the scope the 401 challenge named',
  requirements: ['C-SCP-04'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge(trace) {
    const first = authorizationsInOrder(trace)[0];
    if (!first) return missing('the client never sent an authorization request');
    const challenge = fromClients(trace)
      .filter((e) => e.role === 'mcp' && e.response?.status === 401 && e.at < first.at && challengeOf(e)?.has('scope'))
      .sort(byArrival)
      .at(-1);
    const challenged = scopeSet(challenge ? challengeOf(challenge)?.get('scope') : trace.world.challengeScope);
    if (challenged.size === 0) return missing('no 401 before the first authorization named a scope');
    const requested = scopeSet(query(first).get('scope'));
    const lacking = [...challenged].filter((s) => !requested.has(s));
    if (lacking.length) return unmet(`the first authorization requested ${show(requested)}, without the challenged ${lacking.join(' ')}`, [ev(first, 'query.scope'), ...(challenge ? [ev(challenge, DENIAL_PART)] : [])]);
    return met(`the first authorization requested ${show(requested)}`, [ev(first, 'query.scope')]);
  },
};

export const stepUpEscalation: CheckDef = {
  id: 'step-up-escalation',
  title: 'answers 403 insufficient_scope with a new authorization that requests the challenged scope',
  requirements: ['C-STP-01', 'C-SCP-04'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.stepUp, LINK.insufficientScope, LINK.rfc6750InsufficientScope],
  preconditions: [CALLED_TOOL],
  judge: onStepUp(({ denial, challenged, reauthorization }) => {
    if (!reauthorization) return unmet(`after the 403 insufficient_scope (#${denial.id}, scope ${show(challenged)}) the client never authorized again`, [ev(denial, DENIAL_PART)]);
    const requested = scopeSet(query(reauthorization).get('scope'));
    const lacking = [...challenged].filter((s) => !requested.has(s));
    if (lacking.length) return unmet(`the step-up authorization requested ${show(requested)}, without the challenged ${lacking.join(' ')}`, [ev(reauthorization, 'query.scope'), ev(denial, DENIAL_PART)]);
    return met(`step-up authorization #${reauthorization.id} requested ${show(requested)}`, [ev(denial), ev(reauthorization, 'query.scope')]);
  }),
};

export const stepUpScopeUnion: CheckDef = {
  id: 'step-up-scope-union',
  title: 'the step-up authorization keeps the earlier scopes together with the challenged ones',
  requirements: ['C-STP-03', 'C-SCP-05'],
  level: 'SHOULD',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.stepUp, LINK.scopeSelection],
  preconditions: [CALLED_TOOL, STEPPED_UP],
  judge: onStepUp(({ denial, challenged, earlier, reauthorization }) => {
    if (!reauthorization) return notExercised(STEPPED_UP, 'no authorization followed the 403 insufficient_scope, so there is no union to judge', [ev(denial)]);
    if (earlier.size === 0) return missing('the client requested no scope before the step-up, so there is nothing to keep');
    const requested = scopeSet(query(reauthorization).get('scope'));
    const lacking = [...earlier, ...challenged].filter((s) => !requested.has(s));
    if (lacking.length)
      return unmet(`the step-up authorization requested ${show(requested)}; the union of the earlier ${show(earlier)} and the challenged ${show(challenged)} lacks ${[...new Set(lacking)].join(' ')}`, [
        ev(reauthorization, 'query.scope'),
      ]);
    return met(`step-up requested ${show(requested)}, a superset of ${show(new Set([...earlier, ...challenged]))}`);
  }),
};

export const stepUpCallSucceeds: CheckDef = {
  id: 'step-up-call-succeeds',
  title: 'after stepping up, the tool call that was refused succeeds',
  requirements: ['C-STP-01'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.stepUp],
  preconditions: [CALLED_TOOL, STEPPED_UP],
  judge: onStepUp(({ denial, reauthorization }, trace) => {
    const calls = fromClients(trace)
      .filter((e) => e.role === 'mcp' && e.at > denial.at && mcpMethods(e).includes('tools/call'))
      .sort(byArrival);
    const success = calls.find(succeeded);
    if (success) return met(`tools/call #${success.id} succeeded after the 403 (#${denial.id})`, [ev(denial), ev(success)]);
    // A client that never stepped up has its verdict on step-up-escalation; this check judges what
    // a step-up achieved, and there was none.
    if (!reauthorization) return notExercised(STEPPED_UP, `no authorization followed the 403 insufficient_scope (#${denial.id}), so no stepped-up call to judge`, [ev(denial)]);
    const last = calls.at(-1);
    return unmet(
      last ? `tools/call never succeeded after the 403 insufficient_scope (#${denial.id}); the last attempt, #${last.id}, got ${last.response?.status}` : `the client never called the tool again after the 403 insufficient_scope (#${denial.id})`,
      [ev(denial, DENIAL_PART), ...(last ? [ev(last, 'response.status')] : [])],
    );
  }),
};

export const stepUpReauthorizes: CheckDef = {
  id: 'step-up-reauthorizes',
  title: 'holding a refresh token, answers 403 insufficient_scope by authorizing, not by refreshing (a refresh cannot widen scope)',
  requirements: ['C-STP-01', 'RT-C-13'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.stepUp, LINK.rfc6749Refresh],
  preconditions: [CALLED_TOOL],
  judge: onStepUp(({ denial, reauthorization }, trace) => {
    const refreshes = refreshPresentations(trace).filter((p) => p.exchange.at > denial.at && (!reauthorization || p.exchange.at < reauthorization.at));
    if (refreshes.length)
      return unmet(`after the 403 insufficient_scope (#${denial.id}) the client refreshed (#${refreshes[0].exchange.id})${reauthorization ? ' before authorizing again' : ' instead of authorizing'}: a refresh cannot widen scope`, [
        ev(denial, DENIAL_PART),
        ...refreshes.map((p) => ev(p.exchange, 'form.grant_type')),
      ]);
    if (!reauthorization) return unmet(`after the 403 insufficient_scope (#${denial.id}) the client never authorized again`, [ev(denial, DENIAL_PART)]);
    return met(`went straight to authorization #${reauthorization.id} after the 403`, [ev(denial), ev(reauthorization)]);
  }),
};

export const stepUpRetryLimit: CheckDef = {
  id: 'step-up-retry-limit',
  title: `gives up after at most ${STEP_UP_ATTEMPT_LIMIT} authorization attempts when step-up cannot succeed`,
  requirements: ['C-STP-04'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.stepUp],
  preconditions: [CALLED_TOOL],
  judge(trace) {
    // Counted over the whole scenario, as the official suite does: it has one operation, and the
    // first authorization is the first attempt to be allowed to perform it.
    const authorizations = authorizationsInOrder(trace);
    if (authorizations.length === 0) return missing('the client never sent an authorization request');
    const denials = insufficientScopeAnswers(trace);
    if (denials.length === 0) return notExercised(CALLED_TOOL, `${NO_STEP_UP_REQUEST}, so the retry limit was never tested`, [ev(authorizations[0])]);
    if (authorizations.length > STEP_UP_ATTEMPT_LIMIT)
      return unmet(`${authorizations.length} authorization attempts for an operation whose step-up cannot succeed (at most ${STEP_UP_ATTEMPT_LIMIT})`, authorizations.slice(STEP_UP_ATTEMPT_LIMIT).map((a) => ev(a, 'query.scope')));
    return met(`${authorizations.length} authorization attempt(s), then the client stopped`, authorizations.map((a) => ev(a)));
  },
};

export const bare403NotStepUp: CheckDef = {
  id: 'bare-403-not-step-up',
  title: 'a 403 without a Bearer insufficient_scope challenge does not start an authorization',
  requirements: ['C-STP-01'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.insufficientScope, LINK.rfc6750InsufficientScope],
  preconditions: [CALLED_TOOL],
  judge(trace) {
    const bare = fromClients(trace)
      .filter((e) => e.role === 'mcp' && e.response?.status === 403 && challengeOf(e)?.get('error') !== 'insufficient_scope')
      .sort(byArrival)[0];
    if (!bare) return notExercised(CALLED_TOOL, 'the server never answered 403 without a challenge: the client never called the refused tool with a token');
    const after = authorizationsInOrder(trace).filter((a) => a.at > bare.at);
    if (after.length) return unmet(`after the bare 403 (#${bare.id}, no WWW-Authenticate challenge) the client authorized again (#${after[0].id})`, [ev(bare, 'response.status'), ...after.map((a) => ev(a))]);
    return met(`no authorization after the bare 403 (#${bare.id})`, [ev(bare)]);
  },
};

export const scopeNeverNarrows: CheckDef = {
  id: 'scope-never-narrows',
  title: 'a later refresh continues the stepped-up grant, not an older, narrower one',
  requirements: ['RT-C-13'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.stepUp, LINK.rfc6749Refresh],
  preconditions: [CALLED_TOOL, STEPPED_UP, REFRESHED],
  judge(trace) {
    const runs = runsOf(trace);
    if (runs.length < 2) return missing('the trace records a single run: nothing came after the step-up');
    const positions = runPositions(trace, runs);
    const inFirst = (e: Exchange) => (positions.get(e.id) ?? 0) === 0;
    const stepUp = firstStepUp(trace);
    if (!stepUp || !inFirst(stepUp.denial)) return notExercised(CALLED_TOOL, `the first run never got a 403 insufficient_scope, so there was no step-up (${NO_STEP_UP_REQUEST})`);
    if (!stepUp.reauthorization || !inFirst(stepUp.reauthorization)) return notExercised(STEPPED_UP, `the first run never authorized again after the 403 insufficient_scope (#${stepUp.denial.id})`, [ev(stepUp.denial)]);
    // The grant that carries the challenged scopes: the newest family the first run started after the denial.
    const family = issuedRefreshTokens(trace)
      .filter((t) => inFirst(t.exchange) && t.generation === 0 && t.exchange.at > stepUp.denial.at)
      .at(-1);
    if (!family) return missing('the step-up in the first run issued no refresh token');
    const later = refreshPresentations(trace).filter((p) => !inFirst(p.exchange));
    if (later.length === 0) return notExercised(REFRESHED, 'no run after the step-up refreshed');
    for (const p of later) {
      const run = runs[positions.get(p.exchange.id) ?? 0];
      if (p.issued?.family !== family.family)
        return unmet(
          `${describeRun(run)} refreshed (#${p.exchange.id}) with ${p.issued ? `a token of family ${p.issued.family}, issued in #${p.issued.exchange.id}` : 'a token the world never issued'}, not of the stepped-up family ${family.family} (#${family.exchange.id})`,
          [ev(p.exchange, 'form.refresh_token'), ev(family.exchange, 'response.body.refresh_token')],
        );
      if (!succeeded(p.exchange)) continue;
      const scope = scopeSet(String(responseJson(p.exchange)?.scope ?? ''));
      const lacking = [...stepUp.challenged].filter((s) => !scope.has(s));
      if (lacking.length) return unmet(`the token refresh #${p.exchange.id} obtained has scope ${show(scope)}, without the stepped-up ${lacking.join(' ')}`, [ev(p.exchange, 'response.body.scope'), ev(p.exchange, 'form.scope')]);
    }
    return met(`${later.length} later refresh(es) continued the stepped-up family ${family.family}`);
  },
};
