// Refresh tokens across runs and racing copies: rotation honoured, single flight per family, no
// reuse detection, no needless re-authorization, transient failures survived (research notes §3.2).
// Which token superseded which comes from the world's generation header, not from guessing.
import { met, missing, notExercised, unmet, type CheckDef, type Evidence, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { authorizationRequests, ev, fromClients, succeeded } from '../../../core/trace-query.js';
import { FAMILY_REVOKED_HEADER, REFRESH_GENERATION_HEADER } from '../../../mocks/authorization-server/diagnostics.js';
import { LINK } from '../links.js';
import {
  answeredAt,
  byArrival,
  describeRun,
  familyRevokedBy,
  generationOf,
  isTransient,
  issuedRefreshTokens,
  latestIssuedBefore,
  overlappingRefreshes,
  refusedTogether,
  refreshPresentations,
  runPositions,
  runsOf,
  supersededPresentations,
  type RefreshPresentation,
  type SupersededPresentation,
} from '../observe.js';
import { KEPT_CREDENTIALS, OVERLAPPED_REQUESTS, REFRESHED } from '../preconditions.js';

const GENERATION_PART = `response.header.${REFRESH_GENERATION_HEADER}`;
const REVOKED_PART = `response.header.${FAMILY_REVOKED_HEADER}`;

/** A presented token in words: its generation and family, never its value (traces are shared). */
function describePresented(p: RefreshPresentation): string {
  if (p.token === null) return 'no refresh_token';
  if (!p.issued) return 'a refresh token the world never issued';
  return `generation ${p.issued.generation} of family ${p.issued.family}`;
}

function supersededFinding(found: SupersededPresentation[]): Finding {
  const evidence: Evidence[] = found.flatMap((s) => [
    ev(s.presentation.exchange, 'form.refresh_token'),
    ...(s.newer ? [ev(s.newer.exchange, GENERATION_PART, `issued generation ${s.newer.generation}`)] : []),
  ]);
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
  return unmet(`${found[0].why}${more}`, evidence);
}

export const refreshTokenRotatedUsed: CheckDef = {
  id: 'refresh-token-rotated-used',
  title: 'every refresh presents the newest refresh token the server issued to that family',
  requirements: ['RT-C-01', 'O21-C-04'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.oauth21RefreshUse, LINK.refreshTokens],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    if (presentations.length === 0) return notExercised(REFRESHED, 'the client never refreshed');
    // Only a refresh that comes after a rotation shows whether the rotated token replaced the old one.
    const afterRotation = presentations.filter((p) => p.issued && (latestIssuedBefore(trace, p.issued.family, p.exchange.at)?.generation ?? 0) > 0);
    const found = supersededPresentations(trace);
    if (found.length) return supersededFinding(found);
    if (afterRotation.length === 0) return notExercised(REFRESHED, 'no refresh came after the server had rotated a refresh token, so the use of a rotated token was never tested', presentations.map((p) => ev(p.exchange)));
    return met(`${afterRotation.length} refresh(es) after a rotation presented the newest token`, afterRotation.map((p) => ev(p.exchange, 'form.refresh_token')));
  },
};

export const refreshNoSupersededToken: CheckDef = {
  id: 'refresh-no-superseded-token',
  title: 'no copy presents a refresh token another copy had already rotated away',
  requirements: ['RT-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.oauth21RefreshUse, LINK.rfc9700RefreshRotation],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    if (presentations.length === 0) return notExercised(REFRESHED, 'no copy ever refreshed');
    const found = supersededPresentations(trace);
    if (found.length) return supersededFinding(found);
    return met(`all ${presentations.length} refresh(es) presented the newest token of their family`);
  },
};

/**
 * Authorization requests after the cold start (the first run). The family is kept alive by
 * refreshing; the only thing in these worlds that kills it is reuse detection, which the client
 * itself sets off, so any such request is a failure, with reuse detection named as its cause.
 */
