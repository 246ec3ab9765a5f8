// Judges the traces the reference client really produced (fixtures/traces/, recorded by
// test/support/record-traces.ts) without starting a process:
//  (a) every saved trace passes every check of its scenario: the checks agree with a correct
//      client's real traffic, headers, encodings and ordering included, which hand-built traces
//      cannot show;
//  (b) mutants of those traces, each with exactly one defect injected into the recorded traffic,
//      fail exactly the check(s) that judge that defect, with evidence naming the mutated exchange;
//  (c) a saved trace is plain data: it survives JSON unchanged and judges the same afterwards.
//
// Mutations change what the client sent and keep the world's answers as recorded, so each mutant is
// judged as if the server had let the defect through: a check must catch the defect on its own, not
// rely on the mock refusing it. A request a mutation adds gets the answer this world gives it (an
// error redirect from a server without PKCE, a 404 for a URL nothing serves). Where a check reads the
// answer itself (the redirect's state), the mutation says so. Values the client repeats are changed
// everywhere it repeats them (a challenge and the verifier that proves it, the authorization URL it
// printed), so that only the intended defect is new.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { CheckDef, Finding } from '../../core/check.js';
import { clientProcessCheck, judge as engineJudge } from '../../core/engine.js';
import { checksAt, type ClientScenario } from '../../core/scenario.js';
import type { SpecVersion } from '../../core/spec.js';
import type { EndpointRole, Exchange, RecordedResponse, Trace } from '../../core/trace.js';
import { basicCredentials, bearerToken, form, mcpMethods, responseJson } from '../../core/trace-query.js';
import type { WorldKnobs } from '../../mocks/knobs.js';
import * as backcompatChecks from '../../suites/client/checks/backcompat.js';
import * as discoveryChecks from '../../suites/client/checks/discovery.js';
import * as pkceChecks from '../../suites/client/checks/pkce.js';
import * as registrationChecks from '../../suites/client/checks/registration.js';
import * as resourceChecks from '../../suites/client/checks/resource.js';
import * as responseChecks from '../../suites/client/checks/response.js';
import * as scopeChecks from '../../suites/client/checks/scope.js';
import * as tokenUseChecks from '../../suites/client/checks/token-use.js';
import { clientScenarios } from '../../suites/client/index.js';

const TRACE_DIR = new URL('../../fixtures/traces/', import.meta.url);
/** The revision the traces were recorded at; record-traces.ts uses the same. */
const RECORDED_AT: SpecVersion = '2026-07-28';

/** The files under suites/client/checks/ that define checks (sets.ts only groups them), with the ids each defines. */
const CHECK_FILES: Record<string, string[]> = Object.fromEntries(
  Object.entries({
    backcompat: backcompatChecks,
    discovery: discoveryChecks,
    pkce: pkceChecks,
    registration: registrationChecks,
    resource: resourceChecks,
    response: responseChecks,
    scope: scopeChecks,
    'token-use': tokenUseChecks,
  }).map(([file, exports]) => [
    file,
    Object.values(exports as Record<string, unknown>).flatMap((value) => (value && typeof value === 'object' && 'judge' in value ? [(value as CheckDef).id] : [])),
  ]),
);

