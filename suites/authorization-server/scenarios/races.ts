// Atomicity under concurrency, as properties: fast-check draws how many requests race (2 to 8) and
// when each is let go (0-3 ms apart). Every request is sent whole but its last byte, and the last
// bytes are released together, so a race window of a millisecond is hit without help from the
// server. Each case is judged alone; the report gives how often each outcome came up.
import fc from 'fast-check';
import type { AuthorizationServerProperty, AuthorizationServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import type { AuthorizationServerDrive, TokenResult } from '../../../core/targets/authorization-server/drive.js';
import { codeRaceSingleUse, describeRace, RACE, readRace, refreshRaceNoFork, refreshRaceOneSuccessor, refreshRaceWinnerSurvives } from '../checks/races.js';

export interface Race {
  /** Requests racing. */
  k: number;
  /** When each one's last byte is released after the first, in ms; only the first k are used. */
  offsetsMs: number[];
}

const MAX_RACERS = 8;

const races = fc.record({
  k: fc.integer({ min: 2, max: MAX_RACERS }),
  offsetsMs: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: MAX_RACERS, maxLength: MAX_RACERS }),
});

const describe = (race: Race): string => `${race.k} simultaneous requests released at [${race.offsetsMs.slice(0, race.k).join(', ')}] ms`;

/** Every request released at once, as many as can race: the case most likely to hit a window. */
const allAtOnce: Race = { k: MAX_RACERS, offsetsMs: new Array<number>(MAX_RACERS).fill(0) };

/** One refresh with each distinct successor, one after the other: which lines of tokens still work. */
async function probeSuccessors(drive: AuthorizationServerDrive, winners: TokenResult[], label: string): Promise<void> {
  const successors = [...new Set(winners.map((w) => w.refreshToken).filter((t): t is string => t !== undefined))];
  for (const [i, token] of successors.entries()) await drive.refresh(`${label}:${i + 1}`, token);
}

const codeRace: AuthorizationServerProperty<Race> = {
  cases: races,
  examples: [allAtOnce],
  describe,
  defaultRuns: 20,
  async send(drive, race) {
    const authorization = await drive.authorize(RACE.codeAuthorize);
    if (!authorization.code) return;
    const form = { grant_type: 'authorization_code', code: authorization.code, redirect_uri: authorization.redirectUri, code_verifier: authorization.pkce.verifier, resource: drive.facts.resource };
    const results = await drive.tokensTogether(race.offsetsMs.slice(0, race.k).map((offsetMs, i) => ({ label: `${RACE.codeRedeem}:${i + 1}`, form, offsetMs })));
    await probeSuccessors(drive, results.filter((r) => r.accessToken !== undefined), RACE.codeAlive);
  },
  outcome: (trace) => describeRace(readRace(trace, RACE.codeRedeem, RACE.codeAlive), 'redemptions'),
};

const refreshRace: AuthorizationServerProperty<Race> = {
  cases: races,
  examples: [allAtOnce],
  describe,
  defaultRuns: 20,
  async send(drive, race) {
    const grant = await drive.grant(RACE.refreshGrant);
    const token = grant.tokens?.refreshToken;
    if (!token) return;
    const form = { grant_type: 'refresh_token', refresh_token: token, resource: drive.facts.resource };
    const results = await drive.tokensTogether(race.offsetsMs.slice(0, race.k).map((offsetMs, i) => ({ label: `${RACE.refresh}:${i + 1}`, form, offsetMs })));
    await probeSuccessors(drive, results.filter((r) => r.accessToken !== undefined), RACE.alive);
  },
  outcome: (trace) => describeRace(readRace(trace, RACE.refresh, RACE.alive), 'refreshes'),
};

export const raceScenarios: AuthorizationServerScenario[] = [
  {
    id: 'as/code-race',
    title: 'Simultaneous redemptions of one code',
    description:
      'K = 2..8 redemptions of one code, their last bytes released together (fast-check draws K and the release offsets). A correct server issues tokens for at most one, and at most one token family of that code is alive afterwards.',
    suites: ['authorization-server', 'race'],
    specVersions: since('2025-06-18'),
    needs: ['client', 'login'],
    property: codeRace,
    checks: [codeRaceSingleUse],
  },
  {
    id: 'as/refresh-race',
    title: 'Simultaneous refreshes of one refresh token',
    description:
      "K = 2..8 refreshes with one refresh token, their last bytes released together, then one refresh with each distinct successor. A correct server leaves one live line of tokens: one success, or the same successor for every success (a grace window); several live successors are forked families, and a winner revoked by the losers' replay signs out every racing process.",
    suites: ['authorization-server', 'race', 'refresh'],
    specVersions: since('2025-06-18'),
    needs: ['client', 'login'],
    property: refreshRace,
    checks: [refreshRaceNoFork, refreshRaceOneSuccessor, refreshRaceWinnerSurvives],
  },
];
