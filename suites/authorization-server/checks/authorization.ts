// The authorization endpoint (OAuth 2.1 §4.1.1-4.1.2, RFC 7636, RFC 9207, MCP "Authorization Code
// Protection" and "Open Redirection"): PKCE required, redirect URIs matched exactly but for a
// loopback port, errors about the client or redirect URI never sent to that URI, no implicit grant,
// and a response that carries `state` and, where advertised, `iss`.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { AuthorizationRecord, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { authorization, authorizationEvidence, CLIENT, describeAuthorization, factsOf, lists, metadataOf, redirectedTo } from '../observe.js';

export const AUTHORIZE = {
  valid: 'authorize:valid',
  noChallenge: 'authorize:no-code-challenge',
  plain: 'authorize:plain-method',
  unknownMethod: 'authorize:unknown-method',
  pathChanged: 'authorize:redirect-uri-path-changed',
  suffixed: 'authorize:redirect-uri-suffixed',
  otherPort: 'authorize:redirect-uri-other-loopback-port',
  unknownClient: 'authorize:unknown-client',
  implicit: 'authorize:implicit',
  resourceFragment: 'authorize:resource-with-fragment',
} as const;

/**
 * The `state` the valid request sends: characters a server that re-encodes or trims would change,
 * all of them VSCHAR (RFC 6749 Appendix A.5: %x20-7E), which a strict server may insist on.
 */
export const TRICKY_STATE = "st a/te+=%&;~!*'()";

const ALL = since('2025-03-26');

/** The record of `label`, or a finding that says why there is nothing to judge. */
function recordOf(trace: Trace, label: string): AuthorizationRecord | Finding {
  if (!factsOf(trace).client) return { outcome: 'missing', message: 'the kit had no client to act as', precondition: CLIENT };
  return authorization(trace, label) ?? missing(`the kit made no ${label} request`);
}

// A record has an `outcome` too (redirected or stopped); only a record has a request URL.
const isFinding = (value: AuthorizationRecord | Finding): value is Finding => !('requestUrl' in value);

/** The response gave a code: the request was granted. */
const granted = (record: AuthorizationRecord): boolean => record.outcome === 'redirected' && typeof record.params?.code === 'string';

/** Judges requests the server must not grant; `wanted` is the error code a correct refusal carries. */
function refusedEach(trace: Trace, labels: string[], what: (label: string) => string, wanted?: string): Finding {
  const records: AuthorizationRecord[] = [];
  for (const label of labels) {
    const record = recordOf(trace, label);
    if (isFinding(record)) return record;
    if (granted(record)) return unmet(`${what(label)} got a code: ${describeAuthorization(record)}`, authorizationEvidence(record, 'response.header.location'));
    records.push(record);
  }
  const errors = records.map((r) => r.params?.error).filter((e): e is string => !!e);
  const note = wanted && errors.some((e) => e !== wanted) ? ` (error ${errors.join(', ')}; ${wanted} is the code for it)` : '';
  return met(`refused: ${records.map(describeAuthorization).join('; ')}${note}`, records.flatMap((r) => authorizationEvidence(r)));
}

