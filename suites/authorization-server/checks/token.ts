// The token endpoint's authorization-code grant (OAuth 2.1 §3.2.3-3.2.4, §4.1.3, RFC 7636 §4.6, RFC
// 8707): a code yields tokens once, only with its verifier and redirect URI; refusals are 400 JSON
// OAuth errors; the response is not cached and the access token is bound to the resource.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { CLIENT, describeAnswer, ev, factsOf, isSuccess, issuedTokens, jwtClaims, labelled, metadataOf, noAnswer, oauthError, oauthErrorDefect } from '../observe.js';

export const TOKEN = {
  grant: 'grant:token',
  wrongVerifier: 'wrong-verifier:token',
  missingVerifier: 'missing-verifier:token',
  wrongRedirect: 'wrong-redirect-uri:token',
  unknownCode: 'unknown-code:token',
  replay: 'replayed-code:token',
  afterReplay: 'replayed-code:refresh-first-grant',
  otherResource: 'other-resource:token',
  introspect: 'grant:introspect',
} as const;

/** A resource no grant of this run was for. */
export const FOREIGN_RESOURCE = 'https://other-resource.mcp-auth-conformance.example/mcp';

const ALL = since('2025-03-26');
const TOKEN_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target']);

/** The exchange of `label`, or a finding saying why there is nothing to judge. */
export function exchangeOf(trace: Trace, label: string): Exchange | Finding {
  if (!factsOf(trace).client) return { outcome: 'missing', message: 'the kit had no client to act as', precondition: CLIENT };
  const e = labelled(trace, label);
  if (!e) return missing(`the kit sent no ${label} request`);
  return e.response ? e : noAnswer(e);
}

export const isFinding = (value: Exchange | Finding): value is Finding => 'outcome' in value;

/** The first grant's redemption succeeded; checks of what it issued start from it. */
function redemption(trace: Trace): Exchange | Finding {
  const e = exchangeOf(trace, TOKEN.grant);
  if (isFinding(e)) return e;
  return isSuccess(e) ? e : missing('the code redemption failed (token-code-redeemed judges that)');
}

/** Requests the server must refuse, each judged by `status`; `wanted` names the error a correct refusal carries. */
function refusedEach(trace: Trace, labels: string[], what: (e: Exchange) => string): Finding {
  const judged: Exchange[] = [];
  for (const label of labels) {
    const e = exchangeOf(trace, label);
    if (isFinding(e)) return e;
    if (isSuccess(e)) return unmet(`${what(e)} was answered with tokens (${e.response!.status})`, [ev(e, 'response.status')]);
    judged.push(e);
  }
  return met(`refused: ${judged.map((e) => `${e.label} ${describeAnswer(e)}`).join('; ')}`, judged.map((e) => ev(e)));
}

export const tokenCodeRedeemed: CheckDef = {
  id: 'token-code-redeemed',
  title: 'the code of a valid authorization, redeemed with its verifier and redirect URI, yields an access token',
  requirements: ['A-GEN-01', 'PKCE-AS-05'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenRequest],
  judge: (trace) => {
    const e = exchangeOf(trace, TOKEN.grant);
    if (isFinding(e)) return e;
    if (issuedTokens(e).accessToken) return met('the code was redeemed for an access token', [ev(e)]);
    return unmet(`the code redemption was answered ${describeAnswer(e)}`, [ev(e, 'response.body')]);
  },
};