const fileOf = (scenarioId: string): string => `${scenarioId.replaceAll('/', '__')}.json`;
const savedFiles = readdirSync(TRACE_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const textOf = (file: string): string => readFileSync(new URL(file, TRACE_DIR), 'utf8');
/** A fresh parse on every call, so no test can see another's changes. */
const load = (scenarioId: string): Trace => JSON.parse(textOf(fileOf(scenarioId))) as Trace;

function scenarioOf(id: string): ClientScenario {
  const scenario = clientScenarios.find((s) => s.id === id);
  if (!scenario) throw new Error(`no client scenario ${id}`);
  return scenario;
}

/** What the engine judges a trace by: its own process check, then the scenario's checks for the revision (and the wire's). */
function checksOf(scenario: ClientScenario, version: SpecVersion): CheckDef[] {
  return [clientProcessCheck(scenario.clientRefuses === true), ...checksAt(scenario, version)];
}

function judge(scenarioId: string, trace: Trace): Map<string, Finding> {
  return new Map(checksOf(scenarioOf(scenarioId), trace.specVersion as SpecVersion).map((check) => [check.id, check.judge(trace)]));
}

const evidenceOf = (finding: Finding): number[] => ('evidence' in finding ? (finding.evidence ?? []).map((e) => e.exchange) : []);

/** Freezes a saved trace, so that editing it in place throws: every mutation gets a copy of its own. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Editing a trace. Every helper works on a copy the mutation made; none touches the saved trace.

function find(t: Trace, what: string, predicate: (e: Exchange) => boolean): Exchange {
  const found = t.exchanges.find(predicate);
  if (!found) throw new Error(`${t.scenario}: no ${what} in the saved trace`);
  return found;
}

const firstOf = (t: Trace, role: EndpointRole): Exchange => find(t, `${role} exchange`, (e) => e.role === role);
const nthOf = (t: Trace, role: EndpointRole, index: number): Exchange => {
  const all = t.exchanges.filter((e) => e.role === role);
  const found = all.at(index);
  if (!found) throw new Error(`${t.scenario}: no ${role} exchange at ${index}`);
  return found;
};
const redemption = (t: Trace): Exchange => find(t, 'code redemption', (e) => e.role === 'token' && form(e).get('grant_type') === 'authorization_code');
const toolCall = (t: Trace): Exchange => find(t, 'tools/call', (e) => mcpMethods(e).includes('tools/call'));
const toolsList = (t: Trace): Exchange => find(t, 'tools/list', (e) => mcpMethods(e).includes('tools/list'));

/**
 * The client prints the authorization URL and the kit notes it in an event: when the request is
 * rewritten, what the client printed is rewritten with it, or the trace would contradict itself.
 */
function echo(t: Trace, before: string, after: string): void {
  if (before === after) return;
  for (const event of t.events) {
    for (const [key, value] of Object.entries(event.detail ?? {})) {
      if (typeof value === 'string') event.detail![key] = value.replaceAll(before, after);
    }
  }
  for (const p of t.processes) {
    p.stdoutTail = p.stdoutTail.replaceAll(before, after);
    p.stderrTail = p.stderrTail.replaceAll(before, after);
  }
}

function setQuery(t: Trace, e: Exchange, name: string, value: string | undefined): void {
  const before = e.request.url;
  const url = new URL(before);
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  e.request.url = url.href;
  echo(t, before, url.href);
}

const queryOf = (e: Exchange, name: string): string => {
  const value = new URL(e.request.url).searchParams.get(name);
  if (value === null) throw new Error(`exchange ${e.id} has no ${name} in its URL`);
  return value;
};

/** A new body keeps its content-length right, as a real request's would be. */
function setBody(e: Exchange, body: string): void {
  e.request.body = body;
  e.request.headers['content-length'] = String(Buffer.byteLength(body));
}

function setForm(e: Exchange, name: string, value: string | undefined): void {
  const params = new URLSearchParams(e.request.body ?? '');
  if (value === undefined) params.delete(name);
  else params.set(name, value);
  setBody(e, params.toString());
}

const formOf = (e: Exchange, name: string): string => {
  const value = form(e).get(name);
  if (value === null) throw new Error(`exchange ${e.id} has no ${name} in its body`);
  return value;
};

function editJsonBody(e: Exchange, edit: (body: Record<string, unknown>) => void): void {
  const body = JSON.parse(e.request.body ?? '{}') as Record<string, unknown>;
  edit(body);
  setBody(e, JSON.stringify(body));
}

function setLocation(e: Exchange, name: string, value: string | undefined): void {
  const location = new URL(e.response!.headers['location']);
  if (value === undefined) location.searchParams.delete(name);
  else location.searchParams.set(name, value);
  e.response!.headers['location'] = location.href;
}

const redirectOf = (e: Exchange, name: string): string | null => new URL(e.response!.headers['location']).searchParams.get(name);

/** Exchange ids are the order the world answered in: inserting, moving or removing renumbers the rest. */
function renumber(t: Trace): void {
  t.exchanges.forEach((e, index) => (e.id = index + 1));
}

/** When a new or moved exchange sits between two others, its arrival time does too. */
function timeBetween(t: Trace, index: number): number {
  const before = t.exchanges[index - 1]?.at ?? 0;
  const after = t.exchanges[index]?.at ?? before + 2;
  return Math.round(((before + after) / 2) * 10) / 10;
}

type NewExchange = Omit<Exchange, 'id' | 'at' | 'durationMs' | 'actor'>;

function insertAt(t: Trace, index: number, fields: NewExchange): Exchange {
  const e: Exchange = { id: 0, at: timeBetween(t, index), durationMs: 1, actor: 'client-1', ...fields };
  t.exchanges.splice(index, 0, e);
  renumber(t);
  return e;
}

const insertBefore = (t: Trace, anchor: Exchange, fields: NewExchange): Exchange => insertAt(t, t.exchanges.indexOf(anchor), fields);
const append = (t: Trace, fields: NewExchange): Exchange => insertAt(t, t.exchanges.length, fields);

function moveAfter(t: Trace, moving: Exchange, anchor: Exchange): void {
  t.exchanges.splice(t.exchanges.indexOf(moving), 1);
  const index = t.exchanges.indexOf(anchor) + 1;
  moving.at = timeBetween(t, index);
  t.exchanges.splice(index, 0, moving);
  renumber(t);
}

function moveBefore(t: Trace, moving: Exchange, anchor: Exchange): void {
  t.exchanges.splice(t.exchanges.indexOf(moving), 1);
  const index = t.exchanges.indexOf(anchor);
  moving.at = timeBetween(t, index);
  t.exchanges.splice(index, 0, moving);
  renumber(t);
}

function remove(t: Trace, e: Exchange): void {
  t.exchanges.splice(t.exchanges.indexOf(e), 1);
  renumber(t);
}

/** Two requests change places; each keeps its answer, and the slots keep their ids and times. */
function swapRequests(t: Trace, a: Exchange, b: Exchange): void {
  const ia = t.exchanges.indexOf(a);
  const ib = t.exchanges.indexOf(b);
  const slot = (e: Exchange) => ({ id: e.id, at: e.at });
  const [sa, sb] = [slot(a), slot(b)];
  t.exchanges[ia] = { ...b, ...sa };
  t.exchanges[ib] = { ...a, ...sb };
}

/** The headers the reference client's fetch sends, for requests a mutation adds. */
function clientHeaders(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    accept: '*/*',
    'accept-encoding': 'gzip, deflate',
    'accept-language': '*',
    connection: 'keep-alive',
    host: new URL(url).host,
    'sec-fetch-mode': 'cors',
    'user-agent': 'node',
    ...extra,
  };
}

