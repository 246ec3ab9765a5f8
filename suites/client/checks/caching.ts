// Caching across starts of the client: discovery documents and the client registration are kept
// (and dropped when HTTP caching or a new challenge says so), an authorization-server change starts
// afresh, and an authentication failure is neither looped on nor remembered past its cause.
import { met, missing, notExercised, unmet, type CheckDef, type Evidence } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { authorizationRequests, basicCredentials, bearerToken, ev, form, fromClients, mcpMethods, responseJson, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import type { WorldKnobs } from '../../../mocks/knobs.js';
import { answeredAt, bare, byArrival, challengeOf, describeRun, knobsOf, runPositions, runsOf, type RunView } from '../observe.js';
import { KEPT_CREDENTIALS, REFRESHED, REQUESTED_AFTER_CHANGE, REVALIDATED } from '../preconditions.js';

/** At most this many authorizations before a client must stop trying against a server that refuses every token. */
export const AUTH_FAILURE_ATTEMPT_LIMIT = 3;
/** At most this many new tokens, by authorization or refresh, before it must stop: a refresh loop is a loop too. */
export const AUTH_FAILURE_TOKEN_LIMIT = 6;

const DISCOVERY_ROLES: ReadonlySet<string> = new Set(['prm', 'as-metadata']);
const isDiscovery = (e: Exchange) => DISCOVERY_ROLES.has(e.role);

/** The runs of a trace and, for each exchange, which one it belongs to. */
function split(trace: Trace): { runs: RunView[]; runOf: (e: Exchange) => number } {
  const runs = runsOf(trace);
  const positions = runPositions(trace, runs);
  return { runs, runOf: (e) => positions.get(e.id) ?? 0 };
}

/** Client requests of runs after the first, or the reason there are none to judge. */
function laterRuns(trace: Trace): { runs: RunView[]; runOf: (e: Exchange) => number; later: Exchange[] } | { none: string } {
  const { runs, runOf } = split(trace);
  if (runs.length < 2) return { none: 'the trace records a single run: the client was never started again' };
  const later = fromClients(trace).filter((e) => runOf(e) > 0);
  if (later.length === 0) return { none: 'the runs after the first made no request' };
  return { runs, runOf, later };
}

/** Cache-Control directives of an answer (RFC 9111 §5.2), names lower-cased. */
function cacheDirectives(e: Exchange): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (e.response?.headers['cache-control'] ?? '').split(',')) {
    const [name, value = ''] = part.split('=');
    if (name.trim()) directives.set(name.trim().toLowerCase(), value.trim().replace(/^"|"$/g, ''));
  }
  return directives;
}

const maxAgeOf = (e: Exchange): number | undefined => {
  const value = cacheDirectives(e).get('max-age');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
};

const describeFetches = (fetches: Exchange[]): string => fetches.map((e) => `${bare(e.request.url)} (#${e.id})`).join(', ');

export const discoveryCachedWarm: CheckDef = {
  id: 'discovery-cached-warm',
  title: 'a restart with valid tokens fetches no discovery document again',
  requirements: ['DC-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Caching],
  preconditions: [KEPT_CREDENTIALS],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const { runs, runOf, later } = split;
    if (!fromClients(trace).some((e) => runOf(e) === 0 && isDiscovery(e))) return missing('the first run fetched no discovery document, so there was nothing to cache');
    // Authorizing again means the start was a cold one: there were no kept tokens to reconnect with.
    const cold = later.find((e) => e.role === 'authorize');
    if (cold) return notExercised(KEPT_CREDENTIALS, `${describeRun(runs[runOf(cold)])} authorized again (#${cold.id}) instead of starting with the credentials of the first`, [ev(cold)]);
    const refetched = later.filter(isDiscovery);
    if (refetched.length) return unmet(`${describeRun(runs[runOf(refetched[0])])} fetched ${describeFetches(refetched)} again`, refetched.map((e) => ev(e, 'url')));
    return met(`${later.length} request(s) after the first run, none of them for discovery`);
  },
};

