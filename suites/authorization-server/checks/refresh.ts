// Refresh tokens for public clients (OAuth 2.1 §4.3, MCP "Token Theft": rotation is a MUST for
// public clients): issued where the grant is offered, a new one with every use, the old one refused,
// reuse of a superseded one ending the family, scope never widened.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { describeAnswer, ev, factsOf, isSuccess, issuedTokens, jwtClaims, labelled, lists, metadataOf, oauthError, oauthErrorDefect } from '../observe.js';
import { exchangeOf, isFinding } from './token.js';

export const REFRESH = {
  grant: 'refresh-grant:token',
  first: 'refresh:rotate',
  second: 'refresh:rotate-again',
  old: 'refresh:twice-superseded-token',
  afterReuse: 'refresh:successor-after-reuse',
  scopeGrant: 'scope-grant:token',
  widened: 'refresh:wider-scope',
  narrowGrant: 'narrow-grant:token',
  narrowed: 'refresh:narrower-scope',
} as const;

/** A scope no authorization of this run asked for. */
export const EXTRA_SCOPE = 'mcp-auth-conformance:not-granted';

const ALL = since('2025-03-26');

/** The refresh token of the grant that the refresh checks start from, or why there is none. */
function refreshToken(trace: Trace, label: string = REFRESH.grant): string | Finding {
  const e = exchangeOf(trace, label);
  if (isFinding(e)) return e;
  if (!isSuccess(e)) return missing(`the code redemption was answered ${describeAnswer(e)} (token-code-redeemed judges redemptions)`);
  return issuedTokens(e).refreshToken ?? skip('the server issued no refresh token (refresh-token-issued judges whether it should)');
}

export const refreshTokenIssued: CheckDef = {
  id: 'refresh-token-issued',
  title: 'a public client gets a refresh token where the server offers the refresh_token grant',
  requirements: ['O21-AS-09', 'A-TOK-02'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.oauth21Refresh, LINK.mcpTokenTheft],
  judge: (trace) => {
    const e = exchangeOf(trace, REFRESH.grant);
    if (isFinding(e)) return e;
    if (!isSuccess(e)) return missing('the code redemption failed');
    if (issuedTokens(e).refreshToken) return met('a refresh token was issued', [ev(e, 'response.body.refresh_token')]);
    if (!lists(metadataOf(trace), 'grant_types_supported', 'refresh_token')) return skip('the metadata does not offer the refresh_token grant');
    return unmet('the metadata offers the refresh_token grant, and the client registered for it, but the code redemption issued no refresh token: MCP clients must send the user through the browser again when the access token expires', [ev(e, 'response.body')]);
  },
};

export const refreshRotated: CheckDef = {
  id: 'refresh-token-rotated',
  title: 'every refresh of a public client returns a new refresh token',
  requirements: ['A-TOK-02', 'O21-AS-09', 'RT-AS-01'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.mcpTokenTheft, LINK.oauth21Refresh],
  judge: (trace) => {
    let presented = refreshToken(trace);
    if (typeof presented !== 'string') return presented;
    const judged: Exchange[] = [];
    for (const label of [REFRESH.first, REFRESH.second]) {
      const e = exchangeOf(trace, label);
      if (isFinding(e)) return judged.length > 0 && e.outcome === 'missing' ? met('the refresh returned a new refresh token', judged.map((x) => ev(x, 'response.body.refresh_token'))) : e;
      if (!isSuccess(e)) return unmet(`a refresh with the refresh token just issued was refused: ${describeAnswer(e)}`, [ev(e, 'response.body')]);
      const next = issuedTokens(e).refreshToken;
      if (next === undefined) return unmet('the refresh answered without a new refresh token: the client keeps using one token forever, and a stolen copy stays as good as the original', [ev(e, 'response.body')]);
      if (next === presented) return unmet('the refresh answered with the same refresh token it was given', [ev(e, 'response.body.refresh_token')]);
      judged.push(e);
      presented = next;
    }
    return met('each refresh returned a new refresh token', judged.map((e) => ev(e, 'response.body.refresh_token')));
  },
};

export const refreshOldRefused: CheckDef = {
  id: 'refresh-superseded-refused',
  title: 'a refresh token superseded twice over (beyond any grace window) is refused, with 400 and a JSON OAuth error',
  requirements: ['O21-AS-10', 'RT-AS-01', 'O21-AS-07'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.oauth21Refresh, LINK.oauth21TokenErrors],
  judge: (trace) => {
    const old = refreshToken(trace);
    if (typeof old !== 'string') return old;
    const rotations = [REFRESH.first, REFRESH.second].map((label) => labelled(trace, label));
    if (rotations.some((e) => !e || !isSuccess(e) || !issuedTokens(e).refreshToken)) return missing('the refreshes did not both rotate the token (refresh-token-rotated judges that)');
    const e = exchangeOf(trace, REFRESH.old);
    if (isFinding(e)) return e;
    if (isSuccess(e)) return unmet(`the first refresh token, superseded twice over, was accepted again (${e.response!.status}): rotation detects nothing`, [ev(e, 'response.status')]);
    const wrong = oauthErrorDefect(e);
    if (wrong) return unmet(`the superseded refresh token was refused, but ${wrong}: clients cannot tell a dead token from a failure worth retrying`, [ev(e, oauthError(e)!.status !== 400 ? 'response.status' : 'response.body')]);
    const code = oauthError(e)!.error;
    return met(`the superseded refresh token was refused with 400 ${code}${code !== 'invalid_grant' ? ' (invalid_grant is the code for it, RFC 6749 §5.2)' : ''}`, [ev(e)]);
  },
};

