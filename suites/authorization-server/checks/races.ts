// What K simultaneous redemptions of one code, or K simultaneous refreshes of one refresh token,
// leave behind. A code yields tokens once however its redemptions interleave (OAuth 2.1 §4.1.3). A
// refresh race ends with one live line of tokens: one success (strict), or several successes that
// all return the same successor (a grace window); forked live families defeat rotation, and a winner
// revoked by the losers' replay logs out every racing client of a host.
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { CLIENT, describeAnswer, ev, factsOf, isSuccess, issuedTokens, labelled, labelledAll } from '../observe.js';

export const RACE = {
  codeAuthorize: 'code-race:authorize',
  codeRedeem: 'code-race:redeem',
  codeAlive: 'code-race:family-alive',
  refreshGrant: 'refresh-race:grant',
  refresh: 'refresh-race:refresh',
  alive: 'refresh-race:successor-alive',
} as const;

const ALL = since('2025-03-26');

export interface RaceReading {
  /** The racing requests, in label order. */
  racers: Exchange[];
  winners: Exchange[];
  /** Distinct refresh tokens the winners got, in the order of the winners. */
  successors: string[];
  /** The liveness probes: one refresh with each distinct successor, after the race. */
  probes: Exchange[];
  alive: Exchange[];
}

export function readRace(trace: Trace, racePrefix: string, alivePrefix: string): RaceReading {
  const racers = labelledAll(trace, racePrefix);
  const winners = racers.filter((e) => isSuccess(e) && issuedTokens(e).accessToken !== undefined);
  const successors = [...new Set(winners.map((e) => issuedTokens(e).refreshToken).filter((t): t is string => t !== undefined))];
  const probes = labelledAll(trace, alivePrefix);
  return { racers, winners, successors, probes, alive: probes.filter(isSuccess) };
}

/** "3 of 5 succeeded, 2 distinct successors, 1 alive afterwards": a case's outcome, for the distribution. */
export function describeRace(race: RaceReading, noun: string): string {
  const distinct = race.successors.length;
  return `${race.winners.length} of ${race.racers.length} ${noun} succeeded, ${distinct} distinct successor${distinct === 1 ? '' : 's'}, ${race.alive.length} alive afterwards`;
}

const racePrecondition = (trace: Trace, race: RaceReading, start: string) => {
  if (!factsOf(trace).client) return { outcome: 'missing' as const, message: 'the kit had no client to act as', precondition: CLIENT };
  if (race.racers.length === 0) {
    const before = labelled(trace, start);
    // Refresh tokens are optional (refresh-token-issued judges whether one was due): no race to run.
    if (before && isSuccess(before) && issuedTokens(before).accessToken !== undefined && issuedTokens(before).refreshToken === undefined) return skip('the server issued no refresh token to race with');
    return missing(before ? `the race never started: ${before.label} was answered ${describeAnswer(before)}` : 'the race never started: the authorization did not come back with a code');
  }
  return undefined;
};

/** Judges a refresh race's trace once it is known the race ran. */
function refreshRace(judge: (race: RaceReading) => Finding): (trace: Trace) => Finding {
  return (trace) => {
    const race = readRace(trace, RACE.refresh, RACE.alive);
    return racePrecondition(trace, race, `${RACE.refreshGrant}:token`) ?? judge(race);
  };
}

export const codeRaceSingleUse: CheckDef = {
  id: 'code-race-single-use',
  title: 'K simultaneous redemptions of one code yield tokens at most once, and at most one family survives',
  requirements: ['O21-AS-05', 'AT-10'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.oauth21TokenRequest, LINK.oauth21CodeInjection],
  judge: (trace) => {
    const race = readRace(trace, RACE.codeRedeem, RACE.codeAlive);
    const why = racePrecondition(trace, race, RACE.codeAuthorize);
    if (why) return why;
    if (race.winners.length > 1) {
      return unmet(`one code was redeemed ${race.winners.length} times by ${race.racers.length} simultaneous requests (${describeRace(race, 'redemptions')})`, race.winners.map((e) => ev(e, 'response.status')));
    }
    if (race.alive.length > 1) return unmet(`${race.alive.length} token families of one code are alive after the race`, race.alive.map((e) => ev(e)));
    return met(describeRace(race, 'redemptions'), race.racers.map((e) => ev(e)));
  },
};

export const refreshRaceNoFork: CheckDef = {
  id: 'refresh-race-no-fork',
  title: 'K simultaneous refreshes with one token leave at most one live line of tokens (no forked families)',
  requirements: ['A-TOK-02', 'O21-AS-09', 'RT-AS-02'],
  level: 'MUST',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.mcpTokenTheft, LINK.oauth21Refresh],
  judge: refreshRace((race) => {
    if (race.alive.length > 1) {
      // Each live successor is a family of its own: a stolen token replayed in the race window keeps one forever.
      return unmet(`${race.alive.length} different refresh tokens issued for one presented token still work (${describeRace(race, 'refreshes')}): rotation no longer detects a replay`, race.alive.map((e) => ev(e, 'form.refresh_token')));
    }
    return met(describeRace(race, 'refreshes'), race.racers.map((e) => ev(e)));
  }),
};

export const refreshRaceOneSuccessor: CheckDef = {
  id: 'refresh-race-one-successor',
  title: 'K simultaneous refreshes with one token succeed once, or return the same successor to each',
  requirements: ['RT-AS-02', 'RT-AS-04'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.oauth21Refresh, LINK.rfc9700Refresh],
  judge: refreshRace((race) => {
    if (race.successors.length > 1) {
      return unmet(`${race.winners.length} of ${race.racers.length} simultaneous refreshes succeeded with ${race.successors.length} different successors: clients holding all but one are signed out or forked`, race.winners.map((e) => ev(e, 'response.body.refresh_token')));
    }
    return met(describeRace(race, 'refreshes'), race.racers.map((e) => ev(e)));
  }),
};

export const refreshRaceWinnerSurvives: CheckDef = {
  id: 'refresh-race-winner-survives',
  title: "a refresh race leaves the winner's tokens alive: the losers' replay does not sign every racing client out",
  requirements: ['RT-AS-02', 'RT-AS-04'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.oauth21Refresh, LINK.rfc9700Refresh],
  judge: refreshRace((race) => {
    if (race.winners.length === 0) return unmet(`none of ${race.racers.length} simultaneous refreshes with a valid token succeeded: ${race.racers.map(describeAnswer).join('; ')}`, race.racers.map((e) => ev(e)));
    if (race.successors.length > 0 && race.alive.length === 0) {
      return unmet(`${race.winners.length} refresh(es) succeeded, yet afterwards no successor works: the losers' replay revoked the family, so every process of a host that raced is signed out (a grace window for the immediate predecessor avoids it)`, race.probes.map((e) => ev(e, 'response.body')));
    }
    return met(describeRace(race, 'refreshes'), race.probes.map((e) => ev(e)));
  }),
};