export const registrationOnce: CheckDef = {
  id: 'registration-once',
  title: 'registers once and reuses that client across restarts',
  requirements: ['DC-C-08'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.clientRegistration],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const registrations = fromClients(trace)
      .filter((e) => e.role === 'register')
      .sort(byArrival);
    if (registrations.length === 0) return missing('the client never registered');
    if (registrations.length > 1)
      return unmet(`${registrations.length} registrations; ${describeRun(split.runs[split.runOf(registrations[1])])} registered again (#${registrations[1].id})`, registrations.slice(1).map((e) => ev(e)));
    return met(`one registration (#${registrations[0].id}) served ${split.runs.length} runs`);
  },
};

/** Discovery documents the first run got with a directive, by URL, with the answer that carried it. */
function documentsServedWith(trace: Trace, runOf: (e: Exchange) => number, directive: (e: Exchange) => boolean): Map<string, Exchange> {
  const documents = new Map<string, Exchange>();
  for (const e of fromClients(trace)) {
    if (runOf(e) === 0 && isDiscovery(e) && succeeded(e) && directive(e) && !documents.has(bare(e.request.url))) documents.set(bare(e.request.url), e);
  }
  return documents;
}

const usesOfAs = (e: Exchange) => e.role === 'token' || e.role === 'authorize' || e.role === 'register';

export const discoveryNoStoreHonoured: CheckDef = {
  id: 'discovery-no-store-honoured',
  title: 'metadata served with Cache-Control: no-store is fetched again before it is relied on in a later run',
  requirements: ['DC-C-02'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Caching],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const { runs, runOf, later } = split;
    const noStore = documentsServedWith(trace, runOf, (e) => cacheDirectives(e).has('no-store'));
    if (noStore.size === 0) return missing('the first run got no discovery document marked no-store');
    const laterRunsUsingAs = [...new Set(later.filter(usesOfAs).map(runOf))];
    if (laterRunsUsingAs.length === 0) return missing('no run after the first went to the authorization server');
    for (const position of laterRunsUsingAs) {
      const inRun = trace.exchanges.filter((e) => runOf(e) === position).sort(byArrival);
      const use = inRun.find(usesOfAs)!;
      for (const [url, served] of noStore) {
        const refetch = inRun.find((e) => e.actor !== 'browser' && isDiscovery(e) && bare(e.request.url) === url && e.at < use.at);
        if (!refetch)
          return unmet(`${describeRun(runs[position])} used the authorization server (#${use.id}) without fetching ${url} again, although it was served with no-store (#${served.id})`, [
            ev(use),
            ev(served, 'response.header.cache-control'),
          ]);
      }
    }
    return met(`every later run fetched the no-store document(s) again before using the authorization server`);
  },
};

export const discoveryMaxAgeHonoured: CheckDef = {
  id: 'discovery-max-age-honoured',
  title: 'metadata still fresh by its Cache-Control max-age is not fetched again when a later run refreshes',
  requirements: ['DC-C-02', 'DC-C-01'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Caching],
  preconditions: [REFRESHED],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const { runs, runOf, later } = split;
    const fresh = documentsServedWith(trace, runOf, (e) => (maxAgeOf(e) ?? 0) > 0);
    if (fresh.size === 0) return missing('the first run got no discovery document with a positive max-age');
    const refresh = later.find((e) => e.role === 'token' && form(e).get('grant_type') === 'refresh_token');
    if (!refresh) return notExercised(REFRESHED, 'no run after the first refreshed its token');
    const refetched = later.filter((e) => {
      const served = fresh.get(bare(e.request.url));
      // Still fresh when fetched again: the age since the first answer is below its max-age.
      return isDiscovery(e) && served !== undefined && e.at - served.at < (maxAgeOf(served) ?? 0) * 1000;
    });
    if (refetched.length)
      return unmet(`${describeRun(runs[runOf(refetched[0])])} fetched ${describeFetches(refetched)} again while still fresh (max-age ${maxAgeOf(fresh.get(bare(refetched[0].request.url))!)} s)`, [
        ...refetched.map((e) => ev(e, 'url')),
        ev(fresh.get(bare(refetched[0].request.url))!, 'response.header.cache-control'),
      ]);
    return met(`refreshed (#${refresh.id}) from cached metadata`);
  },
};

