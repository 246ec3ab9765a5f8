// Resource indicators (RFC 8707) with the MCP canonical server URI.
import { met, missing, unmet, type CheckDef, type Evidence } from '../../../core/check.js';
import { resourceKey, sameResource } from '../../../core/uri.js';
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

/** Every resource value the client sent, with where it sent it. */
function resourcesSent(trace: Trace): Array<{ value: string; evidence: Evidence }> {
  return [
    ...authorizationRequests(trace).flatMap((e) => (query(e).get('resource') ? [{ value: query(e).get('resource')!, evidence: ev(e, 'query.resource') }] : [])),
    ...tokenRequests(trace).flatMap((e) => (form(e).get('resource') ? [{ value: form(e).get('resource')!, evidence: ev(e, 'form.resource') }] : [])),
  ];
}

/**
 * What identifies this MCP server: its canonical URI (the URL the client was given, without a
 * fragment) and, where a root PRM document names the origin (RFC 9728 §3.3), that identifier too.
 * RFC 8707 §2 and MCP "Canonical Server URI" ask for the most specific URI the client can give, but
 * the resource server defines its own identifier and a token for it is a token for this server,
 * so a client that validated the document and sends what it names breaks no MUST.
 */
const identifiersOf = (trace: Trace): string[] => [trace.world.canonicalResource, ...(trace.world.prmResource ? [trace.world.prmResource] : [])];

export const resourceCanonical: CheckDef = {
  id: 'resource-is-canonical-server-uri',
  title: "resource is the MCP server's canonical URI (absolute, no fragment), or the identifier its PRM names",
  requirements: ['C-RES-03', 'C-RES-04', 'RI-C-01'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.canonicalUri, LINK.rfc8707, LINK.rfc9728Validation],
  judge(trace) {
    const identifiers = identifiersOf(trace);
    const sent = resourcesSent(trace);
    if (sent.length === 0) return missing('the client never sent a resource parameter');
    const wrong = sent.filter((s) => !identifiers.some((id) => sameResource(id, s.value)));
    const named = trace.world.prmResource ? `; the canonical server URI is ${trace.world.canonicalResource} and the PRM document names ${trace.world.prmResource}` : `; the canonical server URI is ${trace.world.canonicalResource}`;
    if (wrong.length) return unmet(`resource was ${wrong[0].value}${named}`, wrong.map((s) => s.evidence));
    return met(`resource = ${[...new Set(sent.map((s) => s.value))].join(', ')}`);
  },
};

export const resourceWithoutTrailingSlash: CheckDef = {
  id: 'resource-no-trailing-slash',
  title: 'writes a resource without a path in the form without a trailing slash',
  requirements: ['G-10'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.canonicalUri],
  judge(trace) {
    const sent = resourcesSent(trace);
    if (sent.length === 0) return missing('the client never sent a resource parameter');
    const slashed = sent.filter((s) => resourceKey(s.value) !== s.value);
    if (slashed.length) return unmet(`resource was ${slashed[0].value}; MCP asks for ${resourceKey(slashed[0].value)}, without the trailing slash`, slashed.map((s) => s.evidence));
    return met('no resource ended in a slash after an empty path');
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
      const differ = asked === null || redeemed === null ? asked !== redeemed : resourceKey(asked) !== resourceKey(redeemed);
      if (differ)
        return unmet(`authorized for ${asked ?? '(none)'} but redeemed for ${redeemed ?? '(none)'}`, [ev(authorization, 'query.resource'), ev(redemption, 'form.resource')]);
    }
    return met('authorization and token requests agree');
  },
};
