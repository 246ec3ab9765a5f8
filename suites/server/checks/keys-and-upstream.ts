// The issuer's signing keys change under the server (RFC 9068 §4 by way of jwks_uri), and the server
// calls an upstream API while it works (MCP "Token Passthrough").
import { met, missing, skip, unmet, type CheckDef } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { describeAnswer, ev, factsOf, labelled, noAnswer, sentTokens, served } from '../observe.js';
import { VALID_LABEL } from '../cases.js';

const ALL = since('2025-03-26');
export const ROTATED_LABEL = 'rotated-key';
export const ROTATED_LATER_LABEL = 'rotated-key-after-cooldown';

export const acceptsRotatedKey: CheckDef = {
  id: 'accepts-rotated-key',
  title: 'a token signed with a newly published key is accepted',
  requirements: ['RS-P-03'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc9068Validation],
  judge: (trace) => {
    if (factsOf(trace).tokenFormat !== 'jwt') return skip('not applicable: opaque tokens carry no signature to rotate');
    const before = labelled(trace, VALID_LABEL);
    if (!served(before)) return missing('the server accepted no token signed with the first key');
    const rotated = labelled(trace, ROTATED_LABEL);
    if (!rotated) return missing('the kit sent no token signed with the new key');
    if (!rotated.response) return noAnswer(rotated);
    const later = labelled(trace, ROTATED_LATER_LABEL);
    const refetched = trace.exchanges.find((e) => e.actor === 'server' && e.role === 'jwks' && e.id > before!.id);
    const fetchNote = refetched ? ` (it fetched the JWKS again, #${refetched.id})` : '';
    if (served(rotated)) return met(`the token signed with the new key was accepted${fetchNote}`, [ev(rotated), ...(refetched ? [ev(refetched)] : [])]);
    if (served(later)) return met(`the token signed with the new key was refused at first and accepted ${Math.round((later!.at - rotated.at) / 1000)} s later${fetchNote}: the server holds back JWKS fetches for a while after one (a refetch cooldown, as jose's)`, [ev(rotated), ev(later!), ...(refetched ? [ev(refetched)] : [])]);
    const again = later ? `, and again ${Math.round((later.at - rotated.at) / 1000)} s later (#${later.id}, past any refetch cooldown)` : '';
    return unmet(
      `after the issuer published a new signing key, a token signed with it was refused (${describeAnswer(rotated)})${again}${refetched ? fetchNote : '; the server never fetched the JWKS again, so its cached keys cannot verify the new kid'}`,
      [ev(rotated, 'request.header.authorization', 'kid of the new key'), ...(later ? [ev(later)] : []), ...(refetched ? [ev(refetched)] : [])],
    );
  },
};

export const noTokenPassthrough: CheckDef = {
  id: 'no-token-passthrough',
  title: 'the client\'s token is never forwarded upstream',
  requirements: ['S-TOK-08', 'S-TOK-05', 'AT-02'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.tokenPassthrough],
  judge: (trace: Trace) => {
    const upstream = trace.exchanges.filter((e) => e.role === 'upstream');
    if (upstream.length === 0) return skip(`not applicable: the server never called the upstream API the kit offered (${factsOf(trace).upstreamUrl ?? 'none'})`);
    const tokens = [...sentTokens(trace)];
    for (const e of upstream) {
      const where = Object.entries(e.request.headers).find(([, value]) => tokens.some((t) => value.includes(t)))?.[0] ?? (tokens.some((t) => e.request.url.includes(t) || e.request.body?.includes(t)) ? 'url or body' : undefined);
      if (where) return unmet(`the server sent the client's token upstream (#${e.id}, in ${where})`, [ev(e, where === 'url or body' ? 'request.url' : `request.header.${where}`, 'the client\'s token')]);
    }
    return met(`${upstream.length} upstream call(s), none carrying the client's token`, upstream.map((e) => ev(e, 'request.header.authorization')));
  },
};