function jsonResponse(status: number, body: unknown): RecordedResponse {
  const text = JSON.stringify(body);
  return { status, headers: { 'cache-control': 'no-store', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, body: text };
}

/** What the world's loopback server answers for a URL nothing serves. */
const NOT_FOUND: RecordedResponse = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '9' }, body: 'Not Found' };

/** The registration the reference client sends (taken from its recorded DCR trace), addressed to this world. */
function registrationRequest(t: Trace, clientId: string): NewExchange {
  const recorded = firstOf(load('auth/dynamic-client-registration'), 'register');
  const url = t.world.endpoints.register;
  if (!url) throw new Error(`${t.scenario}: the world offers no registration endpoint`);
  const body = recorded.request.body!;
  return {
    server: 'as',
    role: 'register',
    request: { method: 'POST', url, headers: clientHeaders(url, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), body },
    response: jsonResponse(201, { ...(JSON.parse(body) as object), client_id: clientId, client_id_issued_at: 1_800_000_000 }),
  };
}

const VERIFIER = 'mutant-code-verifier-0123456789abcdefghijklmnop';
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/**
 * A client that accepts an authorization response it should have discarded goes on to redeem the
 * code. Its verifier must prove its own challenge, so the authorization request's challenge (and
 * what the client printed) is rewritten to the hash of the verifier it redeems with.
 */
function appendRedemption(t: Trace, authorization: Exchange): Exchange {
  setQuery(t, authorization, 'code_challenge', s256(VERIFIER));
  const url = t.world.endpoints.token;
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: redirectOf(authorization, 'code')!,
    code_verifier: VERIFIER,
    redirect_uri: queryOf(authorization, 'redirect_uri'),
    resource: queryOf(authorization, 'resource'),
    client_id: queryOf(authorization, 'client_id'),
  }).toString();
  return append(t, {
    server: 'as',
    role: 'token',
    request: {
      method: 'POST',
      url,
      headers: clientHeaders(url, { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }),
      body,
    },
    response: jsonResponse(200, { access_token: 'mutant-access-token', token_type: 'Bearer', expires_in: 3600 }),
  });
}

/** A client that should have stopped at the metadata registers and sends an authorization request. */
function appendAuthorization(t: Trace): Exchange {
  append(t, registrationRequest(t, 'mutant-client'));
  const url = new URL(t.world.endpoints.authorize);
  const redirectUri = 'http://127.0.0.1:33418/callback';
  const state = 'mutant-state-value';
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'mutant-client',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
    redirect_uri: redirectUri,
    state,
    resource: t.world.canonicalResource,
  }).toString();
  // The world answers an authorization server without PKCE support with an error redirect (no code).
  const location = new URL(redirectUri);
  location.search = new URLSearchParams({ error: 'invalid_request', error_description: 'code_challenge_method S256 is not supported', state, iss: t.world.issuer }).toString();
  return append(t, {
    server: 'as',
    role: 'authorize',
    request: { method: 'GET', url: url.href, headers: clientHeaders(url.href) },
    response: { status: 302, headers: { location: location.href, 'cache-control': 'no-store', 'content-length': '0' } },
  });
}