export const discoveryRefetchOnNewResourceMetadata: CheckDef = {
  id: 'discovery-refetch-on-new-resource-metadata',
  title: 'a 401 naming a new resource_metadata URL makes the client fetch that document, once',
  requirements: ['DC-C-03', 'PRM-C-10'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Changes, LINK.prmDiscovery],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const { runs, runOf, later } = split;
    const known = new Set(fromClients(trace).filter((e) => runOf(e) === 0 && e.role === 'prm').map((e) => bare(e.request.url)));
    const challenge = later
      .filter((e) => e.role === 'mcp' && e.response?.status === 401)
      .sort(byArrival)
      .find((e) => {
        const named = challengeOf(e)?.get('resource_metadata');
        return named !== undefined && URL.canParse(named) && !known.has(bare(named));
      });
    if (!challenge) return missing('no 401 after the first run named a resource_metadata URL the client had not fetched before');
    const url = bare(challengeOf(challenge)!.get('resource_metadata')!);
    const run = runOf(challenge);
    const fetches = later.filter((e) => runOf(e) === run && e.role === 'prm' && bare(e.request.url) === url);
    if (fetches.length === 0) return unmet(`${describeRun(runs[run])} never fetched ${url}, which the 401 (#${challenge.id}) named`, [ev(challenge, 'response.header.www-authenticate')]);
    if (fetches.length > 1) return unmet(`${describeRun(runs[run])} fetched ${url} ${fetches.length} times`, fetches.map((e) => ev(e, 'url')));
    return met(`fetched ${url} once (#${fetches[0].id}) after the 401 (#${challenge.id}) named it`, [ev(challenge), ev(fetches[0])]);
  },
};

/**
 * When the resource server moved to the second authorization server: under a running client, once
 * it had served `prm.migrateAfterAuthorizedRequests` requests with the first one's tokens; between
 * starts, when the run whose knobs name the second one began.
 */
function authorizationServerChange(trace: Trace): { at: number; where: string } | undefined {
  const underway = knobsOf(trace).prm.migrateAfterAuthorizedRequests;
  if (underway !== undefined) {
    const served = fromClients(trace)
      .filter((e) => e.role === 'mcp' && bearerToken(e) !== undefined && succeeded(e))
      .sort(byArrival);
    const last = served[underway - 1];
    return last ? { at: answeredAt(last), where: `after the resource server served #${last.id}` } : undefined;
  }
  const run = (trace.runs ?? []).find((r) => (r.knobs as WorldKnobs | undefined)?.prm?.authorizationServer === 'second');
  return run ? { at: run.startedAt, where: `at the start of run ${run.index + 1} (${run.label})` } : undefined;
}

export const reregisterOnAsChange: CheckDef = {
  id: 'reregister-on-as-change',
  title: 'registers anew with the authorization server the metadata now names',
  requirements: ['C-REG-15', 'DC-C-04'],
  level: 'MUST',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.authorizationServerBinding, LINK.authorizationServerLocation],
  preconditions: [REQUESTED_AFTER_CHANGE],
  judge(trace) {
    if (!trace.world.issuer2) return missing('the world has no second authorization server');
    const change = authorizationServerChange(trace);
    if (!change) return notExercised(REQUESTED_AFTER_CHANGE, 'the authorization server never changed: the resource server never served the requests that move it');
    const after = fromClients(trace).filter((e) => e.at >= change.at);
    const refused = after.filter((e) => e.role === 'mcp' && e.response?.status === 401).sort(byArrival)[0];
    if (!refused) return notExercised(REQUESTED_AFTER_CHANGE, `no request after the authorization server changed (${change.where}) was refused, so the client had no reason to look for the new one`);
    const registration = fromClients(trace).find((e) => e.server === 'as2' && e.role === 'register' && succeeded(e));
    if (registration) return met(`registered with ${trace.world.issuer2} (#${registration.id}) after the change ${change.where}`, [ev(registration)]);
    const atSecond = trace.exchanges.filter((e) => e.server === 'as2' && e.role !== 'as-metadata').sort(byArrival)[0];
    const atFirst = after.filter((e) => e.server === 'as' && e.role !== 'as-metadata' && e.at > refused.at).sort(byArrival)[0];
    const what = atSecond
      ? `went to ${trace.world.issuer2} (#${atSecond.id}, ${atSecond.role}) without registering there`
      : atFirst
        ? `went back to the first authorization server (#${atFirst.id}, ${atFirst.role})`
        : 'never registered with the new authorization server';
    return unmet(`after the 401 (#${refused.id}) that followed the change ${change.where}, the client ${what}`, [ev(refused), ...(atSecond ? [ev(atSecond)] : atFirst ? [ev(atFirst)] : [])]);
  },
};

