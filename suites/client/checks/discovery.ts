// Discovery: protected resource metadata (RFC 9728) and authorization server metadata (RFC 8414 / OIDC).
import { met, missing, unmet, type CheckDef } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import { byRole, ev, fromClients, responseJson, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { challengeOf, firstAuthorization, knobsOf, probeOrderViolation, probes, prmWellKnown, usesOfAuthorizationServer } from '../observe.js';

export const prmDiscovered: CheckDef = {
  id: 'prm-discovered',
  title: 'fetches the protected resource metadata with GET before authorizing',
  requirements: ['C-PRM-01', 'C-PRM-02', 'PRM-C-01'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.prmDiscovery, LINK.rfc9728Wellknown],
  judge(trace) {
    const requests = fromClients(trace).filter((e) => e.role === 'prm');
    if (requests.length === 0) return missing('the client never requested protected resource metadata');
    const fetched = requests.find((e) => e.request.method === 'GET' && succeeded(e));
    if (!fetched) return unmet('no PRM request got the document', requests.map((e) => ev(e, 'url', `answered ${e.response?.status ?? 'nothing'}`)));
    const authorization = firstAuthorization(trace);
    if (authorization && authorization.id < fetched.id)
      return unmet('the client authorized before it had the PRM document', [ev(authorization), ev(fetched)]);
    return met(`PRM fetched from ${fetched.request.url}`, [ev(fetched)]);
  },
};

export const prmDiscoveryOrder: CheckDef = {
  id: 'prm-discovery-order',
  title: 'uses the challenge\'s resource_metadata URL, else path-inserted then root well-known URI',
  requirements: ['C-PRM-03', 'C-PRM-04', 'PRM-C-02'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.prmDiscovery, LINK.rfc9728Challenge, LINK.rfc9728Wellknown],
  judge(trace) {
    const { prm } = knobsOf(trace);
    const wellKnown = prmWellKnown(trace);
    const tried = probes(trace, 'prm');
    if (tried.length === 0) return missing('the client never requested protected resource metadata');
    // C-PRM-03 binds once a challenge names the document; before any 401 (a client discovering ahead
    // of its first request) there is nothing to use but the well-known URIs, in their order (C-PRM-04).
    const challenge = prm.advertise && trace.world.prmUrl ? fromClients(trace).find((e) => e.role === 'mcp' && e.response?.status === 401 && challengeOf(e)?.has('resource_metadata')) : undefined;
    const violation = challenge
      ? (probeOrderViolation(probes(trace, 'prm', (e) => e.id < challenge.id), [wellKnown.pathInserted, wellKnown.root], { mayStopEarly: true }) ??
        probeOrderViolation(probes(trace, 'prm', (e) => e.id > challenge.id), [trace.world.prmUrl!]))
      : probeOrderViolation(tried, prm.advertise && trace.world.prmUrl ? [trace.world.prmUrl] : [wellKnown.pathInserted, wellKnown.root]);
    if (violation) return unmet(violation.why, [ev(violation.exchange, 'url')]);
    return met(`tried ${tried.map((p) => p.url).join(' then ')}`, tried.map((p) => ev(p.exchange)));
  },
};

export const prmResourceValidated: CheckDef = {
  id: 'prm-resource-validated',
  title: 'does not use protected resource metadata whose resource is not the server it asked',
  requirements: ['PRM-C-04', 'C-PRM-01'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Validation],
  judge(trace) {
    const mismatched = byRole(trace, 'prm').find((e) => succeeded(e) && responseJson(e)?.resource !== trace.world.canonicalResource);
    if (!mismatched) return missing('the client never fetched the mismatched PRM document, so nothing was tested');
    const uses = usesOfAuthorizationServer(trace).filter((e) => e.id > mismatched.id);
    if (uses.length > 0)
      return unmet(`PRM named resource ${String(responseJson(mismatched)?.resource)} for ${trace.world.mcpUrl}, yet the client went on to ${uses[0].role}`, [
        ev(mismatched, 'response.body.resource'),
        ev(uses[0]),
      ]);
    return met('the client stopped after the PRM resource mismatch', [ev(mismatched, 'response.body.resource')]);
  },
};

export const asMetadataDiscovered: CheckDef = {
  id: 'as-metadata-discovered',
  title: 'fetches authorization server metadata before authorizing',
  requirements: ['C-ASM-01', 'C-ASM-02'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.asmDiscovery, LINK.rfc8414Wellknown],
  judge(trace) {
    const requests = fromClients(trace).filter((e) => e.role === 'as-metadata');
    if (requests.length === 0) return missing('the client never requested authorization server metadata');
    const fetched = requests.find((e) => e.request.method === 'GET' && succeeded(e));
    if (!fetched) return unmet('no metadata request reached a document the server publishes', requests.map((e) => ev(e, 'url', `answered ${e.response?.status ?? 'nothing'}`)));
    const authorization = firstAuthorization(trace);
    if (authorization && authorization.id < fetched.id) return unmet('the client authorized before it had the metadata', [ev(authorization), ev(fetched)]);
    return met(`metadata fetched from ${fetched.request.url}`, [ev(fetched)]);
  },
};

export const asMetadataOrder: CheckDef = {
  id: 'as-metadata-discovery-order',
  title: 'tries the well-known metadata URLs in the specified order and stops at the first found',
  requirements: ['C-ASM-02', 'C-ASM-03', 'C-ASM-04', 'ASM-C-01'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.asmDiscovery, LINK.rfc8414Wellknown],
  judge(trace) {
    const tried = probes(trace, 'as-metadata');
    if (tried.length === 0) return missing('the client never requested authorization server metadata');
    const violation = probeOrderViolation(tried, trace.world.asMetadataProbeOrder);
    if (violation) return unmet(violation.why, [ev(violation.exchange, 'url')]);
    return met(`tried ${tried.map((p) => p.url).join(' then ')}`, tried.map((p) => ev(p.exchange)));
  },
};

export const asMetadataIssuerValidated: CheckDef = {
  id: 'as-metadata-issuer-validated',
  title: 'does not use authorization server metadata whose issuer differs from the one it asked',
  requirements: ['C-ASM-05', 'ASM-C-02'],
  level: 'MUST',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.asmDiscovery, LINK.rfc8414Validation],
  judge(trace) {
    const impostor = byRole(trace, 'as-metadata').find((e) => succeeded(e) && responseJson(e)?.issuer !== trace.world.issuer);
    if (!impostor) return missing('the client never fetched the metadata document with the wrong issuer, so nothing was tested');
    const uses = usesOfAuthorizationServer(trace).filter((e) => e.id > impostor.id);
    if (uses.length > 0)
      return unmet(`metadata said issuer ${String(responseJson(impostor)?.issuer)} for ${trace.world.issuer}, yet the client went on to ${uses[0].role}`, [
        ev(impostor, 'response.body.issuer'),
        ev(uses[0]),
      ]);
    return met('the client refused the metadata', [ev(impostor, 'response.body.issuer')]);
  },
};