// ---------------------------------------------------------------------------------------------
// The mutations.

interface Mutant {
  trace: Trace;
  /** Each check the defect must fail, with the exchanges its evidence must name ([]: a finding about an absence, with nothing to point at). */
  flips: Record<string, number[]>;
}

interface Mutation {
  name: string;
  /** The scenario whose saved trace is mutated. */
  from: string;
  /** The scenario whose checks judge the mutant, when the mutation moves the trace into another world. */
  judgeAs?: string;
  /** Edits `t`, a copy of the saved trace the runner made for this mutation alone. */
  mutate: (t: Trace) => Mutant;
}

const mutations: Mutation[] = [
  // discovery.ts
  {
    name: 'probes the root PRM URI before the path-inserted one',
    from: 'auth/metadata-var1',
    mutate(t) {
      const prm = firstOf(t, 'prm');
      const root = `${t.world.rsOrigin}/.well-known/oauth-protected-resource`;
      const probe = insertBefore(t, prm, { server: 'rs', role: 'prm', request: { method: 'GET', url: root, headers: { ...prm.request.headers } }, response: NOT_FOUND });
      return { trace: t, flips: { 'prm-discovery-order': [probe.id] } };
    },
  },
  {
    name: 'makes the first PRM probe the root URI although the challenge named the PRM URL',
    from: 'auth/metadata-default',
    mutate(t) {
      const prm = firstOf(t, 'prm');
      const root = `${t.world.rsOrigin}/.well-known/oauth-protected-resource`;
      const probe = insertBefore(t, prm, { server: 'rs', role: 'prm', request: { method: 'GET', url: root, headers: { ...prm.request.headers } }, response: NOT_FOUND });
      return { trace: t, flips: { 'prm-discovery-order': [probe.id] } };
    },
  },
  {
    name: 'requests the PRM document with POST instead of GET',
    from: 'auth/metadata-default',
    mutate(t) {
      const prm = firstOf(t, 'prm');
      prm.request.method = 'POST';
      return { trace: t, flips: { 'prm-discovered': [prm.id] } };
    },
  },
  {
    name: 'goes on to register after PRM named another resource',
    from: 'auth/resource-mismatch',
    mutate(t) {
      const register = append(t, registrationRequest(t, 'mutant-client'));
      return { trace: t, flips: { 'prm-resource-validated': [firstOf(t, 'prm').id, register.id] } };
    },
  },
  {
    name: 'reorders the AS metadata probes: OIDC path-inserted before RFC 8414 path-inserted',
    from: 'auth/metadata-var3',
    mutate(t) {
      swapRequests(t, nthOf(t, 'as-metadata', 0), nthOf(t, 'as-metadata', 1));
      return { trace: t, flips: { 'as-metadata-discovery-order': [nthOf(t, 'as-metadata', 0).id] } };
    },
  },
  {
    name: 'fetches the AS metadata only after authorizing',
    from: 'auth/metadata-default',
    mutate(t) {
      const metadata = firstOf(t, 'as-metadata');
      moveAfter(t, metadata, firstOf(t, 'authorize'));
      return { trace: t, flips: { 'as-metadata-discovered': [firstOf(t, 'authorize').id, metadata.id] } };
    },
  },
  {
    name: 'goes on to register after the metadata named another issuer',
    from: 'auth/metadata-issuer-mismatch',
    mutate(t) {
      const register = append(t, registrationRequest(t, 'mutant-client'));
      return { trace: t, flips: { 'as-metadata-issuer-validated': [nthOf(t, 'as-metadata', -1).id, register.id] } };
    },
  },

  // pkce.ts
  {
    name: 'uses no PKCE at all: no code_challenge, no method, no code_verifier',
    from: 'auth/metadata-default',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'code_challenge', undefined);
      setQuery(t, authorization, 'code_challenge_method', undefined);
      const token = redemption(t);
      setForm(token, 'code_verifier', undefined);
      return {
        trace: t,
        flips: {
          'pkce-code-challenge-sent': [authorization.id],
          // Nothing carried a challenge or a verifier: these two report the absence, with nothing to point at.
          'pkce-s256': [],
          'pkce-verifier-matches-challenge': [],
          'pkce-code-verifier-sent': [token.id],
        },
      };
    },
  },
  {
    name: 'changes code_challenge_method to plain (the challenge is then the verifier itself)',
    from: 'auth/metadata-default',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'code_challenge', formOf(redemption(t), 'code_verifier'));
      setQuery(t, authorization, 'code_challenge_method', 'plain');
      return { trace: t, flips: { 'pkce-s256': [authorization.id] } };
    },
  },
  {
    name: 'redeems with a well-formed code_verifier that is not the one behind the challenge',
    from: 'auth/metadata-default',
    mutate(t) {
      const token = redemption(t);
      setForm(token, 'code_verifier', VERIFIER);
      return { trace: t, flips: { 'pkce-verifier-matches-challenge': [token.id, firstOf(t, 'authorize').id] } };
    },
  },
  {
    name: 'uses a 42-character code_verifier (its challenge is its real S256 hash)',
    from: 'auth/metadata-default',
    mutate(t) {
      const token = redemption(t);
      const short = VERIFIER.slice(0, 42);
      setForm(token, 'code_verifier', short);
      setQuery(t, firstOf(t, 'authorize'), 'code_challenge', s256(short));
      return { trace: t, flips: { 'pkce-code-verifier-sent': [token.id] } };
    },
  },
  {
    name: 'reuses the first code_challenge (and its verifier) in the second authorization',
    from: 'auth/pkce-fresh-per-attempt',
    mutate(t) {
      const [first, second] = [nthOf(t, 'authorize', 0), nthOf(t, 'authorize', 1)];
      const redemptions = t.exchanges.filter((e) => e.role === 'token' && form(e).get('grant_type') === 'authorization_code');
      setQuery(t, second, 'code_challenge', queryOf(first, 'code_challenge'));
      setForm(redemptions[1], 'code_verifier', formOf(redemptions[0], 'code_verifier'));
      return { trace: t, flips: { 'pkce-fresh-per-attempt': [second.id, first.id] } };
    },
  },
  {
    name: 'reuses the first state in the second authorization (the world echoes it)',
    from: 'auth/pkce-fresh-per-attempt',
    mutate(t) {
      const [first, second] = [nthOf(t, 'authorize', 0), nthOf(t, 'authorize', 1)];
      setQuery(t, second, 'state', queryOf(first, 'state'));
      setLocation(second, 'state', queryOf(first, 'state'));
      return { trace: t, flips: { 'pkce-fresh-per-attempt': [second.id, first.id] } };
    },
  },
  {
    name: 'authorizes although RFC 8414 metadata lacks code_challenge_methods_supported',
    from: 'auth/pkce-not-advertised',
    mutate(t) {
      const metadata = find(t, 'metadata document', (e) => e.role === 'as-metadata' && e.response?.status === 200);
      const authorization = appendAuthorization(t);
      return { trace: t, flips: { 'pkce-refuses-without-support': [metadata.id, authorization.id] } };
    },
  },
  {
    name: 'authorizes although OIDC metadata lacks code_challenge_methods_supported',
    from: 'auth/pkce-not-advertised-oidc',
    mutate(t) {
      const metadata = find(t, 'metadata document', (e) => e.role === 'as-metadata' && e.response?.status === 200);
      const authorization = appendAuthorization(t);
      return { trace: t, flips: { 'pkce-refuses-without-support-oidc': [metadata.id, authorization.id] } };
    },
  },

  // registration.ts
  {
    name: 'registers without redirect_uris',
    from: 'auth/dynamic-client-registration',
    mutate(t) {
      const register = firstOf(t, 'register');
      editJsonBody(register, (body) => delete body.redirect_uris);
      return { trace: t, flips: { 'dcr-request-valid': [register.id] } };
    },
  },
  {
    name: 'registers without application_type',
    from: 'auth/dynamic-client-registration',
    mutate(t) {
      const register = firstOf(t, 'register');
      editJsonBody(register, (body) => delete body.application_type);
      return { trace: t, flips: { 'dcr-application-type': [register.id], 'dcr-application-type-native': [register.id] } };
    },
  },
  {
    name: 'registers loopback redirect URIs as application_type web',
    from: 'auth/dynamic-client-registration',
    mutate(t) {
      const register = firstOf(t, 'register');
      editJsonBody(register, (body) => (body.application_type = 'web'));
      return { trace: t, flips: { 'dcr-application-type-native': [register.id] } };
    },
  },
  {
    name: 'registers grant_types without refresh_token',
    from: 'auth/dynamic-client-registration',
    mutate(t) {
      const register = firstOf(t, 'register');
      editJsonBody(register, (body) => (body.grant_types = ['authorization_code']));
      return { trace: t, flips: { 'dcr-grant-types-refresh-token': [register.id] } };
    },
  },
  {
    name: 'replaces the client_id in the authorization request with one it was never issued',
    from: 'auth/dynamic-client-registration',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'client_id', 'a-client-id-nobody-issued');
      return { trace: t, flips: { 'client-id-used': [authorization.id] } };
    },
  },
  {
    name: 'sends the client_secret_basic credentials in the body instead of the Basic header',
    from: 'auth/token-endpoint-auth-basic',
    mutate(t) {
      const token = redemption(t);
      const credentials = basicCredentials(token)!;
      delete token.request.headers['authorization'];
      setForm(token, 'client_id', credentials.id);
      setForm(token, 'client_secret', credentials.secret);
      return { trace: t, flips: { 'token-endpoint-auth-method': [token.id] } };
    },
  },
  {
    name: 'sends a client_secret as a public client (token_endpoint_auth_method none)',
    from: 'auth/token-endpoint-auth-none',
    mutate(t) {
      const token = redemption(t);
      setForm(token, 'client_secret', 'a-secret-it-never-had');
      return { trace: t, flips: { 'token-endpoint-auth-method': [token.id] } };
    },
  },
  {
    name: 'adds a dynamic registration although pre-registered credentials were given',
    from: 'auth/registration-priority',
    mutate(t) {
      const register = insertBefore(t, firstOf(t, 'authorize'), registrationRequest(t, 'dynamically-registered-client'));
      return { trace: t, flips: { 'registration-priority': [register.id] } };
    },
  },
  {
    name: 'uses an http (not https) client ID metadata document URL in the authorization request',
    from: 'auth/basic-cimd',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'client_id', queryOf(authorization, 'client_id').replace(/^https:/, 'http:'));
      // One wrong client_id is three findings: not https, not an identity it holds, not the document it should prefer.
      return { trace: t, flips: { 'cimd-client-id-url': [authorization.id], 'client-id-used': [authorization.id], 'registration-priority': [authorization.id] } };
    },
  },

  // resource.ts
  {
    name: 'removes resource from the token request body',
    from: 'auth/metadata-default',
    mutate(t) {
      const token = redemption(t);
      setForm(token, 'resource', undefined);
      return { trace: t, flips: { 'resource-in-token-request': [token.id], 'resource-consistent': [token.id] } };
    },
  },
  {
    name: 'removes resource from the authorization request',
    from: 'auth/metadata-default',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'resource', undefined);
      return { trace: t, flips: { 'resource-in-authorization-request': [authorization.id], 'resource-consistent': [authorization.id] } };
    },
  },
  {
    name: 'sends the MCP URL with a trailing slash as resource, consistently in both requests',
    from: 'auth/metadata-default',
    mutate(t) {
      const [authorization, token] = [firstOf(t, 'authorize'), redemption(t)];
      const resource = `${t.world.canonicalResource}/`;
      setQuery(t, authorization, 'resource', resource);
      setForm(token, 'resource', resource);
      return { trace: t, flips: { 'resource-is-canonical-server-uri': [authorization.id, token.id] } };
    },
  },

  // response.ts
  {
    name: 'changes the redirect Location\'s state (a state-mismatch world) and the client redeems anyway',
    from: 'auth/metadata-default',
    judgeAs: 'auth/state-mismatch',
    mutate(t) {
      // The answer is the defect's setting here: the world is the state-mismatch one, the client the same.
      t.scenario = 'auth/state-mismatch';
      (t.world.knobs as WorldKnobs).as.state = 'wrong';
      const authorization = firstOf(t, 'authorize');
      setLocation(authorization, 'state', 'state-the-client-never-sent');
      return { trace: t, flips: { 'state-mismatch-rejected': [authorization.id, redemption(t).id] } };
    },
  },
  {
    name: 'redeems the code of a response that lacked state',
    from: 'auth/state-missing',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      const token = appendRedemption(t, authorization);
      return { trace: t, flips: { 'state-missing-rejected': [authorization.id, token.id] } };
    },
  },
  {
    name: 'sends no state (the world echoes none)',
    from: 'auth/metadata-default',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'state', undefined);
      setLocation(authorization, 'state', undefined);
      return { trace: t, flips: { 'state-sent': [authorization.id] } };
    },
  },
  {
    name: 'redeems the code of a response whose iss names another issuer',
    from: 'auth/iss-wrong-issuer',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      const token = appendRedemption(t, authorization);
      return { trace: t, flips: { 'iss-wrong-rejected': [authorization.id, token.id] } };
    },
  },
  {
    name: 'redeems the code of a response without the iss the server advertised',
    from: 'auth/iss-supported-missing',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      const token = appendRedemption(t, authorization);
      return { trace: t, flips: { 'iss-missing-rejected': [authorization.id, token.id] } };
    },
  },

  // scope.ts
  {
    name: 'requests the PRM scopes_supported instead of the challenged scope',
    from: 'auth/scope-from-www-authenticate',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'scope', (t.world.scopesSupported ?? []).join(' '));
      return { trace: t, flips: { 'scope-from-www-authenticate': [authorization.id], 'scope-covers-challenge': [authorization.id] } };
    },
  },
  {
    name: 'requests more than the challenged scope',
    from: 'auth/scope-from-www-authenticate',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'scope', `${t.world.challengeScope} mcp:admin`);
      return { trace: t, flips: { 'scope-from-www-authenticate': [authorization.id] } };
    },
  },
  {
    name: 'requests only one of the PRM scopes_supported',
    from: 'auth/scope-from-scopes-supported',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'scope', t.world.scopesSupported![0]);
      return { trace: t, flips: { 'scope-from-scopes-supported': [authorization.id] } };
    },
  },
  {
    name: 'requests a scope nothing named',
    from: 'auth/scope-omitted-when-undefined',
    mutate(t) {
      const authorization = firstOf(t, 'authorize');
      setQuery(t, authorization, 'scope', 'openid');
      return { trace: t, flips: { 'scope-omitted-when-undefined': [authorization.id] } };
    },
  },

  // token-use.ts
  {
    name: 'drops the Authorization header from every tools/call',
    from: 'auth/metadata-default',
    mutate(t) {
      // The reference calls the tool once on each of its two connections.
      const calls = t.exchanges.filter((e) => e.role === 'mcp' && mcpMethods(e).includes('tools/call'));
      for (const call of calls) delete call.request.headers['authorization'];
      // The retry after the 401 (initialize) still carries its token, so authorized-after-401 holds:
      // what the client does with the session afterwards is token-on-every-request's to judge.
      return { trace: t, flips: { 'token-on-every-request': calls.map((call) => call.id) } };
    },
  },
  {
    name: 'drops the Authorization header from tools/list',
    from: 'auth/metadata-default',
    mutate(t) {
      const list = toolsList(t);
      delete list.request.headers['authorization'];
      return { trace: t, flips: { 'token-on-every-request': [list.id] } };
    },
  },
  {
    name: 'adds access_token to an MCP request URL',
    from: 'auth/metadata-default',
    mutate(t) {
      const list = toolsList(t);
      setQuery(t, list, 'access_token', bearerToken(list)!);
      return { trace: t, flips: { 'token-not-in-query': [list.id] } };
    },
  },
  {
    name: 'sends the refresh token as the Bearer token on every MCP request',
    from: 'auth/metadata-default',
    mutate(t) {
      const token = redemption(t);
      const refresh = String(responseJson(token)!.refresh_token);
      const calls = t.exchanges.filter((e) => e.role === 'mcp' && e.id > token.id);
      for (const e of calls) e.request.headers['authorization'] = `Bearer ${refresh}`;
      return { trace: t, flips: { 'token-sent-as-bearer': calls.slice(0, 3).map((e) => e.id) } };
    },
  },
  {
    name: 'sends the access token to the PRM endpoint when fetching it again',
    from: 'auth/metadata-default',
    mutate(t) {
      const prm = firstOf(t, 'prm');
      const token = bearerToken(toolCall(t))!;
      const leak = append(t, {
        server: prm.server,
        role: prm.role,
        request: { ...structuredClone(prm.request), headers: { ...prm.request.headers, authorization: `Bearer ${token}` } },
        response: structuredClone(prm.response),
      });
      return { trace: t, flips: { 'token-only-to-its-resource': [leak.id] } };
    },
  },

  // backcompat.ts
  {
    name: 'registers at the default endpoint before trying the metadata',
    from: 'auth/2025-03-26-oauth-endpoint-fallback',
    mutate(t) {
      const register = firstOf(t, 'register');
      moveBefore(t, register, firstOf(t, 'as-metadata'));
      return { trace: t, flips: { 'legacy-default-endpoints': [register.id] } };
    },
  },
  {
    name: 'never fetches the metadata at the server root (uses the /oauth/ endpoints from memory)',
    from: 'auth/2025-03-26-oauth-metadata-backcompat',
    mutate(t) {
      remove(t, firstOf(t, 'as-metadata'));
      // An absence: the finding has no exchange to point at.
      return { trace: t, flips: { 'legacy-metadata-at-server-root': [] } };
    },
  },

  // the engine's own check, a pure function of the trace like the others
  {
    name: 'the client exits 1 after a complete flow',
    from: 'auth/metadata-default',
    mutate(t) {
      t.processes[0].exitCode = 1;
      const exit = t.events.find((e) => e.kind === 'exit');
      if (exit?.detail) exit.detail.exitCode = 1;
      return { trace: t, flips: { 'client-process': [] } };
    },
  },
];