/** Credentials of the first authorization server, with what each one is. */
function firstServerCredentials(trace: Trace): Array<{ value: string; what: string }> {
  const credentials: Array<{ value: string; what: string }> = [];
  for (const e of trace.exchanges.filter((x) => x.server === 'as' && succeeded(x))) {
    const body = responseJson(e) ?? {};
    if (e.role === 'register') {
      if (typeof body.client_id === 'string') credentials.push({ value: body.client_id, what: `the client_id the first server registered (#${e.id})` });
      if (typeof body.client_secret === 'string') credentials.push({ value: body.client_secret, what: `the client_secret the first server issued (#${e.id})` });
    }
    if (e.role === 'token') {
      if (typeof body.refresh_token === 'string') credentials.push({ value: body.refresh_token, what: `a refresh token of the first server (#${e.id})` });
      if (typeof body.access_token === 'string') credentials.push({ value: body.access_token, what: `an access token of the first server (#${e.id})` });
    }
  }
  return credentials;
}

/** Where in a request a credential appears, as an evidence part. */
function whereCarried(e: Exchange, value: string): string | undefined {
  const url = new URL(e.request.url);
  for (const [name, v] of url.searchParams) if (v === value) return `query.${name}`;
  for (const [name, v] of form(e)) if (v === value) return `form.${name}`;
  const basic = basicCredentials(e);
  if (bearerToken(e) === value || basic?.id === value || basic?.secret === value) return 'header.authorization';
  if (e.request.body?.includes(value)) return 'body';
  if (e.request.url.includes(value)) return 'url';
  return undefined;
}

export const noCredentialReuseAcrossAs: CheckDef = {
  id: 'no-credential-reuse-across-as',
  title: "sends none of the first authorization server's client credentials or tokens to the second",
  requirements: ['C-REG-15', 'C-PRM-07', 'DC-C-04'],
  level: 'MUST',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.authorizationServerBinding, LINK.authorizationServerLocation],
  preconditions: [REQUESTED_AFTER_CHANGE],
  judge(trace) {
    const atSecond = trace.exchanges.filter((e) => e.server === 'as2').sort(byArrival);
    if (atSecond.length === 0) return notExercised(REQUESTED_AFTER_CHANGE, 'the client never contacted the second authorization server');
    const credentials = firstServerCredentials(trace);
    if (credentials.length === 0) return missing('the first authorization server issued the client nothing that could be reused');
    const leaks: Evidence[] = [];
    let first: string | undefined;
    for (const e of atSecond) {
      for (const credential of credentials) {
        const part = whereCarried(e, credential.value);
        if (!part) continue;
        leaks.push(ev(e, part, credential.what));
        first ??= `#${e.id} (${e.role}) at the second authorization server carried ${credential.what} in ${part}`;
      }
    }
    if (first) return unmet(first, leaks);
    return met(`${atSecond.length} request(s) to the second authorization server, none carrying the first one's credentials`);
  },
};

