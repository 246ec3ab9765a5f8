// Resource indicators (RFC 8707) with the MCP canonical server URI.
import { met, missing, unmet, type CheckDef, type Evidence } from '../../../core/check.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, byRole, ev, form, query } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { redemptionsWithAuthorization } from '../observe.js';

/** Token requests that must carry `resource`: code redemptions and refreshes (RI-C-03). */
const tokenRequests = (trace: Trace): Exchange[] => byRole(trace, 'token').filter((e) => ['authorization_code', 'refresh_token'].includes(form(e).get('grant_type') ?? ''));

export const resourceInAuthorization: CheckDef = {
  id: 'resource-in-authorization-request',
  title: 'sends resource in the authorization request',
  requirements: ['C-RES-01', 'C-RES-02', 'C-RES-06'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.resourceParameter, LINK.rfc8707],
  judge(trace) {
    const requests = authorizationRequests(trace);
    if (requests.length === 0) return missing('the client never sent an authorization request');
    const without = requests.filter((e) => !query(e).get('resource'));
    if (without.length) return unmet('authorization request without resource', without.map((e) => ev(e, 'query.resource')));
    return met('every authorization request named the resource');
  },
};

export const resourceInToken: CheckDef = {
  id: 'resource-in-token-request',
  title: 'sends resource in every token request (code redemption and refresh)',
  requirements: ['C-RES-02', 'RI-C-03', 'C-RES-06'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.resourceParameter, LINK.rfc8707],
  judge(trace) {
    const requests = tokenRequests(trace);
    if (requests.length === 0) return missing('the client never sent a token request');
    const without = requests.filter((e) => !form(e).get('resource'));
    if (without.length) return unmet('token request without resource', without.map((e) => ev(e, 'form.resource')));
    return met(`${requests.length} token request(s) named the resource`);
  },
};

export const resourceCanonical: CheckDef = {
  id: 'resource-is-canonical-server-uri',
  title: 'resource is the MCP server\'s canonical URI (absolute, no fragment, full path)',
  requirements: ['C-RES-03', 'C-RES-04', 'C-RES-05', 'RI-C-01'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.canonicalUri, LINK.rfc8707],
  judge(trace) {
    const expected = trace.world.canonicalResource;
    const sent: Array<{ value: string; evidence: Evidence }> = [
      ...authorizationRequests(trace).flatMap((e) => (query(e).get('resource') ? [{ value: query(e).get('resource')!, evidence: ev(e, 'query.resource') }] : [])),
      ...tokenRequests(trace).flatMap((e) => (form(e).get('resource') ? [{ value: form(e).get('resource')!, evidence: ev(e, 'form.resource') }] : [])),
    ];
    if (sent.length === 0) return missing('the client never sent a resource parameter');
    const wrong = sent.filter((s) => s.value !== expected);
    if (wrong.length) return unmet(`resource was ${wrong[0].value}; the canonical server URI is ${expected}`, wrong.map((s) => s.evidence));
    return met(`resource = ${expected}`);
  },
};

export const resourceConsistent: CheckDef = {
  id: 'resource-consistent',
  title: 'the token request names the same resource as the authorization request',
  requirements: ['C-RES-02', 'RI-C-03'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc8707],
  judge(trace) {
    const pairs = redemptionsWithAuthorization(trace);
    if (pairs.length === 0) return missing('the client never redeemed an authorization code');
    for (const { redemption, authorization } of pairs) {
      const asked = query(authorization).get('resource');
      const redeemed = form(redemption).get('resource');
      if (asked !== redeemed)
        return unmet(`authorized for ${asked ?? '(none)'} but redeemed for ${redeemed ?? '(none)'}`, [ev(authorization, 'query.resource'), ev(redemption, 'form.resource')]);
    }
    return met('authorization and token requests agree');
  },
};