function noAuthorizationAfterColdStart(trace: Trace): Finding {
  const runs = runsOf(trace);
  if (runs.length < 2) return missing('the trace records a single run: there was no later start that could refresh instead of authorizing');
  const positions = runPositions(trace, runs);
  const inRun = (e: Exchange) => positions.get(e.id) ?? 0;
  const family = issuedRefreshTokens(trace).find((t) => inRun(t.exchange) === 0);
  if (!family) return missing('the cold start was issued no refresh token, so there was no family to keep alive');
  const later = fromClients(trace).filter((e) => inRun(e) > 0);
  if (later.length === 0) return missing('the runs after the cold start made no request');
  const reauthorizations = authorizationRequests(trace)
    .filter((e) => inRun(e) > 0)
    .sort(byArrival);
  if (reauthorizations.length === 0) {
    const refreshes = refreshPresentations(trace).filter((p) => inRun(p.exchange) > 0).length;
    return met(`no authorization after the cold start; ${refreshes} refresh(es) kept family ${family.family} going`);
  }
  const first = reauthorizations[0];
  const run = runs[inRun(first)];
  const detection = trace.exchanges.filter((e) => familyRevokedBy(e)?.detected === 'now' && e.at < first.at).sort(byArrival)[0];
  const cause = detection ? `: the client's own refresh #${detection.id} had set off reuse detection, which revoked the family` : ` while family ${family.family} was alive`;
  return unmet(`${describeRun(run)} authorized again (#${first.id})${cause}`, [ev(first), ...(detection ? [ev(detection, REVOKED_PART)] : [])]);
}

export const refreshInsteadOfReauthorization: CheckDef = {
  id: 'refresh-instead-of-reauthorization',
  title: 'after the cold start, refreshes instead of authorizing again while the token family lives',
  requirements: ['RT-C-08'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.refreshTokens, LINK.rfc6749Refresh],
  judge: noAuthorizationAfterColdStart,
};

export const refreshNoReauthorization: CheckDef = {
  id: 'refresh-no-reauthorization',
  title: 'racing copies end authenticated without any new authorization',
  requirements: ['RT-C-06', 'RT-C-08'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.refreshTokens, LINK.rfc9700RefreshRotation],
  judge: noAuthorizationAfterColdStart,
};

export const refreshTokenKeptWhenNotRotated: CheckDef = {
  id: 'refresh-token-kept-when-not-rotated',
  title: 'keeps using its refresh token when a refresh response carries no new one',
  requirements: ['RT-C-12'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc6749Refresh, LINK.refreshTokens],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    const kept = presentations.filter((p) => generationOf(p.exchange)?.outcome === 'kept');
    if (kept.length === 0) return notExercised(REFRESHED, 'the server never answered a refresh without a new refresh token (the client never refreshed while rotation was off)');
    const authorizations = authorizationRequests(trace);
    let judged = 0;
    for (const answer of kept) {
      const next = presentations.find((p) => p.exchange.at > answer.exchange.at);
      const reauthorization = authorizations.find((a) => a.at > answer.exchange.at && (!next || a.at < next.exchange.at));
      if (reauthorization)
        return unmet(`after refresh #${answer.exchange.id} was answered without a refresh token, the client authorized again (#${reauthorization.id}) instead of refreshing with the token it kept`, [
          ev(answer.exchange, GENERATION_PART, 'outcome=kept'),
          ev(reauthorization),
        ]);
      if (!next) continue;
      judged++;
      if (next.token !== answer.token)
        return unmet(`refresh #${next.exchange.id} presented ${describePresented(next)} instead of the token refresh #${answer.exchange.id} kept (${describePresented(answer)})`, [
          ev(next.exchange, 'form.refresh_token'),
          ev(answer.exchange, GENERATION_PART, 'outcome=kept'),
        ]);
    }
    if (judged === 0) return notExercised(REFRESHED, 'no refresh followed the answer without a new refresh token', kept.map((p) => ev(p.exchange)));
    return met(`the kept refresh token was presented again after ${judged} answer(s) without a new one`);
  },
};

