// Authorization server metadata as the server publishes it (RFC 8414, OpenID Connect Discovery, MCP
// "Authorization Server Discovery"): where it is served, that the issuer is the one asked for, and
// that what MCP clients rely on is there: the endpoints, PKCE with S256, public clients.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import { responseJson } from '../../../core/trace-query.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { describeAnswer, ev, factsOf, labelled } from '../observe.js';

export const RFC8414_LABEL = 'metadata:rfc8414';
export const OIDC_LABEL = 'metadata:oidc';

const ALL = since('2025-03-26');

/** A fetch that returned a document: 200 with a JSON object. */
function documentOf(e: Exchange | undefined): Record<string, unknown> | undefined {
  return e?.response?.status === 200 ? responseJson(e) : undefined;
}

/** The documents served, RFC 8414 first. */
function documents(trace: Trace): Array<{ e: Exchange; doc: Record<string, unknown>; kind: 'RFC 8414' | 'OpenID Connect' }> {
  const found: Array<{ e: Exchange; doc: Record<string, unknown>; kind: 'RFC 8414' | 'OpenID Connect' }> = [];
  for (const [label, kind] of [[RFC8414_LABEL, 'RFC 8414'], [OIDC_LABEL, 'OpenID Connect']] as const) {
    const e = labelled(trace, label);
    const doc = documentOf(e);
    if (e && doc) found.push({ e, doc, kind });
  }
  return found;
}

/** The document MCP clients use: RFC 8414's, else OIDC's (MCP tries both, in that order). */
function primary(trace: Trace): { e: Exchange; doc: Record<string, unknown>; kind: string } | undefined {
  return documents(trace)[0];
}

function withPrimary(trace: Trace, judge: (doc: Record<string, unknown>, e: Exchange, kind: string) => Finding): Finding {
  const found = primary(trace);
  if (!found) return missing('the server publishes no metadata document (metadata-published judges that)');
  return judge(found.doc, found.e, found.kind);
}

const stringList = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined);