export const refreshReuseRevokes: CheckDef = {
  id: 'refresh-reuse-revokes-family',
  title: 'presenting a superseded refresh token revokes the whole family, its newest token included',
  requirements: ['O21-AS-10', 'RT-AS-03'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.oauth21Refresh, LINK.rfc9700Refresh],
  judge: (trace) => {
    const issued = refreshToken(trace);
    if (typeof issued !== 'string') return issued;
    const old = labelled(trace, REFRESH.old);
    if (!old || isSuccess(old) || !old.response) return missing('the superseded token was not refused (refresh-superseded-refused judges that)');
    const e = exchangeOf(trace, REFRESH.afterReuse);
    if (isFinding(e)) return e;
    if (isSuccess(e)) return unmet(`after the superseded token was presented, the family's newest token still works (${e.response!.status}): a thief who refreshed first keeps the family`, [ev(e, 'response.status')]);
    return met(`after the reuse, the family's newest token is refused too: ${describeAnswer(e)}`, [ev(e)]);
  },
};

/** The scopes a token response grants: its `scope`, else the JWT access token's `scope` claim. */
function grantedScopes(e: Exchange): string[] | undefined {
  const { json, accessToken } = issuedTokens(e);
  const scope = typeof json?.scope === 'string' ? json.scope : jwtClaims(accessToken ?? '')?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : undefined;
}

export const refreshScopeNotWidened: CheckDef = {
  id: 'refresh-scope-not-widened',
  title: 'a refresh asking for a scope the grant never had does not get it',
  requirements: ['O21-AS-12', 'RT-AS-08', 'AT-17'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21Refresh, LINK.oauth21RefreshScope],
  judge: (trace) => {
    const token = refreshToken(trace, REFRESH.scopeGrant);
    if (typeof token !== 'string') return token;
    const e = exchangeOf(trace, REFRESH.widened);
    if (isFinding(e)) return e;
    if (!isSuccess(e)) return met(`refused: ${describeAnswer(e)}${oauthError(e)?.error !== 'invalid_scope' ? ' (invalid_scope is the code for it)' : ''}`, [ev(e)]);
    const scopes = grantedScopes(e);
    if (scopes?.includes(EXTRA_SCOPE)) return unmet(`the refresh granted ${EXTRA_SCOPE}, which the user never granted (scope ${JSON.stringify(scopes.join(' '))})`, [ev(e, 'response.body.scope')]);
    return met(`answered without the extra scope${scopes ? ` (scope ${JSON.stringify(scopes.join(' '))})` : ''}`, [ev(e)]);
  },
};

export const refreshScopeNarrowed: CheckDef = {
  id: 'refresh-scope-narrowed',
  title: 'a refresh asking for part of the granted scope gets an access token of that part only',
  requirements: ['O21-AS-12', 'RI-AS-05'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.oauth21Refresh, LINK.oauth21RefreshScope],
  judge: (trace) => {
    const token = refreshToken(trace, REFRESH.narrowGrant);
    if (typeof token !== 'string') return token;
    const granted = grantedScopes(labelled(trace, REFRESH.narrowGrant)!) ?? [];
    if (granted.length < 2) return skip(`the grant's scope (${JSON.stringify(granted.join(' '))}) has no part to narrow to`);
    const e = exchangeOf(trace, REFRESH.narrowed);
    if (isFinding(e)) return e;
    const asked = new URLSearchParams(e.request.body ?? '').get('scope') ?? '';
    if (!isSuccess(e)) return unmet(`a refresh asking for ${JSON.stringify(asked)}, part of the granted ${JSON.stringify(granted.join(' '))}, was refused: ${describeAnswer(e)}`, [ev(e, 'response.body')]);
    const got = grantedScopes(e);
    const dropped = granted.filter((scope) => !asked.split(' ').includes(scope));
    const kept = got?.filter((scope) => dropped.includes(scope)) ?? [];
    if (kept.length > 0) return unmet(`a refresh asking for ${JSON.stringify(asked)} got an access token for ${JSON.stringify(got!.join(' '))}: ${kept.join(', ')} was not asked for`, [ev(e, 'response.body.scope')]);
    return met(`the refresh asking for ${JSON.stringify(asked)} got ${got ? JSON.stringify(got.join(' ')) : 'the scope it asked for (none stated, RFC 6749 §5.1)'}`, [ev(e)]);
  },
};

export const refreshAudience: CheckDef = {
  id: 'refresh-audience',
  title: 'a refreshed JWT access token is still audience-restricted to the resource',
  requirements: ['RI-AS-01'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc8707],
  judge: (trace) => {
    const issued = refreshToken(trace);
    if (typeof issued !== 'string') return issued;
    const e = labelled(trace, REFRESH.first);
    if (!e || !isSuccess(e)) return missing('no refresh succeeded');
    const claims = jwtClaims(issuedTokens(e).accessToken ?? '');
    if (!claims) return skip('the refreshed access token is opaque');
    const resource = factsOf(trace).resource;
    const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    if (audiences.includes(resource)) return met(`aud includes ${resource}`, [ev(e, 'response.body.access_token')]);
    return unmet(`the refreshed access token's aud is ${JSON.stringify(claims.aud)}, not ${resource}`, [ev(e, 'response.body.access_token', 'aud')]);
  },
};