export const refreshSurvivesTransientErrors: CheckDef = {
  id: 'refresh-survives-transient-errors',
  title: 'a 5xx or 429 on refresh leaves the refresh token in use: the next refresh presents it again',
  requirements: ['RT-C-09'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.refreshTokens],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    const failed = presentations.filter((p) => isTransient(p.exchange));
    if (failed.length === 0) return notExercised(REFRESHED, 'no refresh request met a transient failure (5xx or 429)');
    const authorizations = authorizationRequests(trace);
    let retried = 0;
    for (const failure of failed) {
      const status = failure.exchange.response?.status;
      const next = presentations.find((p) => p.exchange.at >= answeredAt(failure.exchange) && p !== failure);
      const reauthorization = authorizations.find((a) => a.at > failure.exchange.at && (!next || a.at < next.exchange.at));
      if (reauthorization)
        return unmet(`after the ${status} on refresh #${failure.exchange.id} the client authorized again (#${reauthorization.id}): a transient failure does not make the refresh token invalid`, [
          ev(failure.exchange, 'response.status'),
          ev(reauthorization),
        ]);
      if (!next) continue;
      retried++;
      if (next.token === failure.token) continue;
      // Another token is right only if the family moved on in the meantime (another copy refreshed).
      const newest = failure.issued && latestIssuedBefore(trace, failure.issued.family, next.exchange.at);
      if (newest && next.token === newest.token) continue;
      return unmet(`after the ${status} on refresh #${failure.exchange.id} (${describePresented(failure)}), refresh #${next.exchange.id} presented ${describePresented(next)} instead`, [
        ev(failure.exchange, 'response.status'),
        ev(next.exchange, 'form.refresh_token'),
      ]);
    }
    if (retried === 0) return notExercised(REFRESHED, 'no refresh followed the transient failure', failed.map((p) => ev(p.exchange, 'response.status')));
    return met(`after ${failed.length} transient failure(s), the same refresh token was presented again and no authorization followed`);
  },
};

export const refreshSingleFlight: CheckDef = {
  id: 'refresh-single-flight',
  title: 'refresh requests of one token family never overlap, across all copies',
  requirements: ['RT-C-02', 'RT-C-11'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc9700RefreshRotation],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    if (presentations.length === 0) return notExercised(REFRESHED, 'no copy ever refreshed');
    const overlapping = overlappingRefreshes(presentations);
    if (overlapping.length) {
      const { first, second, family } = overlapping[0];
      return unmet(
        `refresh #${second.id} (${second.actor}) arrived at ${second.at} ms, before refresh #${first.id} (${first.actor}) of the same family ${family} was answered at ${answeredAt(first)} ms`,
        overlapping.flatMap((o) => [ev(o.first, undefined, `in flight ${o.first.at}-${answeredAt(o.first)} ms`), ev(o.second, undefined, `arrived ${o.second.at} ms`)]),
      );
    }
    return met(`${presentations.length} refresh(es), one at a time per family`);
  },
};