export const authorizationCompletes: CheckDef = {
  id: 'authorization-completes',
  title: 'a valid authorization request of a public client with PKCE S256 and `resource` comes back with a code',
  requirements: ['A-GEN-01', 'PKCE-AS-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21AuthorizationResponse],
  judge: (trace) => {
    const record = recordOf(trace, AUTHORIZE.valid);
    if (isFinding(record)) return record;
    if (granted(record)) return met(`the valid request came back with a code`, authorizationEvidence(record));
    return unmet(`the valid request did not come back with a code: ${describeAuthorization(record)}`, authorizationEvidence(record));
  },
};

export const authorizationState: CheckDef = {
  id: 'authorization-state-echoed',
  title: '`state` comes back exactly as sent',
  requirements: ['O21-AS-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21AuthorizationResponse],
  judge: (trace) => {
    const record = recordOf(trace, AUTHORIZE.valid);
    if (isFinding(record)) return record;
    if (!granted(record)) return missing('the valid request got no code (authorization-completes judges that)');
    const returned = record.params?.state;
    if (returned === TRICKY_STATE) return met('state came back byte for byte', authorizationEvidence(record, 'response.header.location'));
    return unmet(`state was sent as ${JSON.stringify(TRICKY_STATE)} and came back as ${returned === undefined ? 'nothing' : JSON.stringify(returned)}`, authorizationEvidence(record, 'response.header.location'));
  },
};

/** Responses that went back to the redirect URI the request named (the ones `iss` belongs in). */
function responses(trace: Trace): AuthorizationRecord[] {
  return (trace.authorizations ?? []).filter((r) => redirectedTo(r, r.redirectUri));
}

export const authorizationIssConsistent: CheckDef = {
  id: 'authorization-iss-consistent',
  title: '`iss` is in every authorization response, errors included, exactly when the metadata advertises it, and equals the issuer',
  requirements: ['ISS-AS-01', 'ISS-AS-02', 'ISS-AS-03', 'A-ISS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9207, LINK.rfc9207Metadata],
  judge: (trace) => {
    const issuer = factsOf(trace).issuer;
    const advertised = metadataOf(trace)?.authorization_response_iss_parameter_supported === true;
    const found = responses(trace);
    if (found.length === 0) return missing('no authorization response came back to a redirect URI');
    for (const record of found) {
      const iss = record.params?.iss;
      if (iss !== undefined && iss !== issuer) return unmet(`${record.label}: iss is ${JSON.stringify(iss)}, not the issuer ${JSON.stringify(issuer)}; clients must reject the response`, authorizationEvidence(record, 'response.header.location'));
      if (iss !== undefined && !advertised) return unmet(`${record.label} carries iss, but the metadata does not set authorization_response_iss_parameter_supported to true (RFC 9207 §3)`, authorizationEvidence(record, 'response.header.location'));
      if (iss === undefined && advertised) return unmet(`${record.label}: the metadata advertises iss, but this ${record.params?.error ? 'error ' : ''}response has none; clients must reject it`, authorizationEvidence(record, 'response.header.location'));
    }
    return met(advertised ? `iss = ${issuer} in all ${found.length} response(s)` : 'iss is neither advertised nor sent', found.flatMap((r) => authorizationEvidence(r)));
  },
};

export const authorizationIssSent: CheckDef = {
  id: 'authorization-iss-sent',
  title: 'authorization responses identify the issuer (`iss`, RFC 9207)',
  requirements: ['A-ISS-01'],
  level: 'SHOULD',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.mcpIssuerParameter, LINK.rfc9207],
  judge: (trace) => {
    const found = responses(trace);
    if (found.length === 0) return missing('no authorization response came back to a redirect URI');
    const without = found.find((r) => r.params?.iss === undefined);
    if (without) return unmet(`${without.label} has no iss: clients cannot tell this server's responses from a mix-up attacker's`, authorizationEvidence(without, 'response.header.location'));
    return met(`every response carries iss`);
  },
};

export const authorizationPkceRequired: CheckDef = {
  id: 'authorization-pkce-required',
  title: 'a request without `code_challenge` is refused',
  requirements: ['PKCE-AS-02', 'AT-08'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21RedirectErrors, LINK.rfc7636Server],
  judge: (trace) => refusedEach(trace, [AUTHORIZE.noChallenge], () => 'a request without code_challenge', 'invalid_request'),
};

export const authorizationPkceMethod: CheckDef = {
  id: 'authorization-pkce-unknown-method',
  title: 'an unsupported `code_challenge_method` is refused',
  requirements: ['PKCE-AS-03'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7636Server],
  judge: (trace) => refusedEach(trace, [AUTHORIZE.unknownMethod], () => 'code_challenge_method=S512', 'invalid_request'),
};

export const authorizationPkcePlain: CheckDef = {
  id: 'authorization-pkce-plain-refused',
  title: 'the `plain` method is refused, so that no one can downgrade PKCE',
  requirements: ['PKCE-AS-03', 'AT-08'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.mcpAuthorizationCodeProtection, LINK.rfc7636Server],
  judge: (trace) => {
    const finding = refusedEach(trace, [AUTHORIZE.plain], () => 'code_challenge_method=plain', 'invalid_request');
    if (finding.outcome !== 'unmet') return finding;
    const listed = lists(metadataOf(trace), 'code_challenge_methods_supported', 'plain');
    return { ...finding, message: `${finding.message}${listed ? '' : '; the metadata does not even list plain'}` };
  },
};

export const authorizationRedirectExact: CheckDef = {
  id: 'authorization-redirect-uri-exact',
  title: 'a redirect URI that differs from the registered one (path changed, suffix added) gets no code',
  requirements: ['O21-AS-01', 'A-RED-01', 'AT-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21Redirect, LINK.mcpOpenRedirection],
  judge: (trace) => refusedEach(trace, [AUTHORIZE.pathChanged, AUTHORIZE.suffixed], (label) => `${label} (${authorization(trace, label)?.redirectUri})`),
};

export const authorizationUnknownClientRefused: CheckDef = {
  id: 'authorization-unknown-client-refused',
  title: 'an authorization request for a client the server does not know gets no code',
  requirements: ['O21-AS-03', 'A-GEN-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21RedirectErrors],
  judge: (trace) => refusedEach(trace, [AUTHORIZE.unknownClient], () => 'a request for client_id mcp-auth-conformance-no-such-client'),
};

export const authorizationErrorsNotRedirected: CheckDef = {
  id: 'authorization-errors-not-redirected',
  title: 'an unregistered redirect URI or unknown client is answered by the server itself, never by a redirect to that URI',
  requirements: ['O21-AS-03', 'A-RED-02', 'AT-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21RedirectErrors, LINK.mcpOpenRedirection],
  judge: (trace) => {
    const labels = [AUTHORIZE.pathChanged, AUTHORIZE.suffixed, AUTHORIZE.unknownClient];
    const judged: AuthorizationRecord[] = [];
    for (const label of labels) {
      const record = recordOf(trace, label);
      if (isFinding(record)) return record;
      // A code there is authorization-redirect-uri-exact's or authorization-unknown-client-refused's verdict.
      if (granted(record)) continue;
      if (redirectedTo(record, record.redirectUri)) {
        return unmet(`${label}: the server sent the browser to ${record.redirectUri} with ${record.params?.error ? `error=${record.params.error}` : 'a response'}: an open redirector`, authorizationEvidence(record, 'response.header.location'));
      }
      judged.push(record);
    }
    if (judged.length === 0) return missing('every such request got a code (authorization-redirect-uri-exact judges that)');
    return met(`answered without redirecting: ${judged.map((r) => `${r.label}: ${describeAuthorization(r)}`).join('; ')}`, judged.flatMap((r) => authorizationEvidence(r)));
  },
};

export const authorizationLoopbackPort: CheckDef = {
  id: 'authorization-loopback-any-port',
  title: 'a loopback redirect URI is accepted on any port',
  requirements: ['O21-AS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21LoopbackPort, LINK.rfc8252Loopback],
  judge: (trace) => {
    const { redirectUri } = factsOf(trace);
    if (!/^http:\/\/(127\.0\.0\.1|\[::1\])[:/]/.test(redirectUri)) return skip(`the client's redirect URI ${redirectUri} is not a loopback IP literal`);
    const record = recordOf(trace, AUTHORIZE.otherPort);
    if (isFinding(record)) return record;
    if (granted(record)) return met(`${record.redirectUri} got a code`, authorizationEvidence(record));
    return unmet(`the registered loopback redirect URI on another port (${record.redirectUri}) was refused: ${describeAuthorization(record)}; native clients only learn their port at run time`, authorizationEvidence(record));
  },
};

export const authorizationImplicitRefused: CheckDef = {
  id: 'authorization-implicit-refused',
  title: '`response_type=token` (the implicit grant OAuth 2.1 removed) issues no token',
  requirements: ['A-GEN-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21Implicit],
  judge: (trace) => {
    const record = recordOf(trace, AUTHORIZE.implicit);
    if (isFinding(record)) return record;
    if (record.params?.access_token !== undefined) return unmet(`response_type=token issued an access token in the ${record.from}`, authorizationEvidence(record, 'response.header.location'));
    return met(`response_type=token issued no token: ${describeAuthorization(record)}`, authorizationEvidence(record));
  },
};

export const authorizationResourceFragment: CheckDef = {
  id: 'authorization-resource-fragment-refused',
  title: 'a `resource` with a fragment is refused (`invalid_target`)',
  requirements: ['RI-AS-02'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8707],
  judge: (trace) => refusedEach(trace, [AUTHORIZE.resourceFragment], () => 'a resource with a fragment', 'invalid_target'),
};