// ---------------------------------------------------------------------------------------------

describe('saved traces of the reference client', () => {
  const applicable = clientScenarios.filter((s) => s.specVersions.includes(RECORDED_AT));

  it('exist for exactly the scenarios that apply at the recorded revision', () => {
    // A scenario added without recording (or a trace left from a removed one) would go unjudged.
    expect(savedFiles).toEqual(applicable.map((s) => fileOf(s.id)).sort());
  });

  describe.each(savedFiles)('%s', (file) => {
    const trace = JSON.parse(textOf(file)) as Trace;

    it('is named after its scenario and recorded at the expected revision', () => {
      expect(fileOf(trace.scenario)).toBe(file);
      expect(trace.specVersion).toBe(RECORDED_AT);
    });

    it('passes every check of its scenario', () => {
      const findings = judge(trace.scenario, trace);
      // Judged as the engine reports them: a check of optional behaviour this scenario does not draw
      // out of the reference client (a second authorization) is not applicable, and nothing else.
      const results = engineJudge(scenarioOf(trace.scenario), trace, { specVersion: RECORDED_AT, strict: true });
      const notPassed = results.filter((r) => r.status !== 'pass' && !(r.status === 'skip' && r.message.startsWith('not applicable'))).map((r) => `${r.id}: ${r.status}: ${r.message}`);
      expect(notPassed).toEqual([]);
      // Every check that applies was judged, none silently dropped.
      expect(findings.size).toBe(checksOf(scenarioOf(trace.scenario), RECORDED_AT).length);
    });

    it('round-trips through JSON unchanged and judges the same afterwards', () => {
      expect(`${JSON.stringify(trace, null, 2)}\n`).toBe(textOf(file));
      const again = JSON.parse(JSON.stringify(trace)) as Trace;
      expect(again).toStrictEqual(trace);
      expect(judge(again.scenario, again)).toStrictEqual(judge(trace.scenario, trace));
    });

    it('holds only loopback traffic and no directory of the machine that recorded it', () => {
      for (const e of trace.exchanges) expect(new URL(e.request.url).hostname).toBe('127.0.0.1');
      const text = textOf(file);
      for (const dir of [process.cwd(), os.homedir(), os.tmpdir()].filter((d) => d.length > 1)) expect(text).not.toContain(dir);
      expect(text).not.toContain('file://');
      // Process output and events are where a stack trace or a state directory would surface.
      const processText = JSON.stringify([trace.events, trace.processes]);
      expect(processText).not.toMatch(/(^|[\s"'(=])\/(?:[\w.-]+\/)+[\w.-]+/m);
    });
  });
});

describe('mutated saved traces', () => {
  it('cover every file of client checks', () => {
    // Each mutation names the checks it flips; together they must reach checks of every file.
    const flipped = new Set(mutations.flatMap((m) => Object.keys(m.mutate(load(m.from)).flips)));
    const untouched = Object.entries(CHECK_FILES).filter(([, ids]) => !ids.some((id) => flipped.has(id)));
    expect(untouched.map(([file]) => file)).toEqual([]);
    expect(mutations.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(mutations.map((m) => [m.name, m] as const))('%s', (_name, mutation) => {
    it('fails exactly the intended checks, naming the mutated exchange', () => {
      const saved = deepFreeze(load(mutation.from));
      const { trace, flips } = mutation.mutate(structuredClone(saved));
      // The saved trace itself is untouched (it is frozen, and still equal to the file).
      expect(saved).toStrictEqual(load(mutation.from));
      expect(trace.exchanges.map((e) => e.id)).toEqual(trace.exchanges.map((_, i) => i + 1));

      const findings = judge(mutation.judgeAs ?? mutation.from, trace);
      const notMet = [...findings].filter(([, f]) => f.outcome !== 'met').map(([id]) => id);
      expect(notMet.sort()).toEqual(Object.keys(flips).sort());
      for (const [id, exchanges] of Object.entries(flips)) {
        const finding = findings.get(id)!;
        expect(['unmet', 'missing'], `${id}: ${finding.message}`).toContain(finding.outcome);
        expect(evidenceOf(finding), `${id}: ${finding.message}`).toEqual(expect.arrayContaining(exchanges));
      }
      // At least one finding points at an exchange the mutation touched, unless the defect is an absence.
      const named = Object.values(flips).flat();
      if (named.length) expect(Object.keys(flips).some((id) => evidenceOf(findings.get(id)!).some((n) => named.includes(n)))).toBe(true);
    });
  });
});