export const refreshSingleFlightInProcess: CheckDef = {
  id: 'refresh-single-flight-in-process',
  title: 'with several MCP requests in flight after expiry, refreshes once per token family',
  requirements: ['RT-C-02'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc9700RefreshRotation],
  preconditions: [REFRESHED, OVERLAPPED_REQUESTS],
  judge(trace) {
    const runs = runsOf(trace);
    if (runs.length < 2) return missing('the trace records a single run: the tokens never expired under a running client');
    const positions = runPositions(trace, runs);
    const later = (e: Exchange) => (positions.get(e.id) ?? 0) > 0;
    const refreshes = refreshPresentations(trace).filter((p) => later(p.exchange));
    if (refreshes.length === 0) return notExercised(REFRESHED, 'the client never refreshed after its tokens expired');
    // Only requests refused for the expired token each call for a refresh: two of those in flight
    // together in one process are what a single-flight guard must merge.
    const refused = fromClients(trace).filter((e) => e.role === 'mcp' && later(e) && e.response?.status === 401);
    const concurrent = refusedTogether(refused, refreshes.map((p) => p.exchange));
    if (concurrent.length === 0) return notExercised(OVERLAPPED_REQUESTS, 'the client never had two MCP requests refused for the same expired token before it could refresh, so single flight within one process was not exercised');
    const overlapping = overlappingRefreshes(refreshes);
    if (overlapping.length) {
      const { first, second, family } = overlapping[0];
      return unmet(`refresh #${second.id} arrived at ${second.at} ms while refresh #${first.id} of family ${family} was still unanswered (until ${answeredAt(first)} ms)`, [
        ev(first),
        ev(second),
        ev(concurrent[0].first, undefined, 'MCP requests refused for the same token'),
        ev(concurrent[0].second),
      ]);
    }
    return met(`MCP requests #${concurrent[0].first.id} and #${concurrent[0].second.id} carried the same expired token and were both refused before a refresh was answered; ${refreshes.length} refresh(es), never two at once`);
  },
};

export const refreshTokenPresentedOnce: CheckDef = {
  id: 'refresh-token-presented-once',
  title: 'presents each refresh token value at most once (one retry after a transient failure)',
  requirements: ['RT-C-03'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc9700RefreshRotation, LINK.oauth21RefreshRotation],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    if (presentations.length === 0) return notExercised(REFRESHED, 'no copy ever refreshed');
    const byToken = new Map<string, RefreshPresentation[]>();
    for (const p of presentations) if (p.token !== null) byToken.set(p.token, [...(byToken.get(p.token) ?? []), p]);
    for (const uses of byToken.values()) {
      for (const [i, use] of uses.entries()) {
        if (i === 0) continue;
        const before = uses[i - 1];
        // Presenting it again is allowed only once the earlier use was answered, and only when that
        // answer left it valid: a transient failure consumed nothing, or the server kept it (no rotation).
        const answered = answeredAt(before.exchange) <= use.exchange.at;
        const leftValid = isTransient(before.exchange) || generationOf(before.exchange)?.outcome === 'kept';
        if (answered && leftValid) continue;
        const why = answered ? `which had been answered ${before.exchange.response?.status ?? 'nothing'}` : 'while that request was still unanswered';
        return unmet(`refresh #${use.exchange.id} (${use.exchange.actor}) presented ${describePresented(use)} again after refresh #${before.exchange.id} (${before.exchange.actor}), ${why}`, [
          ev(before.exchange, 'form.refresh_token'),
          ev(use.exchange, 'form.refresh_token'),
        ]);
      }
    }
    return met(`${byToken.size} refresh token(s), each presented once`);
  },
};

export const refreshReuseNeverDetected: CheckDef = {
  id: 'refresh-reuse-never-detected',
  title: "never sets off the server's refresh-token reuse detection",
  requirements: ['RT-C-08'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc9700RefreshRotation, LINK.oauth21RefreshRotation],
  preconditions: [REFRESHED],
  judge(trace) {
    const presentations = refreshPresentations(trace);
    if (presentations.length === 0) return notExercised(REFRESHED, 'no copy ever refreshed');
    const detections = trace.exchanges.filter((e) => familyRevokedBy(e)).sort(byArrival);
    if (detections.length) {
      const first = detections.find((e) => familyRevokedBy(e)?.detected === 'now') ?? detections[0];
      const revoked = familyRevokedBy(first)!;
      const presented = presentations.find((p) => p.exchange.id === first.id);
      return unmet(`refresh #${first.id} (${first.actor}) presented ${presented ? describePresented(presented) : 'a superseded token'}: the server detected reuse and revoked family ${revoked.family}`, [
        ev(first, REVOKED_PART),
        ...detections.filter((e) => e !== first).map((e) => ev(e, REVOKED_PART)),
      ]);
    }
    return met(`${presentations.length} refresh(es), no reuse detected`);
  },
};