export const discoverySingleFlight: CheckDef = {
  id: 'discovery-single-flight',
  title: 'copies starting together fetch each discovery document once and register once',
  requirements: ['DC-C-06'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Caching],
  judge(trace) {
    const requests = fromClients(trace);
    const actors = new Set(requests.map((e) => e.actor));
    if (actors.size < 2) return missing(`only ${actors.size} client copy made requests, so there was nothing to share`);
    const discovery = requests.filter(isDiscovery);
    if (discovery.length === 0) return missing('no copy fetched a discovery document');
    const byUrl = new Map<string, Exchange[]>();
    for (const e of discovery) byUrl.set(bare(e.request.url), [...(byUrl.get(bare(e.request.url)) ?? []), e]);
    const repeated = [...byUrl].filter(([, fetches]) => fetches.length > 1);
    if (repeated.length) {
      const [url, fetches] = repeated[0];
      return unmet(`${url} was fetched ${fetches.length} times by ${new Set(fetches.map((e) => e.actor)).size} copies`, repeated.flatMap(([, f]) => f.map((e) => ev(e, 'url', e.actor))));
    }
    const registrations = requests.filter((e) => e.role === 'register');
    if (registrations.length > 1) return unmet(`${registrations.length} registrations by ${new Set(registrations.map((e) => e.actor)).size} copies`, registrations.map((e) => ev(e, undefined, e.actor)));
    return met(`${actors.size} copies fetched ${byUrl.size} discovery document(s) once each and registered ${registrations.length} time(s)`);
  },
};

export const discoveryOutageKeepsLastKnownGood: CheckDef = {
  id: 'discovery-outage-keeps-last-known-good',
  title: "when PRM is unavailable while revalidating, keeps the authorization server it knew and never falls back to the resource server's origin",
  requirements: ['DC-C-05'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.rfc9728Caching],
  preconditions: [REVALIDATED, KEPT_CREDENTIALS],
  judge(trace) {
    const split = laterRuns(trace);
    if ('none' in split) return missing(split.none);
    const { runs, runOf, later } = split;
    const outage = later.filter((e) => e.role === 'prm' && (e.response?.status ?? 0) >= 500).sort(byArrival)[0];
    if (!outage) return notExercised(REVALIDATED, 'no run after the first asked for PRM during the outage: the client did not revalidate, so keeping the last known good document was not exercised');
    const run = describeRun(runs[runOf(outage)]);
    const after = later.filter((e) => e.at >= outage.at && e.id !== outage.id).sort(byArrival);
    const { rsOrigin, asOrigin } = trace.world;
    const guessed = after.filter((e) => new URL(e.request.url).origin === rsOrigin && e.role !== 'mcp' && e.role !== 'prm');
    if (guessed.length)
      return unmet(`after the PRM outage (#${outage.id}, ${outage.response?.status}) ${run} treated the resource server's origin as its authorization server: ${describeFetches(guessed)}`, [
        ev(outage, 'response.status'),
        ...guessed.map((e) => ev(e, 'url')),
      ]);
    const authorizations = authorizationRequests(trace).filter((e) => e.at >= outage.at);
    if (authorizations.length)
      return unmet(`after the PRM outage (#${outage.id}) ${run} authorized again (#${authorizations[0].id}) instead of refreshing at the authorization server it knew`, [ev(outage, 'response.status'), ev(authorizations[0])]);
    const refresh = after.find((e) => e.role === 'token' && new URL(e.request.url).origin === asOrigin && form(e).get('grant_type') === 'refresh_token');
    // Keeping the last known authorization server needs something kept: a client that never refreshed keeps nothing.
    if (!refresh && !fromClients(trace).some((e) => e.role === 'token' && form(e).get('grant_type') === 'refresh_token'))
      return notExercised(KEPT_CREDENTIALS, `after the PRM outage (#${outage.id}) ${run} gave up, and no start ever refreshed: the client keeps nothing that could have let it go on`, [ev(outage, 'response.status')]);
    if (!refresh) return unmet(`after the PRM outage (#${outage.id}) ${run} gave up without using the authorization server it knew`, [ev(outage, 'response.status')]);
    return met(`after the PRM outage (#${outage.id}) ${run} refreshed at ${asOrigin} (#${refresh.id}), the authorization server it knew`, [ev(outage), ev(refresh)]);
  },
};

