// Using the access token: bearer header, every request, never in the URL, only at its resource.
import { met, missing, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { BROWSER_ACTOR, type Exchange, type Trace } from '../../../core/trace.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, bearerToken, codeRedemptions, ev, form, fromClients, issuedAccessTokens, mcpMethods, redirectParams, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { challengeOf, describeRun, mcpRequestsAfterFirstToken, refreshPresentations, runPositions, runsOf } from '../observe.js';

/**
 * The server took the token as valid: it served the request, or it asked for more scope (403
 * insufficient_scope judges what the token may do, after authenticating it).
 */
const tokenAccepted = (e: Exchange): boolean => succeeded(e) || (e.response?.status === 403 && challengeOf(e)?.get('error') === 'insufficient_scope');

/**
 * How one client process answered the first 401 its requests drew, judged on its own exchanges and
 * on those the kit's browser made for it in its run; undefined when none of its requests drew a 401.
 * C-PRM-05, C-TOK-01: a retry whose token the server accepts, however the client got the token
 * (authorizing, refreshing, adopting one another copy stored). What the client does with the session
 * afterwards (list tools, call one) is not this requirement's.
 */
function answerTo401(trace: Trace, actor: string, inRun: (e: Exchange) => boolean): Finding | undefined {
  const own = (e: Exchange) => e.actor === actor;
  const challenged = fromClients(trace).find((e) => own(e) && e.role === 'mcp' && e.response?.status === 401);
  if (!challenged) return undefined;
  // A request with a token, wherever it came from: a copy may adopt the one another copy stored.
  const accepted = fromClients(trace).find((e) => own(e) && e.role === 'mcp' && e.id > challenged.id && bearerToken(e) !== undefined && tokenAccepted(e));
  if (accepted) return met(`after the 401 (#${challenged.id}) the client authorized and its retry #${accepted.id} (${mcpMethods(accepted).join(', ') || 'MCP'}) was accepted`, [ev(challenged), ev(accepted)]);
  // The client got a token and came back, but the server still refused what it sent. (Sending the
  // refused token again without getting another is no answer at all: judged below.)
  const refusedToken = bearerToken(challenged);
  const refused = mcpRequestsAfterFirstToken(trace).filter((e) => own(e) && e.id > challenged.id && e.response?.status === 401 && (refusedToken === undefined || bearerToken(e) !== refusedToken));
  const authorizations = authorizationRequests(trace).filter((e) => e.id > challenged.id && inRun(e) && (own(e) || e.actor === BROWSER_ACTOR));
  // Refused, and left at that. A client that went on to authorize again after the refusal answered
  // it; where that authorization then went wrong is judged below, or by the check of what went wrong.
  if (refused.length && !authorizations.some((e) => e.id > refused.at(-1)!.id))
    return unmet(`the client retried after authorizing but every request was refused (${refused[0].response?.status})`, refused.slice(0, 3).map((e) => ev(e, 'header.authorization')));
  // What the client did not do, where the world had given it all it needed to go on.
  const refusedRefresh = refreshPresentations(trace).find((p) => own(p.exchange) && p.exchange.id > challenged.id && (p.exchange.response?.status ?? 0) >= 400 && (p.exchange.response?.status ?? 0) < 500);
  if (authorizations.length === 0 && refusedRefresh)
    return unmet(`after the 401 (#${challenged.id}) the server refused the client's refresh token (#${refusedRefresh.exchange.id}, ${refusedRefresh.exchange.response?.status}), and the client never authorized again`, [
      ev(challenged),
      ev(refusedRefresh.exchange, 'response.status'),
    ]);
  if (authorizations.length === 0) return unmet(`the client never answered the 401 (#${challenged.id}) with an authorization`, [ev(challenged, 'response.header.www-authenticate')]);
  const redeemed = new Set(codeRedemptions(trace).map((e) => form(e).get('code')));
  const unredeemed = authorizations.find((e) => {
    const code = redirectParams(e)?.get('code');
    return code !== undefined && code !== null && !redeemed.has(code);
  });
  const everRedeemed = authorizations.some((e) => redeemed.has(redirectParams(e)?.get('code') ?? ''));
  if (unredeemed && !everRedeemed) {
    const callback = trace.exchanges.find((e) => e.role === 'callback' && e.id > unredeemed.id);
    const delivery = callback ? `, delivered to its redirect URI (#${callback.id}, ${callback.response ? `answered ${callback.response.status}` : 'nothing listening'})` : '';
    return unmet(`after the 401 (#${challenged.id}) the authorization server issued a code (#${unredeemed.id})${delivery}, and the client never redeemed it`, [
      ev(challenged),
      ev(unredeemed, 'response.header.location'),
      ...(callback ? [ev(callback)] : []),
    ]);
  }
  return missing('no authorized MCP request followed the 401', [ev(challenged, 'response.header.www-authenticate')]);
}

export const respondsTo401: CheckDef = {
  id: 'authorized-after-401',
  title: 'answers the 401 challenge by authorizing and retrying with a token the server accepts',
  requirements: ['C-PRM-05', 'C-TOK-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.prmDiscovery, LINK.tokenRequirements],
  judge(trace) {
    // Every process, not only the first: a later start whose kept token or refresh token the server
    // refuses must authorize again. A later run where a correct client gives up (an outage) is not
    // judged; the first always is, since whatever makes a correct client stop comes after its 401.
    const runs = runsOf(trace);
    const positions = runPositions(trace, runs);
    const answers = runs
      .filter((run) => run.position === 0 || !run.clientRefuses)
      .flatMap((run) => run.actors.map((actor) => ({ run, actor, finding: answerTo401(trace, actor, (e) => positions.get(e.id) === run.position) })))
      .filter((a): a is typeof a & { finding: Finding } => a.finding !== undefined);
    if (answers.length === 0) return missing('the client never made an MCP request that drew a 401');
    const several = runs.length > 1 || runs[0].actors.length > 1;
    const named = ({ run, actor, finding }: (typeof answers)[number]): Finding => (several ? { ...finding, message: `${actor} (${describeRun(run)}): ${finding.message}` } : finding);
    const wrong = answers.find((a) => a.finding.outcome !== 'met');
    if (wrong) return named(wrong);
    if (answers.length === 1) return named(answers[0]);
    return met(`each of ${answers.length} client processes answered the 401 it drew; ${named(answers[0]).message}`, 'evidence' in answers[0].finding ? answers[0].finding.evidence : undefined);
  },
};

export const tokenAsBearer: CheckDef = {
  id: 'token-sent-as-bearer',
  title: 'sends the access token in the Authorization: Bearer header',
  requirements: ['C-TOK-01', 'O21-C-05'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.tokenRequirements, LINK.rfc6750Header],
  judge(trace) {
    const issued = issuedAccessTokens(trace);
    if (issued.size === 0) return missing('no access token was issued');
    const after = mcpRequestsAfterFirstToken(trace);
    if (after.length === 0) return missing('the client made no MCP request after it got a token');
    const withToken = after.find((e) => issued.has(bearerToken(e) ?? ''));
    if (!withToken) return unmet('no MCP request carried an issued token as Bearer', after.slice(0, 3).map((e) => ev(e, 'header.authorization')));
    return met('the token travelled in the Authorization header', [ev(withToken, 'header.authorization')]);
  },
};

export const tokenOnEveryRequest: CheckDef = {
  id: 'token-on-every-request',
  title: 'includes the token on every MCP request once it has one',
  requirements: ['C-TOK-02'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.tokenRequirements],
  judge(trace) {
    const after = mcpRequestsAfterFirstToken(trace);
    if (after.length === 0) return missing('the client made no MCP request after it got a token');
    const bare = after.filter((e) => !bearerToken(e));
    if (bare.length) return unmet(`${bare.length} of ${after.length} MCP request(s) after authorization had no token`, bare.map((e) => ev(e, 'header.authorization', `${mcpMethods(e).join(', ') || e.request.method}`)));
    return met(`all ${after.length} MCP request(s) carried the token`);
  },
};

export const tokenNotInQuery: CheckDef = {
  id: 'token-not-in-query',
  title: 'never puts an access token in a URL',
  requirements: ['C-TOK-03', 'O21-C-05'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.tokenRequirements, LINK.oauth21BearerQuery],
  judge(trace) {
    const issued = issuedAccessTokens(trace);
    if (issued.size === 0) return missing('no access token was issued');
    const leaks = fromClients(trace).filter((e) => {
      const url = new URL(e.request.url);
      return url.searchParams.has('access_token') || [...issued.keys()].some((token) => e.request.url.includes(token));
    });
    if (leaks.length) return unmet('an access token appeared in a request URL', leaks.map((e) => ev(e, 'query.access_token')));
    return met('no request URL carried a token');
  },
};

export const tokenOnlyToItsResource: CheckDef = {
  id: 'token-only-to-its-resource',
  title: 'sends the access token only to the MCP server it was issued for',
  requirements: ['C-TOK-04', 'PRM-C-08'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.tokenHandling],
  judge(trace) {
    const issued = issuedAccessTokens(trace);
    if (issued.size === 0) return missing('no access token was issued');
    const elsewhere = fromClients(trace).filter((e) => e.role !== 'mcp' && issued.has(bearerToken(e) ?? ''));
    if (elsewhere.length) return unmet(`the access token was sent to ${elsewhere[0].request.url}`, elsewhere.map((e) => ev(e, 'header.authorization', `a ${e.role} endpoint, not the MCP server`)));
    return met('the token went only to the MCP endpoint');
  },
};