export const refreshFollowUpUsesLatest: CheckDef = {
  id: 'refresh-follow-up-uses-latest',
  title: 'a later start finds the newest credentials in the store: no authorization, and any refresh uses the newest token',
  requirements: ['RT-C-04'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.oauth21RefreshUse],
  preconditions: [KEPT_CREDENTIALS],
  judge(trace) {
    const runs = runsOf(trace);
    if (runs.length < 2) return missing('the trace records a single run: there was no follow-up start');
    const followUp = runs.find((r) => r.label === 'follow-up') ?? runs[runs.length - 1];
    const positions = runPositions(trace, runs);
    const inFollowUp = (e: Exchange) => positions.get(e.id) === followUp.position;
    if (!fromClients(trace).some(inFollowUp)) return missing(`${describeRun(followUp)} made no request`);
    const authorization = authorizationRequests(trace).filter(inFollowUp).sort(byArrival)[0];
    // A client that never refreshed at all keeps no store whose generations could go backwards.
    if (authorization && refreshPresentations(trace).length === 0)
      return notExercised(KEPT_CREDENTIALS, `${describeRun(followUp)} authorized again (#${authorization.id}) and no start ever refreshed: the client keeps no credentials between starts`);
    if (authorization) return unmet(`${describeRun(followUp)} authorized again (#${authorization.id}) instead of using the stored credentials`, [ev(authorization)]);
    const refreshes = refreshPresentations(trace).filter((p) => inFollowUp(p.exchange));
    for (const p of refreshes) {
      const issued = issuedRefreshTokens(trace).filter((t) => t.deliveredAt < p.exchange.at);
      const newestFamily = issued[issued.length - 1]?.family;
      const newest = newestFamily ? latestIssuedBefore(trace, newestFamily, p.exchange.at) : undefined;
      if (!newest) continue;
      if (p.issued?.family === newest.family && p.issued.generation === newest.generation) continue;
      return unmet(`${describeRun(followUp)} refreshed (#${p.exchange.id}) with ${describePresented(p)}; the store should have held generation ${newest.generation} of family ${newest.family} (#${newest.exchange.id})`, [
        ev(p.exchange, 'form.refresh_token'),
        ev(newest.exchange, GENERATION_PART),
      ]);
    }
    return met(refreshes.length ? `${describeRun(followUp)} refreshed with the newest token` : `${describeRun(followUp)} needed neither an authorization nor a refresh`);
  },
};

export const refreshNotWhileValid: CheckDef = {
  id: 'refresh-not-while-valid',
  title: 'does not refresh while its access token is valid and accepted',
  requirements: ['RT-C-10'],
  level: 'SHOULD',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc9700RefreshRotation],
  judge(trace) {
    const runs = runsOf(trace);
    if (runs.length < 2) return missing('the trace records a single run: the client never restarted with valid tokens');
    const positions = runPositions(trace, runs);
    const later = (e: Exchange) => (positions.get(e.id) ?? 0) > 0;
    const refused = fromClients(trace).filter((e) => later(e) && e.role === 'mcp' && e.response?.status === 401);
    const refreshes = refreshPresentations(trace).filter((p) => later(p.exchange));
    const needless = refreshes.find((p) => !refused.some((r) => r.at <= p.exchange.at && r.actor === p.exchange.actor));
    if (needless) {
      const run = runs[positions.get(needless.exchange.id) ?? 0];
      return unmet(`${describeRun(run)} refreshed (#${needless.exchange.id}) although its access token was valid and no request had been refused`, [ev(needless.exchange, 'form.grant_type')]);
    }
    const served = fromClients(trace).filter((e) => later(e) && e.role === 'mcp' && succeeded(e));
    if (served.length === 0) return missing('no run after the first was served: there was no valid token to keep using');
    return met(`no refresh after the first run; ${served.length} request(s) served`);
  },
};
