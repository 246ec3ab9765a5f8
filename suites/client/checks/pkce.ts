// PKCE (RFC 7636 as profiled by OAuth 2.1 and MCP "Authorization Code Protection").
import { met, missing, notExercised, unmet, type CheckDef, type Evidence } from '../../../core/check.js';
import { s256 } from '../../../core/pkce.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, codeRedemptions, ev, form, query, redirectParams } from '../../../core/trace-query.js';
import { BROWSER_ACTOR, type Exchange, type Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { redemptionsWithAuthorization, usesOfAuthorizationServer } from '../observe.js';
import { AUTHORIZED_AGAIN } from '../preconditions.js';

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export const pkceChallengeSent: CheckDef = {
  id: 'pkce-code-challenge-sent',
  title: 'sends a code_challenge with every authorization request',
  requirements: ['C-PKCE-01', 'PKCE-C-03'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.authCodeProtection, LINK.oauth21Pkce],
  judge(trace) {
    const requests = authorizationRequests(trace);
    if (requests.length === 0) return missing('the client never sent an authorization request');
    const without = requests.filter((e) => !query(e).get('code_challenge'));
    if (without.length) return unmet('authorization request without code_challenge', without.map((e) => ev(e, 'query.code_challenge')));
    return met(`${requests.length} authorization request(s) carried a code_challenge`, requests.map((e) => ev(e)));
  },
};

export const pkceS256: CheckDef = {
  id: 'pkce-s256',
  title: 'uses code_challenge_method=S256, never plain',
  requirements: ['C-PKCE-03', 'PKCE-C-02', 'PKCE-C-05'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.authCodeProtection, LINK.rfc7636Challenge, LINK.rfc7636Downgrade],
  judge(trace) {
    const requests = authorizationRequests(trace).filter((e) => query(e).get('code_challenge'));
    if (requests.length === 0) return missing('no authorization request carried a code_challenge');
    const wrong = requests.filter((e) => query(e).get('code_challenge_method') !== 'S256');
    if (wrong.length)
      return unmet(
        `code_challenge_method was ${wrong.map((e) => query(e).get('code_challenge_method') ?? '(absent, meaning plain)').join(', ')}`,
        wrong.map((e) => ev(e, 'query.code_challenge_method')),
      );
    return met('every challenge used S256');
  },
};

export const pkceVerifierSent: CheckDef = {
  id: 'pkce-code-verifier-sent',
  title: 'redeems the code with a well-formed code_verifier',
  requirements: ['PKCE-C-04', 'PKCE-C-01', 'C-PKCE-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc7636Verifier, LINK.oauth21Pkce],
  judge(trace) {
    const redemptions = redemptionsWithAuthorization(trace);
    if (redemptions.length === 0) return missing('the client never redeemed an authorization code');
    const bad: Evidence[] = [];
    for (const { redemption } of redemptions) {
      const verifier = form(redemption).get('code_verifier');
      if (!verifier) bad.push(ev(redemption, 'form.code_verifier', 'absent'));
      else if (!VERIFIER.test(verifier)) bad.push(ev(redemption, 'form.code_verifier', 'must be 43-128 characters of [A-Za-z0-9-._~]'));
    }
    if (bad.length) return unmet('token request without a valid code_verifier', bad);
    return met('every redemption carried a well-formed code_verifier');
  },
};

export const pkceVerifierMatches: CheckDef = {
  id: 'pkce-verifier-matches-challenge',
  title: 'the code_verifier hashes (S256) to the challenge of the same authorization request',
  requirements: ['PKCE-C-02', 'C-PKCE-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc7636Challenge],
  judge(trace) {
    const redemptions = redemptionsWithAuthorization(trace).filter(({ redemption }) => form(redemption).get('code_verifier'));
    if (redemptions.length === 0) return missing('no code redemption carried a code_verifier');
    for (const { redemption, authorization } of redemptions) {
      const verifier = form(redemption).get('code_verifier') ?? '';
      const challenge = query(authorization).get('code_challenge');
      const method = query(authorization).get('code_challenge_method') ?? 'plain';
      const expected = method === 'S256' ? s256(verifier) : verifier;
      if (challenge !== expected)
        return unmet(`${method}(code_verifier) = ${expected}, but the authorization request's challenge was ${challenge ?? '(absent)'}`, [
          ev(redemption, 'form.code_verifier'),
          ev(authorization, 'query.code_challenge'),
        ]);
    }
    return met('every verifier matched its challenge');
  },
};

/**
 * Authorization attempts, each as the requests that made it. The same authorization URL fetched
 * again before any code it yielded was redeemed is the same attempt: a CLI may check the URL itself
 * and then hand it to the browser. Once one of its codes was redeemed, the same challenge again is
 * a new attempt that reused it.
 */
function attempts(trace: Trace): Exchange[][] {
  const redeemedAt = new Map<string, number>();
  for (const e of codeRedemptions(trace)) {
    const code = form(e).get('code');
    if (code && !redeemedAt.has(code)) redeemedAt.set(code, e.at);
  }
  // A client that fetches the URL it printed may do so after the kit's grace has run out, and then
  // the kit's browser navigates it too: one attempt of the client's, made twice, once by the kit.
  const fetchedByClient = new Set(authorizationRequests(trace).filter((x) => x.actor !== BROWSER_ACTOR).map((x) => x.request.url));
  const found: Exchange[][] = [];
  for (const e of [...authorizationRequests(trace)].sort((a, b) => a.at - b.at || a.id - b.id)) {
    if (e.actor === BROWSER_ACTOR && fetchedByClient.has(e.request.url)) continue;
    const key = (x: Exchange) => `${query(x).get('code_challenge')} ${query(x).get('state')}`;
    const same = found.find((attempt) => key(attempt[0]) === key(e) && !attempt.some((x) => (redeemedAt.get(redirectParams(x)?.get('code') ?? '') ?? Infinity) < e.at));
    if (same) same.push(e);
    else found.push([e]);
  }
  return found;
}

export const pkceFreshPerAttempt: CheckDef = {
  id: 'pkce-fresh-per-attempt',
  title: 'uses a fresh code_challenge (and state) for every authorization attempt',
  requirements: ['PKCE-C-06', 'C-PKCE-01', 'O21-C-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.oauth21Pkce],
  preconditions: [AUTHORIZED_AGAIN],
  judge(trace) {
    if (authorizationRequests(trace).length === 0) return missing('the client never sent an authorization request');
    const tries = attempts(trace);
    if (tries.length < 2) return notExercised(AUTHORIZED_AGAIN, `freshness needs two authorization attempts to compare; the client made ${tries.length}`);
    for (const param of ['code_challenge', 'state']) {
      const seen = new Map<string, number>();
      for (const [first] of tries) {
        const value = query(first).get(param);
        if (!value) continue;
        const earlier = seen.get(value);
        if (earlier !== undefined) return unmet(`the same ${param} was sent in two authorization attempts`, [ev(first, `query.${param}`), { exchange: earlier, part: `query.${param}` }]);
        seen.set(value, first.id);
      }
    }
    return met(`${tries.length} attempts, each with its own challenge and state`);
  },
};

/** Factory: in a world whose metadata does not promise PKCE, a correct client never starts authorizing. */
function refusesWithoutPkce(id: string, requirement: string, title: string): CheckDef {
  return {
    id,
    title,
    requirements: [requirement, 'C-PKCE-02', 'PKCE-C-05'],
    level: 'MUST',
    specVersions: since('2025-11-25'),
    specLinks: [LINK.authCodeProtection],
    judge(trace) {
      const metadata = trace.exchanges.find((e) => e.role === 'as-metadata' && e.response?.status === 200);
      if (!metadata) return missing('the client never fetched the authorization server metadata');
      const uses = usesOfAuthorizationServer(trace).filter((e) => e.role !== 'register');
      if (uses.length)
        return unmet('metadata has no code_challenge_methods_supported, yet the client went on to authorize', [
          ev(metadata, 'response.body.code_challenge_methods_supported', 'absent: the server does not support PKCE'),
          ev(uses[0]),
        ]);
      return met('the client refused to authorize without advertised PKCE support', [ev(metadata)]);
    },
  };
}

export const pkceRefusedWithoutSupport = refusesWithoutPkce(
  'pkce-refuses-without-support',
  'C-PKCE-04',
  'refuses to proceed when RFC 8414 metadata lacks code_challenge_methods_supported',
);

export const pkceRefusedWithoutSupportOidc = refusesWithoutPkce(
  'pkce-refuses-without-support-oidc',
  'C-PKCE-05',
  'refuses to proceed when OIDC metadata lacks code_challenge_methods_supported',
);
