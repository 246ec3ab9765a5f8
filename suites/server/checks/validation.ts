// Token validation (S-TOK-*, RFC 9068 §4, RFC 6750 §2-3): the valid token is accepted, however the
// scheme is cased; every wrong one is refused with 401 invalid_token; a token is taken only from the
// Authorization header; a session id is never a credential; no token comes back in a response.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { INVALID_TOKENS, invalidLabel, VALID_LABEL, type InvalidTokenCase } from '../cases.js';
import { LINK } from '../links.js';
import { bearerParam, challengeEvidence, challengeOf, describeAnswer, ev, factsOf, kitRequests, labelled, noAnswer, sentTokens, served, statusOf, unanswered } from '../observe.js';

const ALL = since('2025-03-26');

/** Invalid-token verdicts mean something only once the server has been seen to accept a valid token. */
export function validBaseline(trace: Trace): Exchange | Finding {
  const valid = labelled(trace, VALID_LABEL);
  if (!valid) return missing('the kit sent no valid token in this scenario');
  if (!valid.response) return noAnswer(valid);
  if (!served(valid)) return missing(`the server refused the valid token too (#${valid.id}, ${describeAnswer(valid)}), so a refusal here says nothing about the token`, [ev(valid)]);
  return valid;
}

export const acceptsValidToken: CheckDef = {
  id: 'accepts-valid-token',
  title: 'a valid access token in the Authorization header is accepted',
  requirements: ['BRR-RS-07', 'S-TOK-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Header, LINK.tokenHandling],
  judge: (trace) => {
    const valid = labelled(trace, VALID_LABEL);
    if (!valid) return missing('the kit sent no valid token in this scenario');
    if (!valid.response) return noAnswer(valid);
    const facts = factsOf(trace);
    if (served(valid)) return met(`the server served the request with a valid ${facts.tokenFormat === 'jwt' ? 'JWT' : 'opaque'} token (#${valid.id})`, [ev(valid)]);
    const why = bearerParam(valid, 'error_description');
    return unmet(
      `the server refused a valid token: ${describeAnswer(valid)}${why ? ` ("${why}")` : ''}. The token was issued by ${facts.issuer} for ${facts.mcpUrl} with scope "${facts.scopes.join(' ')}"; a server that trusts that issuer and answers to that resource must accept it`,
      [ev(valid, 'request.header.authorization'), challengeEvidence(valid)],
    );
  },
};

export const acceptsLowercaseScheme: CheckDef = {
  id: 'accepts-lowercase-scheme',
  title: 'the Bearer scheme is matched case-insensitively',
  requirements: ['BRR-RS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Header, 'https://www.rfc-editor.org/rfc/rfc9110#section-11.1'],
  judge: (trace) => {
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const lower = labelled(trace, 'lowercase-scheme');
    if (!lower) return missing('the kit sent no lower-case scheme');
    if (!lower.response) return noAnswer(lower);
    if (served(lower)) return met(`"bearer <token>" was accepted (#${lower.id})`, [ev(lower)]);
    return unmet(`"Authorization: bearer <token>" was refused (${describeAnswer(lower)}) where "Bearer" was accepted; auth schemes are case-insensitive (RFC 9110 §11.1)`, [ev(lower, 'request.header.authorization')]);
  },
};

/** The invalid-token cases of a check that exist for the server's token format. */
function casesOf(check: string, trace: Trace): InvalidTokenCase[] {
  const format = factsOf(trace).tokenFormat;
  return INVALID_TOKENS.filter((c) => c.check === check && c.formats.includes(format));
}

function rejects(id: string, title: string, requirements: string[], specLinks: string[], specVersions = ALL): CheckDef {
  return {
    id,
    title,
    requirements,
    level: 'MUST',
    specVersions,
    specLinks,
    judge: (trace) => {
      const cases = casesOf(id, trace);
      if (cases.length === 0) return skip(`not applicable to ${factsOf(trace).tokenFormat} tokens: ${INVALID_TOKENS.filter((c) => c.check === id).map((c) => c.what).join(', ')} exists only for ${INVALID_TOKENS.find((c) => c.check === id)?.formats.join(', ')} tokens`);
      const baseline = validBaseline(trace);
      if ('outcome' in baseline) return baseline;
      const sent = cases.map((c) => ({ c, e: labelled(trace, invalidLabel(c)) }));
      const unsent = sent.find((s) => !s.e);
      if (unsent) return missing(`the kit sent no token ${unsent.c.what}`);
      const silent = unanswered(...sent.map((s) => s.e));
      if (silent) return noAnswer(silent);
      const accepted = sent.filter((s) => served(s.e));
      if (accepted.length > 0) {
        return unmet(
          `the server served ${accepted.length === 1 ? 'a request' : 'requests'} with a token ${accepted.map((s) => `${s.c.what} (#${s.e!.id})`).join('; ')}`,
          accepted.map((s) => ev(s.e!, 'request.header.authorization', s.c.what)),
        );
      }
      return met(`refused every token ${sent.map((s) => `${s.c.what} (${describeAnswer(s.e!)})`).join('; ')}`, sent.map((s) => ev(s.e!)));
    },
  };
}

export const rejectsExpired = rejects('rejects-expired', 'an expired token is refused', ['S-TOK-01', 'S-TOK-03', 'JWT-RS-04'], [LINK.rfc9068Validation, LINK.rfc7519Exp, LINK.oauth21Validation]);
export const rejectsPremature = rejects('rejects-premature', 'a token before its nbf is refused', ['S-TOK-01', 'JWT-RS-04'], [LINK.rfc7519Nbf, LINK.rfc9068Validation]);
export const rejectsNoExpiry = rejects('rejects-no-expiry', 'a JWT without exp is refused', ['S-TOK-01', 'JWT-RS-04'], [LINK.rfc9068Validation]);
export const rejectsForeignIssuer = rejects('rejects-foreign-issuer', 'a token of another issuer, or of none, is refused', ['S-TOK-01', 'JWT-RS-01'], [LINK.rfc9068Validation]);
export const rejectsForeignAudience = rejects(
  'rejects-foreign-audience',
  'a token issued for another resource, or for none, is refused',
  ['S-TOK-02', 'S-TOK-04', 'S-TOK-07', 'RI-RS-01', 'JWT-RS-02', 'AT-02'],
  [LINK.audienceBinding, LINK.rfc8707Audience, LINK.rfc9068Validation],
  since('2025-06-18'),
);
export const rejectsUnsigned = rejects('rejects-unsigned', 'an unsigned token (alg none) is refused', ['JWT-RS-03', 'S-TOK-01'], [LINK.rfc9068Validation, LINK.rfc8725Algorithms]);
export const rejectsAlgConfusion = rejects('rejects-alg-confusion', 'an HS256 token keyed with the public key is refused', ['JWT-RS-03', 'S-TOK-01'], [LINK.rfc8725Algorithms]);
export const rejectsUnknownKey = rejects('rejects-unknown-key', 'a token signed by a key the issuer does not publish is refused, whatever key its header offers', ['JWT-RS-03', 'S-TOK-01'], [LINK.rfc9068Validation, 'https://www.rfc-editor.org/rfc/rfc8725#section-3.10']);
export const rejectsBadSignature = rejects('rejects-bad-signature', 'a token whose signature does not verify is refused', ['JWT-RS-03', 'S-TOK-01'], [LINK.rfc9068Validation]);
export const rejectsGarbage = rejects('rejects-garbage', 'a token the issuer never issued is refused', ['S-TOK-01', 'S-TOK-05'], [LINK.tokenHandling]);
export const rejectsRevoked = rejects('rejects-revoked', 'a token introspection calls inactive is refused', ['S-TOK-01', 'S-TOK-03'], [LINK.rfc7662Response, LINK.oauth21Validation]);

/** The invalid-token requests the server refused, for the checks of how it refused them. */
function refusedInvalid(trace: Trace): Array<{ c: InvalidTokenCase; e: Exchange }> {
  const format = factsOf(trace).tokenFormat;
  return INVALID_TOKENS.filter((c) => c.formats.includes(format))
    .map((c) => ({ c, e: labelled(trace, invalidLabel(c)) }))
    .filter((s): s is { c: InvalidTokenCase; e: Exchange } => s.e !== undefined && s.e.response !== undefined && !served(s.e));
}

export const invalidToken401: CheckDef = {
  id: 'invalid-token-401',
  title: 'an invalid or expired token gets 401',
  requirements: ['S-TOK-03', 'S-ERR-01', 'BRR-RS-05'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.errorHandling, LINK.rfc6750Errors, LINK.oauth21Errors],
  judge: (trace) => {
    const refused = refusedInvalid(trace);
    if (refused.length === 0) return missing('the server refused no invalid token');
    const wrong = refused.filter((s) => statusOf(s.e) !== 401);
    if (wrong.length > 0) return unmet(`invalid tokens got ${wrong.map((s) => `${statusOf(s.e)} (${s.c.what}, #${s.e.id})`).join('; ')} instead of 401`, wrong.map((s) => ev(s.e, 'response.status', s.c.what)));
    return met(`all ${refused.length} invalid tokens got 401`);
  },
};

export const invalidTokenChallenge: CheckDef = {
  id: 'invalid-token-challenge',
  title: 'a 401 for an invalid token carries a Bearer challenge',
  requirements: ['BRR-RS-01', 'BRR-RS-02'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Challenge, LINK.rfc9110Challenge],
  judge: (trace) => {
    const refused = refusedInvalid(trace).filter((s) => statusOf(s.e) === 401);
    if (refused.length === 0) return missing('no invalid token got a 401');
    const bare = refused.filter((s) => !/(^|[\s,])bearer($|[\s,])/i.test(s.e.response?.headers['www-authenticate'] ?? ''));
    if (bare.length > 0) return unmet(`${bare.length} of ${refused.length} 401s to invalid tokens carry no Bearer challenge (${bare.map((s) => `#${s.e.id}`).join(', ')})`, bare.slice(0, 3).map((s) => challengeEvidence(s.e, s.c.what)));
    return met(`every 401 to an invalid token carries a Bearer challenge`);
  },
};

export const invalidTokenError: CheckDef = {
  id: 'invalid-token-error',
  title: 'a 401 for an invalid token says error="invalid_token"',
  requirements: ['BRR-RS-04', 'BRR-RS-05'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Errors],
  judge: (trace) => {
    // A header that does not parse is challenge-grammar's verdict; what it would have said is unknown.
    const refused = refusedInvalid(trace).filter((s) => statusOf(s.e) === 401 && challengeOf(s.e).header !== undefined && challengeOf(s.e).fault === undefined);
    if (refused.length === 0) return skip('no 401 to an invalid token carried a challenge that parses');
    const without = refused.filter((s) => bearerParam(s.e, 'error') !== 'invalid_token');
    if (without.length > 0) {
      return unmet(
        `${without.length} of ${refused.length} challenges to invalid tokens do not say error="invalid_token": ${without.slice(0, 3).map((s) => `#${s.e.id} (${s.c.what}) error=${bearerParam(s.e, 'error') ?? '(none)'}`).join('; ')}`,
        without.slice(0, 3).map((s) => challengeEvidence(s.e, s.c.what)),
      );
    }
    return met(`every challenge to an invalid token says error="invalid_token"`);
  },
};

export const ignoresQueryToken: CheckDef = {
  id: 'ignores-query-token',
  title: 'a token in the query string alone is not accepted',
  requirements: ['BRR-RS-07', 'AT-16'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21BearerQuery],
  judge: (trace) => {
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const query = labelled(trace, 'query-token');
    if (!query) return missing('the kit sent no token in the query');
    if (!query.response) return noAnswer(query);
    const anonymous = labelled(trace, 'no-token');
    if (served(anonymous)) return skip(`the server serves requests without any token (#${anonymous!.id}; no-token-refused judges that), so whether it reads the query cannot be told`);
    if (served(query)) return unmet(`the server took the token from ?access_token= (#${query.id}, ${describeAnswer(query)}); OAuth 2.1 §5.1 removed that method`, [ev(query, 'request.url')]);
    return met(`a valid token sent only as ?access_token= was not accepted (${describeAnswer(query)})`, [ev(query)]);
  },
};

export const headerAndQueryRejected: CheckDef = {
  id: 'header-and-query-rejected',
  title: 'a token in the header and the query at once gets 400 invalid_request',
  requirements: ['BRR-RS-05'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc6750Errors],
  judge: (trace) => {
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const both = labelled(trace, 'header-and-query');
    if (!both) return missing('the kit sent no request with the token in both places');
    if (!both.response) return noAnswer(both);
    if (statusOf(both) === 400) return met(`answered 400 (#${both.id})`, [ev(both)]);
    return unmet(`a request carrying the token in the header and in the query was answered ${describeAnswer(both)}, not 400 invalid_request (RFC 6750 §3.1: "uses more than one method for including an access token")`, [ev(both, 'response.status')]);
  },
};

export const sessionNotAuthentication: CheckDef = {
  id: 'session-not-authentication',
  title: 'an Mcp-Session-Id never stands in for a token',
  requirements: ['S-SBP-01', 'S-TOK-06'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.sessionHijacking],
  judge: (trace) => {
    const valid = labelled(trace, VALID_LABEL);
    const sessionId = valid?.response?.headers['mcp-session-id'];
    if (!served(valid) || !sessionId) return skip('the server gave the valid request no Mcp-Session-Id: there is no session to misuse');
    const without = labelled(trace, 'session-without-token');
    if (!without) return missing('the kit sent no request with the session id alone');
    if (!without.response) return noAnswer(without);
    if (served(without)) return unmet(`a request carrying only the session id of another request's session, and no token, was served (#${without.id}, ${describeAnswer(without)})`, [ev(without, 'request.header.mcp-session-id')]);
    return met(`the session id alone was refused (${describeAnswer(without)})`, [ev(without)]);
  },
};

export const tokenNotEchoed: CheckDef = {
  id: 'token-not-echoed',
  title: 'no presented token comes back in a response',
  requirements: ['RS-P-02'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.tokenHandling],
  judge: (trace) => {
    const tokens = [...sentTokens(trace)].filter((t) => t.length >= 16);
    if (tokens.length === 0) return skip('the kit presented no token in this scenario');
    for (const e of kitRequests(trace)) {
      const response = e.response;
      if (!response) continue;
      for (const token of tokens) {
        const header = Object.entries(response.headers).find(([, value]) => value.includes(token));
        if (header) return unmet(`the response to #${e.id} repeats a presented token in its ${header[0]} header`, [ev(e, `response.header.${header[0]}`, 'holds the token')]);
        if (response.body?.includes(token)) return unmet(`the response to #${e.id} repeats a presented token in its body`, [ev(e, 'response.body', 'holds the token')]);
      }
    }
    return met(`none of ${kitRequests(trace).length} responses repeats any of the ${tokens.length} tokens presented`);
  },
};

export const noServerErrors: CheckDef = {
  id: 'no-server-errors',
  title: 'no request gets a 5xx',
  requirements: ['S-TOK-03', 'S-ERR-01', 'RS-P-01'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.errorHandling, LINK.rfc6750Errors],
  judge: (trace) => {
    const requests = kitRequests(trace).filter((e) => e.response);
    if (requests.length === 0) return missing('no request got an answer');
    const errors = requests.filter((e) => (statusOf(e) ?? 0) >= 500);
    if (errors.length > 0) {
      return unmet(`${errors.length} of ${requests.length} requests got a server error: ${errors.slice(0, 3).map((e) => `#${e.id} (${e.label}) ${statusOf(e)}`).join('; ')}; a token or header the server cannot use is the client's error (401 or 400), never the server's`, errors.slice(0, 3).map((e) => ev(e, 'response.status', e.label)));
    }
    return met(`all ${requests.length} requests got a 2xx or 4xx`);
  },
};

/** Every invalid-token check, in the order the cases are sent. */
export const REJECTION_CHECKS: CheckDef[] = [
  rejectsExpired,
  rejectsPremature,
  rejectsNoExpiry,
  rejectsForeignIssuer,
  rejectsForeignAudience,
  rejectsUnsigned,
  rejectsAlgConfusion,
  rejectsUnknownKey,
  rejectsBadSignature,
  rejectsGarbage,
  rejectsRevoked,
];