export const tokenResponseShape: CheckDef = {
  id: 'token-response-shape',
  title: 'a token response carries token_type Bearer and `Cache-Control: no-store`',
  requirements: ['A-GEN-01', 'RT-AS-06'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenResponse],
  judge: (trace) => {
    const e = redemption(trace);
    if (isFinding(e)) return e;
    const { json } = issuedTokens(e);
    if (typeof json?.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') return unmet(`token_type is ${JSON.stringify(json?.token_type)}, not Bearer`, [ev(e, 'response.body.token_type')]);
    const cache = e.response!.headers['cache-control'] ?? '';
    if (!/(^|,)\s*no-store\s*(,|$)/i.test(cache)) return unmet(`the token response has Cache-Control ${cache ? JSON.stringify(cache) : '(none)'}, without no-store: caches may keep the tokens`, [ev(e, 'response.header.cache-control')]);
    return met('token_type Bearer, Cache-Control no-store', [ev(e)]);
  },
};

export const tokenExpiresIn: CheckDef = {
  id: 'token-expires-in',
  title: 'access tokens are short-lived, and `expires_in` says for how long',
  requirements: ['A-TOK-01'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.mcpTokenTheft, LINK.oauth21TokenResponse],
  judge: (trace) => {
    const e = redemption(trace);
    if (isFinding(e)) return e;
    const expiresIn = issuedTokens(e).json?.expires_in;
    if (typeof expiresIn !== 'number' || !(expiresIn > 0)) return unmet(`expires_in is ${JSON.stringify(expiresIn)}: clients cannot tell when to refresh`, [ev(e, 'response.body.expires_in')]);
    // A day is generous; MCP asks for short-lived tokens without a number.
    if (expiresIn > 24 * 3600) return unmet(`access tokens live ${expiresIn} s, longer than a day`, [ev(e, 'response.body.expires_in')]);
    return met(`expires_in ${expiresIn} s`, [ev(e, 'response.body.expires_in')]);
  },
};

export const tokenPkceVerified: CheckDef = {
  id: 'token-pkce-verified',
  title: 'a code is not redeemed with a wrong verifier or without one',
  requirements: ['PKCE-AS-05', 'AT-08'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7636Verify, LINK.oauth21TokenRequest],
  judge: (trace) => refusedEach(trace, [TOKEN.wrongVerifier, TOKEN.missingVerifier], (e) => (e.label === TOKEN.wrongVerifier ? 'a redemption with the wrong code_verifier' : 'a redemption without code_verifier')),
};

export const tokenRedirectUriBound: CheckDef = {
  id: 'token-redirect-uri-bound',
  title: 'a code is not redeemed with another redirect URI than its authorization request named',
  requirements: ['O21-AS-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenRequest],
  judge: (trace) => refusedEach(trace, [TOKEN.wrongRedirect], () => 'a redemption with another redirect_uri'),
};

export const tokenCodeSingleUse: CheckDef = {
  id: 'token-code-single-use',
  title: 'a code yields tokens once; an unknown code none',
  requirements: ['O21-AS-05', 'AT-10'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenRequest, LINK.oauth21CodeInjection],
  judge: (trace) => {
    const first = redemption(trace);
    if (isFinding(first)) return first;
    return refusedEach(trace, [TOKEN.replay, TOKEN.unknownCode], (e) => (e.label === TOKEN.replay ? 'the second redemption of a code' : 'a made-up code'));
  },
};

/** The refusals of the broken code redemptions, where the server answered at all. */
function refusedRedemptions(trace: Trace): Exchange[] {
  const labels: string[] = [TOKEN.wrongVerifier, TOKEN.missingVerifier, TOKEN.wrongRedirect, TOKEN.unknownCode, TOKEN.replay];
  return labels.map((label) => labelled(trace, label)).filter((e): e is Exchange => !!e?.response && !isSuccess(e));
}

export const tokenErrorShape: CheckDef = {
  id: 'token-error-shape',
  title: 'refused token requests answer 400 with a JSON OAuth error code, never 5xx, HTML or problem+json',
  requirements: ['O21-AS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenErrors],
  judge: (trace) => {
    const refused = refusedRedemptions(trace);
    if (refused.length === 0) return missing('no token request was refused');
    for (const e of refused) {
      // (A wrong client credential may be 401, but the kit's client is one the server knows.)
      const wrong = oauthErrorDefect(e, TOKEN_ERRORS);
      if (wrong) return unmet(`${e.label} ${wrong}`, [ev(e, oauthError(e)!.status !== 400 ? 'response.status' : 'response.body')]);
    }
    return met(`${refused.length} refusal(s), each 400 with a JSON OAuth error code`, refused.map((e) => ev(e)));
  },
};

export const tokenErrorCode: CheckDef = {
  id: 'token-error-code',
  title: 'a bad code, verifier or redirect URI is refused with `invalid_grant`, the code RFC 6749 §5.2 gives it',
  requirements: ['RT-AS-06', 'PKCE-AS-05'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenErrors, LINK.rfc7636Verify],
  judge: (trace) => {
    // Only well-formed refusals: a malformed one is token-error-shape's verdict.
    const judged = refusedRedemptions(trace).filter((e) => oauthErrorDefect(e, TOKEN_ERRORS) === undefined);
    if (judged.length === 0) return missing('no token request was refused with a well-formed OAuth error (token-error-shape judges the others)');
    for (const e of judged) {
      // A missing verifier is a malformed request too (RFC 7636 §4.6 names invalid_grant, RFC 6749 invalid_request).
      const expected = e.label === TOKEN.missingVerifier ? ['invalid_grant', 'invalid_request'] : ['invalid_grant'];
      const wrong = oauthErrorDefect(e, TOKEN_ERRORS, expected);
      if (wrong) return unmet(`${e.label} ${wrong}: a client reads invalid_grant as "this grant is dead", another code as a request it could fix`, [ev(e, 'response.body.error')]);
    }
    return met(`${judged.length} refusal(s), each with the code RFC 6749 §5.2 gives it`, judged.map((e) => ev(e)));
  },
};

export const tokenReplayRevokes: CheckDef = {
  id: 'token-replay-revokes',
  title: 'a replayed code revokes the tokens its first redemption issued',
  requirements: ['O21-AS-05', 'AT-10'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.oauth21CodeInjection],
  judge: (trace) => {
    const first = redemption(trace);
    if (isFinding(first)) return first;
    if (!issuedTokens(first).refreshToken) return skip('the first redemption issued no refresh token, so revocation cannot be seen from the token endpoint');
    const replay = labelled(trace, TOKEN.replay);
    if (replay && isSuccess(replay)) return missing('the replay was answered with tokens (token-code-single-use judges that)');
    const after = exchangeOf(trace, TOKEN.afterReplay);
    if (isFinding(after)) return after;
    if (isSuccess(after)) return unmet(`after the code was replayed, the refresh token of its first redemption still works (${after.response!.status}): a stolen code's tokens stay live`, [ev(after, 'response.status')]);
    return met(`after the replay the first redemption's refresh token is refused: ${describeAnswer(after)}`, [ev(after)]);
  },
};

/** The audiences an `aud` names: RFC 7519 §4.1.3 and RFC 7662 §2.2 allow a string or a list. */
const audiencesOf = (aud: unknown): unknown[] => (Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]);

/** An opaque token's audience as introspection (RFC 7662) tells it to the client that holds the token. */
function introspectedAudience(trace: Trace, resource: string): Finding {
  if (typeof metadataOf(trace)?.introspection_endpoint !== 'string') return skip('the access token is opaque and the metadata names no introspection_endpoint: its audience is not visible to the kit');
  const e = exchangeOf(trace, TOKEN.introspect);
  if (isFinding(e)) return e;
  const json = oauthError(e)?.json;
  // RFC 7662 §2.1 lets a server require authorization of its own: not every client may introspect.
  if (e.response!.status !== 200 || !json) return skip(`the access token is opaque, and the server does not let this client introspect it: ${e.label} answered ${describeAnswer(e)}`);
  // A token just issued that introspects inactive is wrong, but not about its audience.
  if (json.active !== true) return skip(`the access token is opaque, and introspection calls the token just issued active ${JSON.stringify(json.active)}: its audience is not told`);
  if (json.aud === undefined) return skip('the access token is opaque, and its introspection has no aud (RFC 7662 §2.2 makes it optional)');
  if (audiencesOf(json.aud).includes(resource)) return met(`introspection says aud includes ${resource}`, [ev(e, 'response.body.aud')]);
  return unmet(`introspection says the access token's aud is ${JSON.stringify(json.aud)}, not the resource ${resource} it was asked for: any server of this issuer would accept it`, [ev(e, 'response.body.aud')]);
}

export const tokenAudience: CheckDef = {
  id: 'token-audience',
  title: 'an access token is audience-restricted to the `resource` it was asked for (`aud` of a JWT, or of an opaque token\'s introspection)',
  requirements: ['RI-AS-01'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8707, LINK.rfc7662Response],
  judge: (trace) => {
    const e = redemption(trace);
    if (isFinding(e)) return e;
    const token = issuedTokens(e).accessToken!;
    const resource = factsOf(trace).resource;
    const claims = jwtClaims(token);
    if (!claims) return introspectedAudience(trace, resource);
    const aud = claims.aud;
    if (audiencesOf(aud).includes(resource)) return met(`aud includes ${resource}`, [ev(e, 'response.body.access_token')]);
    return unmet(`the access token's aud is ${JSON.stringify(aud)}, not the resource ${resource} it was asked for: any server of this issuer would accept it`, [ev(e, 'response.body.access_token', 'aud')]);
  },
};

export const tokenForeignResource: CheckDef = {
  id: 'token-foreign-resource-refused',
  title: 'a code is not redeemed for a resource its authorization request did not name (`invalid_target`)',
  requirements: ['RI-AS-04', 'RI-AS-02'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8707],
  judge: (trace) => {
    const e = exchangeOf(trace, TOKEN.otherResource);
    if (isFinding(e)) return e;
    if (!isSuccess(e)) {
      const error = oauthError(e)?.error;
      return met(`refused: ${describeAnswer(e)}${error !== 'invalid_target' ? ' (invalid_target is the code for it)' : ''}`, [ev(e)]);
    }
    const claims = jwtClaims(issuedTokens(e).accessToken ?? '');
    const aud = claims?.aud;
    if (claims && !audiencesOf(aud).includes(FOREIGN_RESOURCE)) return met(`answered with a token, but not for ${FOREIGN_RESOURCE} (aud ${JSON.stringify(aud)})`, [ev(e)]);
    if (!claims) return unmet(`a code granted for ${factsOf(trace).resource} was redeemed with resource ${FOREIGN_RESOURCE} and answered with an (opaque) token instead of invalid_target: the server ignored the resource it was asked for`, [ev(e, 'form.resource')]);
    return unmet(`a code granted for ${factsOf(trace).resource} was redeemed for ${FOREIGN_RESOURCE}`, [ev(e, 'form.resource')]);
  },
};
