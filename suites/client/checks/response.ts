// Authorization response safety: state (CSRF) and iss (RFC 9207 mix-up defence) before redeeming a code.
import { met, missing, unmet, type CheckDef, type Level } from '../../../core/check.js';
import type { SpecVersion } from '../../../core/spec.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, codeRedemptions, ev, issuedCodes, query } from '../../../core/trace-query.js';
import { LINK } from '../links.js';

export const stateSent: CheckDef = {
  id: 'state-sent',
  title: 'sends a state value with every authorization request',
  requirements: ['C-STATE-01', 'O21-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.openRedirection, LINK.oauth21Csrf],
  judge(trace) {
    const requests = authorizationRequests(trace);
    if (requests.length === 0) return missing('the client never sent an authorization request');
    const without = requests.filter((e) => !query(e).get('state'));
    if (without.length) return unmet('authorization request without state', without.map((e) => ev(e, 'query.state')));
    return met('state sent');
  },
};

/** Redeeming a code is what a tampered authorization response must never lead to. */
interface ResponseCase {
  id: string;
  title: string;
  requirements: string[];
  level: Level;
  specVersions: SpecVersion[];
  specLinks: string[];
  /** What about the response should have stopped the client, for the message. */
  defect: string;
  /** The part of the /authorize response that carries the defect. */
  part: string;
}

export function doesNotRedeem(c: ResponseCase): CheckDef {
  return {
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    level: c.level,
    specVersions: c.specVersions,
    specLinks: c.specLinks,
    judge(trace) {
      const codes = issuedCodes(trace);
      if (codes.size === 0) return missing('the authorization endpoint never issued a code, so the client was never tested');
      const redeemed = codeRedemptions(trace).find((e) => codes.has(new URLSearchParams(e.request.body ?? '').get('code') ?? ''));
      if (redeemed) {
        const authorization = codes.get(new URLSearchParams(redeemed.request.body ?? '').get('code')!)!;
        return unmet(`the client redeemed a code although ${c.defect}`, [ev(authorization, c.part), ev(redeemed, 'form.code')]);
      }
      const [first] = codes.values();
      return met(`the client discarded the response (${c.defect})`, [ev(first, c.part)]);
    },
  };
}

/** The valid RFC 9207 cases: the client must go on and redeem. */
export function redeems(c: Omit<ResponseCase, 'part'>): CheckDef {
  return {
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    level: c.level,
    specVersions: c.specVersions,
    specLinks: c.specLinks,
    judge(trace) {
      const codes = issuedCodes(trace);
      if (codes.size === 0) return missing('the authorization endpoint never issued a code');
      const redeemed = codeRedemptions(trace).find((e) => codes.has(new URLSearchParams(e.request.body ?? '').get('code') ?? ''));
      const [first] = codes.values();
      if (!redeemed) return unmet(`the client did not redeem the code although ${c.defect}`, [ev(first, 'response.header.location')]);
      return met('the client accepted the valid response', [ev(first), ev(redeemed)]);
    },
  };
}

const ISS = { requirements: ['C-ISS-02', 'ISS-C-01', 'ISS-C-02'], level: 'MUST' as const, specVersions: since('2026-07-28'), specLinks: [LINK.responseValidation, LINK.rfc9207Validation] };

export const stateMismatchRejected = doesNotRedeem({
  id: 'state-mismatch-rejected',
  title: 'discards an authorization response whose state is not the one it sent',
  requirements: ['C-STATE-01', 'O21-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.openRedirection, LINK.oauth21Csrf],
  defect: 'the response carried a different state',
  part: 'response.header.location',
});

export const stateMissingRejected = doesNotRedeem({
  id: 'state-missing-rejected',
  title: 'discards an authorization response that lacks the state it sent',
  requirements: ['C-STATE-01', 'O21-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.openRedirection, LINK.oauth21Csrf],
  defect: 'the response had no state',
  part: 'response.header.location',
});

export const issMatchingAccepted = redeems({ ...ISS, id: 'iss-matching-accepted', title: 'accepts a response whose iss equals the issuer', defect: 'iss matched the advertised issuer' });

export const issAbsentUnadvertisedAccepted = redeems({
  ...ISS,
  requirements: ['C-ISS-02'],
  id: 'iss-absent-unadvertised-accepted',
  title: 'accepts a response without iss from a server that does not advertise iss support',
  defect: 'the server does not advertise iss and sent none',
});

export const issMissingRejected = doesNotRedeem({
  ...ISS,
  requirements: [...ISS.requirements, 'ISS-C-04'],
  id: 'iss-missing-rejected',
  title: 'rejects a response without iss from a server that advertises iss support',
  defect: 'the server advertises iss support but the response had none',
  part: 'response.header.location',
});

export const issWrongRejected = doesNotRedeem({
  ...ISS,
  id: 'iss-wrong-rejected',
  title: 'rejects a response whose iss names another issuer (mix-up)',
  defect: 'iss named another issuer',
  part: 'response.header.location',
});

export const issUnadvertisedWrongRejected = doesNotRedeem({
  ...ISS,
  requirements: [...ISS.requirements, 'ISS-C-05'],
  id: 'iss-unadvertised-wrong-rejected',
  title: 'compares iss even when the server does not advertise support, and rejects a wrong one',
  defect: 'iss named another issuer (support not advertised)',
  part: 'response.header.location',
});

export const issNotNormalized = doesNotRedeem({
  ...ISS,
  requirements: [...ISS.requirements, 'C-ISS-03'],
  id: 'iss-not-normalized',
  title: 'compares iss by exact string: issuer + "/" is a different issuer',
  defect: 'iss was the issuer with a trailing slash',
  part: 'response.header.location',
});
