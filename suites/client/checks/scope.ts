// Scope selection for the first authorization (MCP "Scope Selection Strategy").
import { met, missing, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { since } from '../../../core/spec.js';
import { ev, query } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { firstAuthorization, sameSet, scopeSet, show } from '../observe.js';

function onFirstAuthorization(judgeScope: (scope: Set<string>, e: Exchange, trace: Trace) => Finding): (trace: Trace) => Finding {
  return (trace) => {
    const e = firstAuthorization(trace);
    if (!e) return missing('the client never sent an authorization request');
    return judgeScope(scopeSet(query(e).get('scope')), e, trace);
  };
}

export const scopeFromChallenge: CheckDef = {
  id: 'scope-from-www-authenticate',
  title: 'requests exactly the scope named in the 401 challenge',
  requirements: ['C-SCP-02', 'C-SCP-01', 'C-SCP-03'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge: onFirstAuthorization((scope, e, trace) => {
    const challenged = scopeSet(trace.world.challengeScope);
    if (sameSet(scope, challenged)) return met(`scope = ${show(challenged)}`, [ev(e, 'query.scope')]);
    return unmet(`requested ${show(scope)}; the challenge named ${show(challenged)}`, [ev(e, 'query.scope')]);
  }),
};

export const scopeCoversChallenge: CheckDef = {
  id: 'scope-covers-challenge',
  title: 'treats the challenged scopes as authoritative: requests every one of them',
  requirements: ['C-SCP-04'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge: onFirstAuthorization((scope, e, trace) => {
    const lacking = [...scopeSet(trace.world.challengeScope)].filter((s) => !scope.has(s));
    if (lacking.length) return unmet(`requested ${show(scope)}, without the challenged ${lacking.join(' ')}`, [ev(e, 'query.scope')]);
    return met('every challenged scope requested');
  }),
};

export const scopeFromScopesSupported: CheckDef = {
  id: 'scope-from-scopes-supported',
  title: 'without a challenged scope, requests all of the PRM scopes_supported',
  requirements: ['C-SCP-02'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge: onFirstAuthorization((scope, e, trace) => {
    const supported = new Set(trace.world.scopesSupported ?? []);
    if (sameSet(scope, supported)) return met(`scope = ${show(supported)}`);
    return unmet(`requested ${show(scope)}; scopes_supported is ${show(supported)}`, [ev(e, 'query.scope')]);
  }),
};

export const scopeOmitted: CheckDef = {
  id: 'scope-omitted-when-undefined',
  title: 'omits scope when neither the challenge nor the PRM names any',
  requirements: ['C-SCP-02'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge: onFirstAuthorization((scope, e) => {
    if (scope.size === 0) return met('no scope requested');
    return unmet(`requested ${show(scope)} with nothing to base it on`, [ev(e, 'query.scope')]);
  }),
};
