// Protected resource metadata as the server publishes it (RFC 9728 §2-3, MCP "Authorization Server
// Location"): where it is served, that it is JSON, that `resource` is the identifier its location
// implies, and that it names the authorization server the server trusts.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { bearerParam, challengeEvidence, describeAnswer, ev, factsOf, kitRequests, labelled, prmDocument } from '../observe.js';
import { NO_TOKEN_LABEL } from './challenge.js';

const ALL = since('2025-03-26');

/** Where the scenario looked for the document, and what the server answered there. */
function prmFetches(trace: Trace): Exchange[] {
  return kitRequests(trace).filter((e) => e.label === 'prm-path' || e.label === 'prm-root' || e.label === 'prm-challenged');
}

/** The fetches that returned a document (200 with a JSON object). */
function documents(trace: Trace): Array<{ e: Exchange; doc: Record<string, unknown> }> {
  return prmFetches(trace).flatMap((e) => {
    const doc = prmDocument(e);
    return doc ? [{ e, doc }] : [];
  });
}

/** Judges each served document; `missing` when the server serves none (prm-published says so). */
function eachDocument(trace: Trace, judgeOne: (doc: Record<string, unknown>, e: Exchange) => string | undefined, part: string, passed: string): Finding {
  const served = documents(trace);
  if (served.length === 0) return missing('the server serves no PRM document');
  for (const { e, doc } of served) {
    const wrong = judgeOne(doc, e);
    if (wrong) return unmet(`the PRM document at ${e.request.url} (#${e.id}): ${wrong}`, [ev(e, part, wrong)]);
  }
  return met(`${passed} (${served.map(({ e }) => `#${e.id}`).join(', ')})`, served.map(({ e }) => ev(e, part)));
}

export const prmPublished: CheckDef = {
  id: 'prm-published',
  title: 'the server publishes protected resource metadata',
  requirements: ['S-PRM-01', 'S-PRM-03'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.prmDiscovery, LINK.rfc9728Wellknown],
  judge: (trace) => {
    const fetched = prmFetches(trace);
    if (fetched.length === 0) return missing('the kit fetched no PRM URL');
    const served = documents(trace);
    if (served.length > 0) return met(`PRM is served at ${served.map(({ e }) => e.request.url).join(' and ')}`, served.map(({ e }) => ev(e)));
    return unmet(`no PRM document anywhere a client looks: ${fetched.map((e) => `${e.request.url} answered ${describeAnswer(e)}`).join('; ')}`, fetched.map((e) => ev(e, 'response.status')));
  },
};

export const prmJson: CheckDef = {
  id: 'prm-json',
  title: 'the PRM document is served as application/json',
  requirements: ['PRM-RS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Response],
  judge: (trace) => {
    const ok = prmFetches(trace).filter((e) => e.response?.status === 200);
    if (ok.length === 0) return missing('no PRM URL answered 200');
    for (const e of ok) {
      const type = (e.response?.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') return unmet(`${e.request.url} answered 200 with Content-Type "${e.response?.headers['content-type'] ?? '(none)'}"`, [ev(e, 'response.header.content-type')]);
      if (!prmDocument(e)) return unmet(`${e.request.url} answered 200 with a body that is not a JSON object`, [ev(e, 'response.body')]);
    }
    return met(`every 200 from a PRM URL is a JSON object served as application/json`);
  },
};

/** The identifiers a document's `resource` may be, given where it was found (RFC 9728 §3.3). */
function impliedResources(e: Exchange, trace: Trace): string[] {
  const facts = factsOf(trace);
  const origin = new URL(facts.mcpUrl).origin;
  const named = bearerParam(labelled(trace, NO_TOKEN_LABEL), 'resource_metadata');
  const viaChallenge = named === e.request.url;
  // Found by probing the root, the identifier is the origin; named by the challenge, it is the URL
  // the client requested. A root document the challenge names may honour either reading.
  if (e.label === 'prm-root') return viaChallenge ? [origin, `${origin}/`, facts.mcpUrl] : [origin, `${origin}/`];
  return [facts.mcpUrl];
}

export const prmResourceMatches: CheckDef = {
  id: 'prm-resource-matches',
  title: 'the PRM `resource` is the identifier its location implies',
  requirements: ['PRM-RS-05', 'PRM-RS-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Validation],
  judge: (trace) =>
    eachDocument(
      trace,
      (doc, e) => {
        const allowed = impliedResources(e, trace);
        if (typeof doc.resource !== 'string') return 'has no `resource` (REQUIRED, RFC 9728 §2)';
        if (!allowed.includes(doc.resource)) return `names resource "${doc.resource}" where ${allowed.map((r) => `"${r}"`).join(' or ')} is required, so a client must refuse it (RFC 9728 §3.3)`;
        return undefined;
      },
      'response.body.resource',
      'every document names the resource its location implies',
    ),
};

export const prmAuthorizationServers: CheckDef = {
  id: 'prm-authorization-servers',
  title: 'the PRM document names the authorization server the server trusts',
  requirements: ['S-PRM-02', 'PRM-RS-06'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.authorizationServerLocation, LINK.rfc9728Metadata],
  judge: (trace) => {
    const issuer = factsOf(trace).issuer;
    return eachDocument(
      trace,
      (doc) => {
        const servers = doc.authorization_servers;
        if (!Array.isArray(servers) || servers.length === 0) return 'has no authorization_servers (MCP requires at least one)';
        if (!servers.includes(issuer)) return `names ${JSON.stringify(servers)}, not the issuer whose tokens it accepts (${issuer}); clients would authorize at the wrong server`;
        return undefined;
      },
      'response.body.authorization_servers',
      `every document names ${issuer}`,
    );
  },
};

export const prmBearerMethods: CheckDef = {
  id: 'prm-bearer-methods',
  title: 'bearer_methods_supported offers no method OAuth 2.1 forbids',
  requirements: ['PRM-RS-08', 'BRR-RS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Metadata, LINK.oauth21BearerQuery],
  judge: (trace) =>
    eachDocument(
      trace,
      (doc) => {
        const methods = doc.bearer_methods_supported;
        if (methods === undefined) return undefined;
        if (!Array.isArray(methods)) return 'bearer_methods_supported is not an array';
        const odd = methods.filter((m) => m !== 'header' && m !== 'body');
        if (odd.length > 0) return `bearer_methods_supported offers ${JSON.stringify(odd)}; RFC 9728 knows header, body and query, and OAuth 2.1 §5.1 removed query`;
        return undefined;
      },
      'response.body.bearer_methods_supported',
      'no document offers a token method outside header and body',
    ),
};

export const prmNoEmptyValues: CheckDef = {
  id: 'prm-no-empty-values',
  title: 'the PRM document omits parameters with zero values',
  requirements: ['PRM-RS-03'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Response],
  judge: (trace) =>
    eachDocument(
      trace,
      (doc) => {
        const empty = Object.entries(doc).filter(([, value]) => (Array.isArray(value) && value.length === 0) || value === null);
        return empty.length > 0 ? `${empty.map(([name]) => name).join(', ')} ${empty.length === 1 ? 'is' : 'are'} present with no value (RFC 9728 §3.2: "parameters with zero values MUST be omitted")` : undefined;
      },
      'response.body',
      'no document carries an empty parameter',
    ),
};

export const prmScopesAdvertised: CheckDef = {
  id: 'prm-scopes-advertised',
  title: 'the PRM document lists scopes_supported',
  requirements: ['PRM-RS-07', 'S-SCP-03'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Metadata, LINK.scopeSelection],
  judge: (trace) =>
    eachDocument(
      trace,
      (doc) => (Array.isArray(doc.scopes_supported) && doc.scopes_supported.length > 0 ? undefined : 'lists no scopes_supported (RECOMMENDED), so a client without a challenge scope has nothing to request'),
      'response.body.scopes_supported',
      'every document lists scopes_supported',
    ),
};

export const challengeMetadataResolves: CheckDef = {
  id: 'challenge-metadata-resolves',
  title: 'the resource_metadata URL of the 401 serves the PRM document',
  requirements: ['S-PRM-03', 'PRM-RS-10'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9728Challenge],
  judge: (trace) => {
    const challenge = labelled(trace, NO_TOKEN_LABEL);
    const url = bearerParam(challenge, 'resource_metadata');
    if (!challenge || !url) return skip('the 401 names no resource_metadata; challenge-names-resource-metadata judges that');
    const fetched = prmFetches(trace).find((e) => e.request.url === url);
    if (!fetched) return missing(`the kit did not fetch ${url}`);
    if (prmDocument(fetched)) return met(`${url} serves the document (#${fetched.id})`, [challengeEvidence(challenge), ev(fetched)]);
    return unmet(`the challenge names ${url}, which answered ${describeAnswer(fetched)} instead of a PRM document`, [challengeEvidence(challenge), ev(fetched, 'response.status')]);
  },
};
