// The 401 a request without a token draws, and every challenge's grammar (RFC 6750 §3, RFC 9110
// §11.6.1, RFC 9728 §5.1): a strict client must be able to read each one to the end.
import { met, missing, skip, unmet, type CheckDef } from '../../../core/check.js';
import { since, SPEC_VERSIONS, type SpecVersion } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import type { Challenge } from '../../../core/www-authenticate.js';
import { LINK } from '../links.js';
import { bearerParam, challengeEvidence, challengeOf, describeAnswer, ev, kitRequests, labelled, prmDocument, served, statusOf } from '../observe.js';

const ALL = since('2025-03-26');
export const NO_TOKEN_LABEL = 'no-token';

function noToken(trace: Trace): Exchange | undefined {
  return labelled(trace, NO_TOKEN_LABEL);
}

/** The Bearer challenge of the no-token 401, or why there is none to judge. */
function noTokenChallenge(trace: Trace): { e: Exchange; bearer: Challenge } | { why: string } {
  const e = noToken(trace);
  if (!e) return { why: 'the kit sent no request without a token' };
  if (statusOf(e) !== 401) return { why: `the request without a token got ${describeAnswer(e)}, not 401` };
  const { bearer, fault } = challengeOf(e);
  if (fault) return { why: `its WWW-Authenticate does not parse (${fault})` };
  if (!bearer) return { why: 'its 401 carries no Bearer challenge' };
  return { e, bearer };
}