export const authFailureBounded: CheckDef = {
  id: 'auth-failure-bounded',
  title: `when every token is refused, stops after at most ${AUTH_FAILURE_ATTEMPT_LIMIT} authorizations and ${AUTH_FAILURE_TOKEN_LIMIT} new tokens, and exits within the timeout`,
  requirements: ['FC-C-05'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.tokenRequirements],
  judge(trace) {
    const { runs, runOf } = split(trace);
    const firstRun = runs[0];
    const refused = fromClients(trace).filter((e) => runOf(e) === 0 && e.role === 'mcp' && e.response?.status === 401 && bearerToken(e) !== undefined);
    if (refused.length === 0) return missing(`${describeRun(firstRun)} never had a token refused`);
    const authorizations = authorizationRequests(trace)
      .filter((e) => runOf(e) === 0)
      .sort(byArrival);
    if (authorizations.length > AUTH_FAILURE_ATTEMPT_LIMIT)
      return unmet(`${describeRun(firstRun)} authorized ${authorizations.length} times against a server that refused every token (at most ${AUTH_FAILURE_ATTEMPT_LIMIT})`, authorizations.slice(AUTH_FAILURE_ATTEMPT_LIMIT).map((e) => ev(e)));
    const refreshes = fromClients(trace)
      .filter((e) => runOf(e) === 0 && e.role === 'token' && form(e).get('grant_type') === 'refresh_token')
      .sort(byArrival);
    const attempts = [...authorizations, ...refreshes].sort(byArrival);
    if (attempts.length > AUTH_FAILURE_TOKEN_LIMIT)
      return unmet(
        `${describeRun(firstRun)} sought a new token ${attempts.length} times (${authorizations.length} authorization(s), ${refreshes.length} refresh(es)) against a server that refused every token (at most ${AUTH_FAILURE_TOKEN_LIMIT})`,
        attempts.slice(AUTH_FAILURE_TOKEN_LIMIT).map((e) => ev(e)),
      );
    const actors = new Set(firstRun.actors.length ? firstRun.actors : refused.map((e) => e.actor));
    const hung = trace.processes.find((p) => actors.has(p.actor) && p.timedOut);
    if (hung) {
      const last = fromClients(trace).filter((e) => e.actor === hung.actor).sort(byArrival).at(-1) ?? refused.at(-1)!;
      return unmet(`${hung.actor} was still running at the timeout, after ${authorizations.length} authorization(s) and ${refused.length} refused request(s)`, [ev(last)]);
    }
    return met(`${authorizations.length} authorization(s) and ${refreshes.length} refresh(es), then the client stopped`, [ev(refused.at(-1)!)]);
  },
};

export const authFailureNotCached: CheckDef = {
  id: 'auth-failure-not-cached',
  title: 'after an authentication failure, a later start tries again and succeeds once the server accepts tokens',
  requirements: ['FC-C-02', 'FC-C-04'],
  level: 'SHOULD',
  specVersions: since('2025-06-18'),
  specLinks: [LINK.tokenRequirements],
  judge(trace) {
    const { runs, runOf } = split(trace);
    if (runs.length < 2) return missing('the trace records a single run: the client was never started again');
    const failures = fromClients(trace)
      .filter((e) => runOf(e) === 0 && e.role === 'mcp' && e.response?.status === 401 && bearerToken(e) !== undefined)
      .sort(byArrival);
    if (failures.length === 0) return missing(`${describeRun(runs[0])} never had a token refused, so there was no failure to remember`);
    const later = fromClients(trace)
      .filter((e) => runOf(e) > 0 && e.role === 'mcp')
      .sort(byArrival);
    if (later.length === 0) return unmet(`no run after the failure in ${describeRun(runs[0])} sent the server any request`, [ev(failures.at(-1)!, 'response.status', 'the last refusal')]);
    // Served with a token: what the client then does with the session (list tools, call one) is its own business.
    const success = later.find((e) => succeeded(e) && bearerToken(e) !== undefined);
    if (!success) return unmet(`${describeRun(runs[runOf(later[0])])} tried again but no request of it was served with a token`, [ev(later.at(-1)!, 'response.status')]);
    return met(`${describeRun(runs[runOf(success)])} tried again and its request #${success.id} (${mcpMethods(success).join(', ') || 'MCP'}) was served with a token`, [ev(success)]);
  },
};
