// Observations about a client's flow that several checks share. Pure functions of the trace.
import { BROWSER_ACTOR, type Exchange, type Trace } from '../../core/trace.js';
import { FAMILY_REVOKED_HEADER, REFRESH_GENERATION_HEADER, type RefreshOutcome } from '../../mocks/authorization-server/diagnostics.js';
import type { WorldKnobs } from '../../mocks/knobs.js';
import { authorizationRequests, byRole, codeRedemptions, form, fromClients, issuedCodes, query, refreshRequests, responseJson, succeeded } from '../../core/trace-query.js';

export const knobsOf = (trace: Trace): WorldKnobs => trace.world.knobs as WorldKnobs;

/** A URL without its query and fragment, for comparing discovery locations. */
export function bare(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * The distinct URLs a client requested for one endpoint role, in order of first request, with the
 * first exchange for each. Re-fetching a URL already tried is not a new probe.
 */
export function probes(trace: Trace, role: 'prm' | 'as-metadata', within: (e: Exchange) => boolean = () => true): Array<{ url: string; exchange: Exchange }> {
  const seen = new Map<string, Exchange>();
  for (const e of fromClients(trace)) {
    if (e.role !== role || !within(e)) continue;
    const url = bare(e.request.url);
    if (!seen.has(url)) seen.set(url, e);
  }
  return [...seen].map(([url, exchange]) => ({ url, exchange }));
}

/**
 * Judges a probe sequence against the order a correct client follows: the distinct URLs must be a
 * prefix of `expected`, the client stops at the first one that answered, and it does not give up
 * while locations remain. Returns the offending probe and why, or undefined when the order holds.
 */
export function probeOrderViolation(
  tried: Array<{ url: string; exchange: Exchange }>,
  expected: string[],
  options: { mayStopEarly?: boolean } = {},
): { exchange: Exchange; why: string } | undefined {
  let answered: string | undefined;
  for (const [index, probe] of tried.entries()) {
    if (answered) return { exchange: probe.exchange, why: `requested ${probe.url} after ${answered} had already answered` };
    if (expected[index] !== probe.url) {
      const position = expected.indexOf(probe.url);
      const why =
        position < 0
          ? `requested ${probe.url}, which is not one of the locations to try (${expected.join(', ')})`
          : `requested ${probe.url} (choice ${position + 1}) before ${expected[index]} (choice ${index + 1})`;
      return { exchange: probe.exchange, why };
    }
    if (succeeded(probe.exchange)) answered = probe.url;
  }
  const untried = expected.slice(tried.length);
  if (!answered && untried.length && tried.length && !options.mayStopEarly)
    return { exchange: tried[tried.length - 1].exchange, why: `gave up after ${tried[tried.length - 1].url} answered ${tried[tried.length - 1].exchange.response?.status ?? 'nothing'}, without trying ${untried.join(', ')}` };
  return undefined;
}

/** The path-inserted and root PRM well-known URLs for the world's MCP URL (RFC 9728 §3.1). */
export function prmWellKnown(trace: Trace): { pathInserted: string; root: string } {
  const mcp = new URL(trace.world.mcpUrl);
  const path = mcp.pathname === '/' ? '' : mcp.pathname.replace(/\/$/, '');
  return {
    pathInserted: `${mcp.origin}/.well-known/oauth-protected-resource${path}`,
    root: `${mcp.origin}/.well-known/oauth-protected-resource`,
  };
}

/** Requests by which a client acts on discovered metadata: registering, authorizing, redeeming. */
export function usesOfAuthorizationServer(trace: Trace): Exchange[] {
  return trace.exchanges.filter((e) => e.role === 'register' || e.role === 'authorize' || e.role === 'token');
}

/** The first authorization request (made by the client or by the kit's browser on its behalf). */
export function firstAuthorization(trace: Trace): Exchange | undefined {
  return authorizationRequests(trace)[0];
}

/** The authorization request that issued the code a redemption presents. */
export function authorizationFor(trace: Trace, redemption: Exchange): Exchange | undefined {
  const code = new URLSearchParams(redemption.request.body ?? '').get('code');
  return code ? issuedCodes(trace).get(code) : undefined;
}

/** Code redemptions whose code the world issued (redemptions of made-up codes are judged elsewhere). */
export function redemptionsWithAuthorization(trace: Trace): Array<{ redemption: Exchange; authorization: Exchange }> {
  return codeRedemptions(trace).flatMap((redemption) => {
    const authorization = authorizationFor(trace, redemption);
    return authorization ? [{ redemption, authorization }] : [];
  });
}

/**
 * MCP requests a client process sent after it was issued its first access token: the ones that
 * must carry a token. Per process, so a later start that begins without one (it keeps nothing) is
 * judged from its own first token on.
 */
export function mcpRequestsAfterFirstToken(trace: Trace): Exchange[] {
  const firstTokenOf = new Map<string, number>();
  for (const e of byRole(trace, 'token')) if (succeeded(e) && !firstTokenOf.has(e.actor)) firstTokenOf.set(e.actor, e.id);
  return fromClients(trace).filter((e) => e.role === 'mcp' && e.id > (firstTokenOf.get(e.actor) ?? Infinity));
}

export function scopeSet(value: string | null | undefined): Set<string> {
  return new Set((value ?? '').split(' ').filter(Boolean));
}

export function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

export const show = (set: Set<string>): string => (set.size ? `"${[...set].join(' ')}"` : '(none)');

export function queryParam(e: Exchange, name: string): string | null {
  return query(e).get(name);
}

// ---------------------------------------------------------------------------------------------
// Runs: a scenario may start the client several times (and several copies at once) against one
// world. The engine records each start in `trace.runs`; a trace without it is one run.

/** One start of the client, as the checks see it (RunRecord, with its position and what may be absent). */
export interface RunView {
  /** 0-based position among the runs, in the order they started. */
  position: number;
  label: string;
  /** The client instances of this run (`client-3`...), numbered across runs. */
  actors: string[];
  /** Milliseconds since the scenario started, like Exchange.at; absent when not recorded. */
  startedAt?: number;
  endedAt?: number;
  /** A correct client exits non-zero in this run. */
  clientRefuses: boolean;
}

/** The runs of a trace, in start order; a trace saved before runs were recorded is one run of every process. */
export function runsOf(trace: Trace): RunView[] {
  const recorded = trace.runs ?? [];
  if (recorded.length === 0) {
    const actors = [...new Set(fromClients(trace).map((e) => e.actor))];
    return [{ position: 0, label: 'the only run', actors, clientRefuses: false }];
  }
  return recorded.map((run, position) => ({
    position,
    label: run.label,
    actors: run.actors,
    ...(Number.isFinite(run.startedAt) ? { startedAt: run.startedAt } : {}),
    ...(Number.isFinite(run.endedAt) ? { endedAt: run.endedAt } : {}),
    clientRefuses: run.clientRefuses,
  }));
}

/** Arrival order; exchange ids follow the order of answers. */
export const byArrival = (a: Exchange, b: Exchange): number => a.at - b.at || a.id - b.id;

export const describeRun = (run: RunView): string => `run ${run.position + 1} (${run.label})`;

/**
 * Which run each exchange belongs to, by exchange id: the run whose instances include its actor;
 * for the kit's browser, which acts for whichever run is going on, the run whose time span holds
 * the exchange, else the run of the client request that came just before it.
 */
export function runPositions(trace: Trace, runs: RunView[] = runsOf(trace)): Map<number, number> {
  const positions = new Map<number, number>();
  let current = 0;
  for (const e of [...trace.exchanges].sort(byArrival)) {
    const byActor = runs.find((run) => run.actors.includes(e.actor));
    const byTime = runs.findLast((run) => run.startedAt !== undefined && run.startedAt <= e.at && (run.endedAt === undefined || e.at <= run.endedAt));
    current = (byActor ?? byTime)?.position ?? current;
    positions.set(e.id, runs.length === 1 ? 0 : current);
  }
  return positions;
}

/** The exchanges of one run, in trace order. */
export function exchangesOf(trace: Trace, run: RunView): Exchange[] {
  const positions = runPositions(trace);
  return trace.exchanges.filter((e) => positions.get(e.id) === run.position);
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens. A refresh token is an opaque string in the trace; the world's diagnostic
// headers (mocks/authorization-server/diagnostics.ts) say which family and generation each one
// is, so "presented a superseded token" is decided from the trace alone.

export interface RefreshGeneration {
  family: string;
  generation: number;
  outcome: RefreshOutcome;
  /** A latest-wins replay revoked this many earlier successors. */
  revokedSiblings: number;
}

/** `; `-separated `name=value` parts of a diagnostic header; bare words map to ''. */
function headerParts(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const [name, ...rest] = part.split('=');
    if (name.trim()) parts.set(name.trim().toLowerCase(), rest.join('=').trim());
  }
  return parts;
}

const OUTCOMES: readonly string[] = ['issued', 'replayed', 'kept'] satisfies RefreshOutcome[];

/** `family=<id>; generation=<n>; outcome=<o>[; revoked-siblings=<k>]`, or undefined when malformed. */
export function parseRefreshGeneration(value: string | undefined): RefreshGeneration | undefined {
  if (!value) return undefined;
  const parts = headerParts(value);
  const family = parts.get('family');
  const generation = Number(parts.get('generation'));
  const outcome = parts.get('outcome') ?? '';
  if (!family || !Number.isInteger(generation) || generation < 0 || !OUTCOMES.includes(outcome)) return undefined;
  const siblings = Number(parts.get('revoked-siblings') ?? 0);
  return { family, generation, outcome: outcome as RefreshOutcome, revokedSiblings: Number.isInteger(siblings) ? siblings : 0 };
}

/** `reuse; family=<id>; detected=now|earlier`, or undefined when absent or malformed. */
export function parseFamilyRevoked(value: string | undefined): { family: string; detected: 'now' | 'earlier' } | undefined {
  if (!value) return undefined;
  const parts = headerParts(value);
  const family = parts.get('family');
  const detected = parts.get('detected');
  if (!parts.has('reuse') || !family || (detected !== 'now' && detected !== 'earlier')) return undefined;
  return { family, detected };
}

export const generationOf = (e: Exchange): RefreshGeneration | undefined => (succeeded(e) ? parseRefreshGeneration(e.response?.headers[REFRESH_GENERATION_HEADER]) : undefined);
export const familyRevokedBy = (e: Exchange) => parseFamilyRevoked(e.response?.headers[FAMILY_REVOKED_HEADER]);

/** When the world's answer left: no client can have held what it carried any earlier. */
export const answeredAt = (e: Exchange): number => e.at + e.durationMs;

/** A refresh token the world handed out, and in which answer. */
export interface IssuedRefreshToken {
  token: string;
  family: string;
  generation: number;
  exchange: Exchange;
  deliveredAt: number;
}

/** Every refresh token the world issued, from the bodies and generation headers of token responses, in delivery order. */
export function issuedRefreshTokens(trace: Trace): IssuedRefreshToken[] {
  const issued: IssuedRefreshToken[] = [];
  for (const e of byRole(trace, 'token')) {
    const generation = generationOf(e);
    const token = responseJson(e)?.refresh_token;
    if (!generation || generation.outcome === 'kept' || typeof token !== 'string') continue;
    issued.push({ token, family: generation.family, generation: generation.generation, exchange: e, deliveredAt: answeredAt(e) });
  }
  return issued.sort((a, b) => a.deliveredAt - b.deliveredAt || a.exchange.id - b.exchange.id);
}

/** One refresh request: the token it presented and, if the world issued that token, where. */
export interface RefreshPresentation {
  exchange: Exchange;
  token: string | null;
  issued?: IssuedRefreshToken;
}

/** Refresh requests in arrival order. */
export function refreshPresentations(trace: Trace): RefreshPresentation[] {
  const issued = new Map<string, IssuedRefreshToken>();
  for (const token of issuedRefreshTokens(trace)) if (!issued.has(token.token)) issued.set(token.token, token);
  return refreshRequests(trace)
    .filter((e) => e.actor !== BROWSER_ACTOR)
    .sort(byArrival)
    .map((exchange) => {
      const token = form(exchange).get('refresh_token');
      const where = token !== null ? issued.get(token) : undefined;
      return { exchange, token, ...(where ? { issued: where } : {}) };
    });
}

/** The newest generation of a family whose answer had left the world before `at`. */
export function latestIssuedBefore(trace: Trace, family: string, at: number): IssuedRefreshToken | undefined {
  let latest: IssuedRefreshToken | undefined;
  for (const token of issuedRefreshTokens(trace)) {
    if (token.family !== family || token.deliveredAt >= at) continue;
    if (!latest || token.generation > latest.generation) latest = token;
  }
  return latest;
}

export interface SupersededPresentation {
  presentation: RefreshPresentation;
  /** The newer token of the same family the client could already have held. */
  newer?: IssuedRefreshToken;
  /** Why it is wrong, for the verdict. */
  why: string;
}

/**
 * Refresh requests that presented something other than the newest token of their family the world
 * had delivered by then (RT-C-01, O21-C-04): an older generation, or a token the world never issued.
 */
export function supersededPresentations(trace: Trace): SupersededPresentation[] {
  const found: SupersededPresentation[] = [];
  for (const presentation of refreshPresentations(trace)) {
    const { exchange, token, issued } = presentation;
    if (token === null) {
      found.push({ presentation, why: `refresh #${exchange.id} presented no refresh_token at all` });
      continue;
    }
    if (!issued) {
      found.push({ presentation, why: `refresh #${exchange.id} presented a refresh token the world never issued` });
      continue;
    }
    const newer = latestIssuedBefore(trace, issued.family, exchange.at);
    if (newer && newer.generation > issued.generation)
      found.push({
        presentation,
        newer,
        why: `refresh #${exchange.id} presented generation ${issued.generation} of family ${issued.family} (issued in #${issued.exchange.id}), but #${newer.exchange.id} had already issued generation ${newer.generation}`,
      });
  }
  return found;
}

/** A token endpoint or MCP answer a client must treat as transient: 5xx or 429 (RT-C-09). */
export const isTransient = (e: Exchange): boolean => !!e.response && (e.response.status === 429 || e.response.status >= 500);

/** The family a refresh request belongs to, for grouping: the issued token's, else the token itself. */
export const familyKey = (p: RefreshPresentation): string => p.issued?.family ?? `unissued:${p.token ?? ''}`;

/**
 * Pairs of requests (in arrival order) where the second arrived before the world had answered the
 * first: both were in flight at once. Checked against every earlier request, not only the one before.
 */
export function overlaps(requests: Exchange[]): Array<{ first: Exchange; second: Exchange }> {
  const sorted = [...requests].sort(byArrival);
  const pairs: Array<{ first: Exchange; second: Exchange }> = [];
  for (const [i, second] of sorted.entries()) {
    const first = sorted.slice(0, i).find((earlier) => answeredAt(earlier) > second.at);
    if (first) pairs.push({ first, second });
  }
  return pairs;
}

/**
 * Pairs of MCP requests of one process, refused with 401 while carrying the same access token, the
 * second sent before the process could know a replacement: before the first refresh it sent after
 * the first refusal was answered. Both waited on one refresh, which is what single flight merges.
 * (The server handles requests one at a time, so their time windows alone rarely overlap.)
 */
export function refusedTogether(refused: Exchange[], refreshes: Exchange[]): Array<{ first: Exchange; second: Exchange }> {
  const pairs: Array<{ first: Exchange; second: Exchange }> = [];
  const key = (e: Exchange) => `${e.actor} ${e.request.headers.authorization ?? ''}`;
  const groups = new Map<string, Exchange[]>();
  for (const e of [...refused].sort(byArrival)) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  for (const [, group] of groups) {
    const [first, ...rest] = group;
    const refresh = refreshes.filter((r) => r.actor === first.actor && r.at >= first.at).sort(byArrival)[0];
    const second = rest.find((e) => !refresh || e.at < answeredAt(refresh));
    if (second) pairs.push({ first, second });
  }
  return pairs;
}

/** Overlapping refresh requests of one family (RT-C-02). */
export function overlappingRefreshes(presentations: RefreshPresentation[]): Array<{ first: Exchange; second: Exchange; family: string }> {
  const byFamily = new Map<string, Exchange[]>();
  for (const p of presentations) byFamily.set(familyKey(p), [...(byFamily.get(familyKey(p)) ?? []), p.exchange]);
  return [...byFamily].flatMap(([family, requests]) => overlaps(requests).map((pair) => ({ ...pair, family })));
}

// ---------------------------------------------------------------------------------------------
// Challenges (RFC 6750 §3, RFC 9728 §5.1).

/** The auth-params of a `Bearer` challenge, names lower-cased; undefined when there is no Bearer challenge. */
export function bearerChallengeParams(header: string | undefined): Map<string, string> | undefined {
  if (!header) return undefined;
  const start = header.search(/(^|[\s,])bearer(\s|,|$)/i);
  if (start < 0) return undefined;
  const params = new Map<string, string>();
  const rest = header.slice(start).replace(/^[\s,]*bearer/i, '');
  for (const match of rest.matchAll(/([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/g)) {
    const name = match[1].toLowerCase();
    // A parameter of a later challenge (another scheme) ends this one.
    if (params.has(name)) break;
    params.set(name, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]);
  }
  return params;
}

export const challengeOf = (e: Exchange): Map<string, string> | undefined => bearerChallengeParams(e.response?.headers['www-authenticate']);

/** MCP answers of 403 with a Bearer insufficient_scope challenge (a step-up request), from client requests. */
export function insufficientScopeAnswers(trace: Trace): Exchange[] {
  return fromClients(trace).filter((e) => e.role === 'mcp' && e.response?.status === 403 && challengeOf(e)?.get('error') === 'insufficient_scope');
}