export const noTokenRefused: CheckDef = {
  id: 'no-token-refused',
  title: 'a request without a token gets 401',
  requirements: ['S-TOK-06', 'S-SBP-01', 'S-ERR-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.errorHandling, LINK.tokenHandling],
  judge: (trace) => {
    const e = noToken(trace);
    if (!e?.response) return missing('the kit sent no request without a token, or it got no answer');
    if (served(e)) return unmet(`the server served an MCP request that carried no token (#${e.id}, ${describeAnswer(e)})`, [ev(e, 'response.status')]);
    if (statusOf(e) !== 401) return unmet(`a request without a token got ${describeAnswer(e)}, not 401`, [ev(e, 'response.status')]);
    return met(`a request without a token got 401 (#${e.id})`, [ev(e)]);
  },
};

export const noTokenChallengeCheck: CheckDef = {
  id: 'no-token-challenge',
  title: 'the 401 to a request without a token carries a Bearer challenge',
  requirements: ['BRR-RS-01', 'BRR-RS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Challenge, LINK.rfc9728Challenge],
  judge: (trace) => {
    const e = noToken(trace);
    if (!e || statusOf(e) !== 401) return missing('no request without a token got a 401');
    const header = e.response?.headers['www-authenticate'];
    if (header === undefined) return unmet(`the 401 (#${e.id}) carries no WWW-Authenticate header at all, so no client learns how to authorize`, [challengeEvidence(e)]);
    // Whether it parses is challenge-grammar's verdict; here only whether a Bearer challenge is offered.
    const { bearer, fault } = challengeOf(e);
    if (fault) return /(^|[\s,])bearer($|[\s,])/i.test(header) ? met(`the 401 offers a Bearer challenge (its grammar is judged by challenge-grammar)`, [challengeEvidence(e)]) : unmet(`the 401's WWW-Authenticate names no Bearer scheme`, [challengeEvidence(e)]);
    if (!bearer) return unmet(`the 401's WWW-Authenticate offers no Bearer challenge`, [challengeEvidence(e)]);
    if (bearer.token68 !== undefined || bearer.params.length === 0) return unmet(`the Bearer challenge carries no auth-param (RFC 6750 §3: "MUST be followed by one or more auth-param values")`, [challengeEvidence(e)]);
    return met(`the 401 carries a Bearer challenge with ${bearer.params.map((p) => p.name).join(', ')}`, [challengeEvidence(e)]);
  },
};

/** A PRM document the scenario fetched at a well-known URL, as the 2025-11-25 alternative to resource_metadata. */
function wellKnownPrm(trace: Trace): Exchange | undefined {
  return kitRequests(trace).find((e) => (e.label === 'prm-path' || e.label === 'prm-root') && prmDocument(e) !== undefined);
}

const namesMetadataSince: SpecVersion = '2025-11-25';

export const challengeNamesResourceMetadata: CheckDef = {
  id: 'challenge-names-resource-metadata',
  title: 'the 401 names the PRM document (resource_metadata), or the document is at a well-known URL',
  requirements: ['S-PRM-03', 'PRM-RS-10'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.prmDiscovery, LINK.rfc9728Challenge],
  judge: (trace) => {
    const found = noTokenChallenge(trace);
    if ('why' in found) return missing(found.why);
    const url = bearerParam(found.e, 'resource_metadata');
    if (url) return met(`the challenge names resource_metadata="${url}"`, [challengeEvidence(found.e)]);
    const known = wellKnownPrm(trace);
    const version = trace.specVersion as SpecVersion;
    if (known && SPEC_VERSIONS.indexOf(version) >= SPEC_VERSIONS.indexOf(namesMetadataSince)) {
      return met(`the challenge names no resource_metadata, but the PRM document is served at ${known.request.url} (#${known.id}), which MCP ${namesMetadataSince} accepts instead`, [challengeEvidence(found.e), ev(known)]);
    }
    const why = known ? `MCP ${version} requires resource_metadata in the 401 whatever the well-known URLs serve` : 'and no PRM document is served at a well-known URL either';
    return unmet(`the 401's Bearer challenge names no resource_metadata; ${why}`, [challengeEvidence(found.e, 'no resource_metadata')]);
  },
};

export const noTokenNoError: CheckDef = {
  id: 'no-token-no-error',
  title: 'the 401 to a request without a token carries no error code',
  requirements: ['BRR-RS-03'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Errors],
  judge: (trace) => {
    const found = noTokenChallenge(trace);
    if ('why' in found) return missing(found.why);
    const errorInfo = found.bearer.params.filter((p) => p.name === 'error' || p.name === 'error_description' || p.name === 'error_uri');
    if (errorInfo.length > 0) return unmet(`the challenge to a request that carried no token says ${errorInfo.map((p) => `${p.name}="${p.value}"`).join(', ')}; RFC 6750 §3.1: "the resource server SHOULD NOT include an error code or other error information"`, [challengeEvidence(found.e)]);
    return met('the challenge carries no error information');
  },
};

export const noTokenScope: CheckDef = {
  id: 'no-token-scope',
  title: 'the 401 challenge names the scope to request',
  requirements: ['S-SCP-01'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.scopeSelection],
  judge: (trace) => {
    const found = noTokenChallenge(trace);
    if ('why' in found) return missing(found.why);
    const scope = bearerParam(found.e, 'scope');
    if (scope && scope.trim()) return met(`the challenge names scope="${scope}"`, [challengeEvidence(found.e)]);
    return unmet('the 401 challenge names no scope, so a client must guess what to request', [challengeEvidence(found.e, 'no scope')]);
  },
};

export const noOfflineAccess: CheckDef = {
  id: 'no-offline-access',
  title: 'offline_access is neither challenged for nor advertised',
  requirements: ['S-RT-01'],
  level: 'SHOULD',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.refreshTokens],
  judge: (trace) => {
    const found = noTokenChallenge(trace);
    const challenge = 'why' in found ? undefined : found.e;
    if (challenge && bearerParam(challenge, 'scope')?.split(' ').includes('offline_access')) return unmet('the 401 challenge asks for offline_access', [challengeEvidence(challenge)]);
    const advertised = kitRequests(trace).find((e) => e.role === 'prm' && [prmDocument(e)?.scopes_supported].flat().includes('offline_access'));
    if (advertised) return unmet(`the PRM document lists offline_access in scopes_supported`, [ev(advertised, 'response.body.scopes_supported')]);
    return met('neither the challenge nor the PRM document names offline_access');
  },
};

// RFC 6750 §3: error and error_description use %x20-21 / %x23-5B / %x5D-7E; scope is space-delimited
// scope-tokens of %x21 / %x23-5B / %x5D-7E; error_uri is a URI-reference of the same characters.
const ERROR_TEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const URI_TEXT = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** What is wrong with one Bearer challenge, by RFC 6750 §3; undefined when nothing is. */
function bearerFault(bearer: Challenge): string | undefined {
  if (bearer.token68 !== undefined) return `the Bearer challenge carries a token68 (${bearer.token68}) instead of auth-params`;
  const seen = new Set<string>();
  for (const { name, value } of bearer.params) {
    if (seen.has(name)) return `parameter ${name} appears twice (RFC 9110 §11.2, RFC 6750 §3: at most once)`;
    seen.add(name);
    if ((name === 'error' || name === 'error_description') && !ERROR_TEXT.test(value)) return `${name} ${JSON.stringify(value)} uses characters outside %x20-21 / %x23-5B / %x5D-7E`;
    if (name === 'scope' && !SCOPE.test(value)) return `scope ${JSON.stringify(value)} is not space-delimited scope-tokens`;
    if (name === 'error_uri' && !URI_TEXT.test(value)) return `error_uri ${JSON.stringify(value)} is not a URI-reference`;
  }
  return undefined;
}

export const challengeGrammar: CheckDef = {
  id: 'challenge-grammar',
  title: 'every WWW-Authenticate parses by the RFC 9110 grammar, and its Bearer challenge by RFC 6750',
  requirements: ['BRR-RS-02', 'BRR-RS-06'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc9110Challenge, LINK.rfc6750Challenge],
  judge: (trace) => {
    const challenged = kitRequests(trace).filter((e) => e.response?.headers['www-authenticate'] !== undefined);
    if (challenged.length === 0) return skip('no response in this scenario carried WWW-Authenticate');
    for (const e of challenged) {
      const { fault, bearer } = challengeOf(e);
      if (fault) return unmet(`the WWW-Authenticate of #${e.id} does not parse: ${fault}; a strict client loses everything after that point`, [challengeEvidence(e, fault)]);
      const wrong = bearer ? bearerFault(bearer) : undefined;
      if (wrong) return unmet(`the Bearer challenge of #${e.id}: ${wrong}`, [challengeEvidence(e, wrong)]);
    }
    return met(`all ${challenged.length} WWW-Authenticate headers parse`);
  },
};

const REGISTERED_ERRORS = ['invalid_request', 'invalid_token', 'insufficient_scope'];

export const errorCodeRegistered: CheckDef = {
  id: 'error-code-registered',
  title: 'challenge error codes are those of RFC 6750 §3.1',
  requirements: ['BRR-RS-05'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Errors],
  judge: (trace) => {
    const coded = kitRequests(trace).filter((e) => bearerParam(e, 'error') !== undefined);
    if (coded.length === 0) return skip('no challenge in this scenario carried an error code');
    const odd = coded.find((e) => !REGISTERED_ERRORS.includes(bearerParam(e, 'error')!));
    if (odd) return unmet(`#${odd.id} says error="${bearerParam(odd, 'error')}", which no client knows (RFC 6750 §3.1: ${REGISTERED_ERRORS.join(', ')})`, [challengeEvidence(odd)]);
    return met(`every error code is one of ${REGISTERED_ERRORS.join(', ')}`);
  },
};
