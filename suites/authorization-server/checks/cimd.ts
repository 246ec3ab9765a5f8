// Client ID metadata documents (CIMD, MCP "Client Registration"), where the server advertises them:
// the kit publishes documents on its own loopback HTTPS origin and uses their URLs as client_id. A
// server that fetches them must hold the client to what the document says; one that never fetches
// from loopback (SSRF protection, CIMD §6) cannot be judged here, and every check says so.
import { met, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import { byRole } from '../../../core/trace-query.js';
import type { AuthorizationRecord, Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { authorization, authorizationEvidence, describeAnswer, describeAuthorization, ev, isSuccess, labelled } from '../observe.js';

export const CIMD = {
  valid: 'cimd:valid',
  unlistedRedirect: 'cimd:unlisted-redirect-uri',
  mismatch: 'cimd:client-id-mismatch',
  sharedSecret: 'cimd:shared-secret-method',
  missing: 'cimd:document-missing',
} as const;

/** Where each document lives, by the authorization that uses it. */
export const CIMD_PATHS: Record<string, string> = {
  [CIMD.valid]: '/cimd/client.json',
  [CIMD.mismatch]: '/cimd/mismatched-client-id.json',
  [CIMD.sharedSecret]: '/cimd/shared-secret-client.json',
  [CIMD.missing]: '/cimd/missing-client.json',
};

const CIMD_SINCE = since('2025-11-25');

/** The server's fetches of the document at `path`. */
function fetches(trace: Trace, path: string): Exchange[] {
  return byRole(trace, 'cimd').filter((e) => new URL(e.request.url).pathname === path);
}

const granted = (record: AuthorizationRecord): boolean => record.outcome === 'redirected' && typeof record.params?.code === 'string';

/** Judges a CIMD authorization once it is known the server reads documents at all. */
function judged(trace: Trace, label: string, judge: (record: AuthorizationRecord) => Finding): Finding {
  const record = authorization(trace, label);
  if (!record) return skip(`the kit made no ${label} request`);
  if (byRole(trace, 'cimd').length === 0) {
    const valid = authorization(trace, CIMD.valid);
    // Granting a URL client without reading its document is judged by cimd-document-fetched.
    if (!valid || !granted(valid)) return skip('the server fetched no client ID metadata document from the kit\'s loopback HTTPS origin (one that refuses loopback URLs as SSRF protection cannot be judged here)');
  }
  return judge(record);
}

function refused(trace: Trace, label: string, what: string): Finding {
  return judged(trace, label, (record) =>
    granted(record) ? unmet(`${what} got a code: ${describeAuthorization(record)}`, authorizationEvidence(record, 'response.header.location')) : met(`${what} was refused: ${describeAuthorization(record)}`, authorizationEvidence(record)),
  );
}

export const cimdDocumentFetched: CheckDef = {
  id: 'cimd-document-fetched',
  title: 'a client_id that is a URL is looked up: the server fetches its metadata document before granting it a code',
  requirements: ['A-CIMD-01', 'A-CIMD-04'],
  level: 'MUST',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) => {
    const record = authorization(trace, CIMD.valid);
    if (!record) return skip('the kit made no CIMD authorization');
    // Before the answer that granted the code: the host records a fetch when it answers it, the
    // user agent an authorization request when its answer has come.
    const answeredAt = record.exchange ?? Infinity;
    const fetched = fetches(trace, CIMD_PATHS[CIMD.valid]).filter((e) => e.id < answeredAt);
    if (fetched.length > 0) return met(`the server fetched ${fetched[0].request.url}`, fetched.slice(0, 1).map((e) => ev(e)));
    if (granted(record)) return unmet(`the server granted a code to client_id ${record.requestUrl && new URL(record.requestUrl).searchParams.get('client_id')} without fetching its document: it cannot have checked the redirect URI against it`, authorizationEvidence(record, 'response.header.location'));
    return skip('the server fetched no client ID metadata document from the kit\'s loopback HTTPS origin (one that refuses loopback URLs as SSRF protection cannot be judged here)');
  },
};

export const cimdClientAccepted: CheckDef = {
  id: 'cimd-client-accepted',
  title: 'a valid client ID metadata document of a public client is accepted, and its code redeemed without a secret',
  requirements: ['A-REG-01', 'A-CIMD-05'],
  level: 'SHOULD',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) =>
    judged(trace, CIMD.valid, (record) => {
      if (!granted(record)) return unmet(`the server advertises CIMD, yet the client of a valid document was refused: ${describeAuthorization(record)}`, authorizationEvidence(record));
      // A public client of its own URL: the code is redeemed with client_id and verifier, no secret.
      const redemption = labelled(trace, `${CIMD.valid}:token`);
      if (!redemption?.response) return met('the document\'s client got a code', authorizationEvidence(record));
      if (!isSuccess(redemption)) return unmet(`the document's client got a code, but redeeming it as the public client the document declares was refused: ${describeAnswer(redemption)}`, [ev(redemption, 'response.body')]);
      return met('the document\'s client got a code and redeemed it as a public client', [...authorizationEvidence(record), ev(redemption)]);
    }),
};

export const cimdRedirectUriChecked: CheckDef = {
  id: 'cimd-redirect-uri-checked',
  title: 'a redirect URI the document does not list gets no code',
  requirements: ['A-CIMD-04', 'CIMD-AS-05'],
  level: 'MUST',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) => refused(trace, CIMD.unlistedRedirect, 'a redirect URI the document does not list'),
};

export const cimdClientIdMatches: CheckDef = {
  id: 'cimd-client-id-matches',
  title: "a document whose `client_id` is not exactly its URL is refused",
  requirements: ['A-CIMD-02'],
  level: 'MUST',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) => refused(trace, CIMD.mismatch, 'the client of a document naming another client_id'),
};

export const cimdNoSharedSecret: CheckDef = {
  id: 'cimd-no-shared-secret',
  title: 'a document declaring a shared-secret auth method (client_secret_*) is refused',
  requirements: ['CIMD-AS-02'],
  level: 'MUST',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) => refused(trace, CIMD.sharedSecret, 'the client of a document with token_endpoint_auth_method client_secret_basic'),
};

export const cimdFetchFailureAborts: CheckDef = {
  id: 'cimd-fetch-failure-aborts',
  title: 'a client whose document cannot be fetched (404) gets no code',
  requirements: ['CIMD-AS-03'],
  level: 'SHOULD',
  specVersions: CIMD_SINCE,
  specLinks: [LINK.mcpRegistration],
  judge: (trace) => refused(trace, CIMD.missing, 'a client whose document answers 404'),
};