export const metadataPublished: CheckDef = {
  id: 'metadata-published',
  title: 'metadata is published where MCP clients look (RFC 8414 path-inserted, or OpenID Connect discovery)',
  requirements: ['A-DSC-01', 'ASM-AS-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414WellKnown, LINK.mcpOverview],
  judge: (trace) => {
    const rfc = labelled(trace, RFC8414_LABEL);
    const oidc = labelled(trace, OIDC_LABEL);
    if (!rfc) return missing('the kit fetched no metadata');
    const rfcDoc = documentOf(rfc);
    if (rfcDoc) return met(`RFC 8414 metadata is served at ${rfc.request.url}`, [ev(rfc)]);
    // Before 2025-11-25 MCP asked for RFC 8414 itself; since then either document will do.
    const oidcEnough = trace.specVersion >= '2025-11-25';
    const oidcDoc = documentOf(oidc);
    if (oidc && oidcDoc && oidcEnough) return met(`no RFC 8414 metadata at ${rfc.request.url} (${describeAnswer(rfc)}), but OpenID Connect discovery is served at ${oidc.request.url}`, [ev(rfc), ev(oidc)]);
    const evidence = [ev(rfc, 'response.status'), ...(oidc ? [ev(oidc, 'response.status')] : [])];
    if (oidcDoc) return unmet(`${rfc.request.url} answered ${describeAnswer(rfc)}; at ${trace.specVersion} MCP needs RFC 8414 metadata, and OpenID Connect discovery alone is not enough`, evidence);
    return unmet(`no metadata where MCP clients look: ${rfc.request.url} answered ${describeAnswer(rfc)}${oidc ? `, ${oidc.request.url} answered ${describeAnswer(oidc)}` : ''}`, evidence);
  },
};

export const metadataJson: CheckDef = {
  id: 'metadata-json',
  title: 'metadata is a JSON object served as application/json',
  requirements: ['ASM-AS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Response],
  judge: (trace) => {
    const ok = [labelled(trace, RFC8414_LABEL), labelled(trace, OIDC_LABEL)].filter((e): e is Exchange => e?.response?.status === 200);
    if (ok.length === 0) return missing('no metadata URL answered 200 (metadata-published judges that)');
    for (const e of ok) {
      const type = (e.response?.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') return unmet(`${e.request.url} answered 200 with Content-Type "${e.response?.headers['content-type'] ?? '(none)'}"`, [ev(e, 'response.header.content-type')]);
      if (!responseJson(e)) return unmet(`${e.request.url} answered 200 with a body that is not a JSON object`, [ev(e, 'response.body')]);
    }
    return met('every metadata document is a JSON object served as application/json', ok.map((e) => ev(e)));
  },
};

export const metadataIssuer: CheckDef = {
  id: 'metadata-issuer',
  title: '`issuer` is exactly the issuer the metadata URL was built from',
  requirements: ['ASM-AS-03', 'ASM-C-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Validation, LINK.oidcDiscovery],
  judge: (trace) => {
    const expected = factsOf(trace).issuer;
    const found = documents(trace);
    if (found.length === 0) return missing('the server publishes no metadata document (metadata-published judges that)');
    for (const { e, doc, kind } of found) {
      if (doc.issuer !== expected) {
        // A client compares by simple string comparison and must refuse the document (RFC 8414 §3.3).
        return unmet(`the ${kind} document names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(expected)}: MCP clients must refuse it`, [ev(e, 'response.body.issuer')]);
      }
      const url = new URL(expected);
      if (url.search || url.hash || expected.includes('#')) return unmet(`the issuer ${expected} has a query or fragment`, [ev(e, 'response.body.issuer')]);
    }
    return met(`every document names issuer ${expected}`, found.map(({ e }) => ev(e, 'response.body.issuer')));
  },
};

export const metadataEndpoints: CheckDef = {
  id: 'metadata-endpoints',
  title: 'the metadata names an authorization endpoint, a token endpoint, and response type `code`',
  requirements: ['ASM-AS-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Metadata],
  judge: (trace) =>
    withPrimary(trace, (doc, e, kind) => {
      for (const field of ['authorization_endpoint', 'token_endpoint']) {
        const value = doc[field];
        if (typeof value !== 'string') return unmet(`the ${kind} document has no ${field}`, [ev(e, `response.body.${field}`)]);
        try {
          new URL(value);
        } catch {
          return unmet(`${field} ${JSON.stringify(value)} is not an absolute URL`, [ev(e, `response.body.${field}`)]);
        }
      }
      const types = stringList(doc.response_types_supported);
      if (!types) return unmet('response_types_supported is missing or not a list of strings (RFC 8414 §2: REQUIRED)', [ev(e, 'response.body.response_types_supported')]);
      if (!types.includes('code')) return unmet(`response_types_supported is ${JSON.stringify(types)}, without "code"`, [ev(e, 'response.body.response_types_supported')]);
      return met('authorization_endpoint, token_endpoint and response type code are advertised', [ev(e)]);
    }),
};

export const metadataPkce: CheckDef = {
  id: 'metadata-pkce-s256',
  title: '`code_challenge_methods_supported` lists S256 (MCP clients refuse an authorization server without it)',
  requirements: ['ASM-AS-05', 'A-DSC-02'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.mcpAuthorizationCodeProtection, LINK.rfc8414Metadata],
  // The document MCP clients use; OpenID Connect discovery beside RFC 8414 metadata is metadata-oidc-consistent's.
  judge: (trace) =>
    withPrimary(trace, (doc, e, kind) => {
      const methods = stringList(doc.code_challenge_methods_supported);
      if (methods?.includes('S256')) return met(`the ${kind} document lists S256 (${JSON.stringify(methods)})`, [ev(e, 'response.body.code_challenge_methods_supported')]);
      const said = doc.code_challenge_methods_supported === undefined ? 'has no code_challenge_methods_supported' : `lists code_challenge_methods_supported ${JSON.stringify(doc.code_challenge_methods_supported)}`;
      return unmet(`the ${kind} document ${said}: RFC 8414 reads that as no PKCE, and MCP clients must refuse to proceed`, [ev(e, 'response.body.code_challenge_methods_supported')]);
    }),
};

export const metadataNoEmptyClaims: CheckDef = {
  id: 'metadata-no-empty-claims',
  title: 'claims with zero elements are omitted',
  requirements: ['ASM-AS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Response],
  judge: (trace) => {
    const found = documents(trace);
    if (found.length === 0) return missing('the server publishes no metadata document (metadata-published judges that)');
    for (const { e, doc, kind } of found) {
      const empty = Object.entries(doc).filter(([, value]) => Array.isArray(value) && value.length === 0).map(([name]) => name);
      if (empty.length > 0) return unmet(`the ${kind} document has empty ${empty.join(', ')} (RFC 8414 §3.2: claims with zero elements MUST be omitted)`, [ev(e, `response.body.${empty[0]}`)]);
    }
    return met('no claim is an empty list');
  },
};

export const metadataSigningAlgorithms: CheckDef = {
  id: 'metadata-signing-algorithms',
  title: 'endpoint auth signing algorithms are listed where JWT client authentication is, and never `none`',
  requirements: ['ASM-AS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Metadata],
  judge: (trace) =>
    withPrimary(trace, (doc, e) => {
      for (const endpoint of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
        const methods = stringList(doc[`${endpoint}_auth_methods_supported`]) ?? [];
        const algorithms = doc[`${endpoint}_auth_signing_alg_values_supported`];
        const field = `${endpoint}_auth_signing_alg_values_supported`;
        if ((methods.includes('private_key_jwt') || methods.includes('client_secret_jwt')) && !stringList(algorithms)?.length) {
          return unmet(`${endpoint}_auth_methods_supported lists JWT client authentication but ${field} is missing`, [ev(e, `response.body.${field}`)]);
        }
        if (stringList(algorithms)?.includes('none')) return unmet(`${field} lists "none"`, [ev(e, `response.body.${field}`)]);
      }
      return met('signing algorithms are consistent with the auth methods and never none');
    }),
};

export const metadataGrantTypes: CheckDef = {
  id: 'metadata-grant-types',
  title: '`grant_types_supported` lists authorization_code and not implicit, which OAuth 2.1 removed',
  requirements: ['A-GEN-01', 'ASM-AS-06'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Metadata, LINK.oauth21Implicit],
  judge: (trace) =>
    withPrimary(trace, (doc, e) => {
      const grants = stringList(doc.grant_types_supported);
      // RFC 8414 §2: absent means ["authorization_code", "implicit"].
      if (!grants) return unmet('grant_types_supported is absent, which RFC 8414 reads as ["authorization_code", "implicit"]', [ev(e, 'response.body.grant_types_supported')]);
      if (!grants.includes('authorization_code')) return unmet(`grant_types_supported is ${JSON.stringify(grants)}, without authorization_code`, [ev(e, 'response.body.grant_types_supported')]);
      if (grants.includes('implicit')) return unmet(`grant_types_supported lists implicit (${JSON.stringify(grants)}), which OAuth 2.1 removed`, [ev(e, 'response.body.grant_types_supported')]);
      return met(`grant_types_supported is ${JSON.stringify(grants)}`);
    }),
};

export const metadataPublicClients: CheckDef = {
  id: 'metadata-public-clients',
  title: 'public clients are supported: `token_endpoint_auth_methods_supported` lists `none`',
  requirements: ['A-GEN-01', 'ASM-AS-06'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8414Metadata, LINK.mcpOverview],
  judge: (trace) =>
    withPrimary(trace, (doc, e) => {
      const methods = stringList(doc.token_endpoint_auth_methods_supported);
      // RFC 8414 §2: absent means client_secret_basic only.
      if (!methods) return unmet('token_endpoint_auth_methods_supported is absent, which RFC 8414 reads as client_secret_basic only: MCP clients are public clients', [ev(e, 'response.body.token_endpoint_auth_methods_supported')]);
      if (!methods.includes('none')) return unmet(`token_endpoint_auth_methods_supported is ${JSON.stringify(methods)}, without none: MCP clients are public clients`, [ev(e, 'response.body.token_endpoint_auth_methods_supported')]);
      return met(`token_endpoint_auth_methods_supported lists none (${JSON.stringify(methods)})`);
    }),
};

export const metadataOidcConsistent: CheckDef = {
  id: 'metadata-oidc-consistent',
  title: 'OpenID Connect discovery, where offered, agrees with RFC 8414 metadata and advertises S256',
  requirements: ['A-DSC-02', 'ASM-C-04'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.mcpAuthorizationCodeProtection, LINK.oidcDiscovery],
  judge: (trace) => {
    const found = documents(trace);
    const rfc = found.find((d) => d.kind === 'RFC 8414');
    const oidc = found.find((d) => d.kind === 'OpenID Connect');
    if (!oidc) return skip('the server offers no OpenID Connect discovery');
    if (!stringList(oidc.doc.code_challenge_methods_supported)?.includes('S256')) {
      return unmet('the OpenID Connect discovery document does not list S256 in code_challenge_methods_supported (MCP: authorization servers offering it MUST include it)', [ev(oidc.e, 'response.body.code_challenge_methods_supported')]);
    }
    if (!rfc) return met('only OpenID Connect discovery is served, and it lists S256', [ev(oidc.e)]);
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint']) {
      if (JSON.stringify(rfc.doc[field]) !== JSON.stringify(oidc.doc[field])) {
        return unmet(`${field} is ${JSON.stringify(rfc.doc[field])} in RFC 8414 metadata but ${JSON.stringify(oidc.doc[field])} in OpenID Connect discovery`, [ev(rfc.e, `response.body.${field}`), ev(oidc.e, `response.body.${field}`)]);
      }
    }
    return met('both documents name the same issuer and endpoints, and both list S256', [ev(rfc.e), ev(oidc.e)]);
  },
};
