// Client registration: pre-registration, CIMD, DCR (RFC 7591), and authenticating at the token endpoint.
import { met, missing, notExercised, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, basicCredentials, byRole, codeRedemptions, ev, form, query, requestJson, responseJson, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { knobsOf } from '../observe.js';
import { USED_CIMD } from '../preconditions.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function registration(trace: Trace): Exchange | undefined {
  return byRole(trace, 'register').find(succeeded) ?? byRole(trace, 'register')[0];
}

/** Factory for checks on the registration request body; they all need a registration first. */
function onRegistration(judgeBody: (body: Record<string, unknown>, e: Exchange) => Finding): (trace: Trace) => Finding {
  return (trace) => {
    const e = registration(trace);
    if (!e) return missing('the client never sent a registration request');
    const body = requestJson(e);
    if (!body) return unmet('the registration request body is not a JSON object', [ev(e, 'body')]);
    return judgeBody(body, e);
  };
}

export const dcrRequestValid: CheckDef = {
  id: 'dcr-request-valid',
  title: 'registers with a JSON POST that names its redirect URIs, and the server accepts it',
  requirements: ['C-REG-11', 'DCR-C-01', 'DCR-C-02'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.clientRegistration, LINK.rfc7591Request],
  judge: onRegistration((body, e) => {
    if (e.request.method !== 'POST') return unmet(`registration used ${e.request.method}`, [ev(e, 'method')]);
    if (!(e.request.headers['content-type'] ?? '').includes('application/json')) return unmet('registration is not application/json', [ev(e, 'header.content-type')]);
    const uris = body.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0) return unmet('registration names no redirect_uris', [ev(e, 'body.redirect_uris')]);
    if (!succeeded(e)) return unmet(`the server refused the registration: ${String(responseJson(e)?.error ?? e.response?.status)}`, [ev(e, 'response.body.error')]);
    return met(`registered ${uris.length} redirect URI(s)`, [ev(e)]);
  }),
};

export const dcrApplicationType: CheckDef = {
  id: 'dcr-application-type',
  title: 'sends application_type (native or web) when registering',
  requirements: ['C-REG-12'],
  level: 'MUST',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.clientRegistration],
  judge: onRegistration((body, e) => {
    const type = body.application_type;
    if (type === 'native' || type === 'web') return met(`application_type = ${type}`, [ev(e, 'body.application_type')]);
    return unmet(type === undefined ? 'application_type is absent (OIDC then assumes web)' : `application_type = ${JSON.stringify(type)}`, [ev(e, 'body.application_type')]);
  }),
};

export const dcrApplicationTypeNative: CheckDef = {
  id: 'dcr-application-type-native',
  title: 'registers as native when its redirect URIs are loopback',
  requirements: ['C-REG-13'],
  level: 'SHOULD',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.clientRegistration],
  judge: onRegistration((body, e) => {
    const uris = Array.isArray(body.redirect_uris) ? body.redirect_uris.map(String) : [];
    const loopback = uris.filter((u) => URL.canParse(u) && LOOPBACK_HOSTS.has(new URL(u).hostname));
    if (loopback.length === 0) return met('no loopback redirect URI, so web is acceptable');
    if (body.application_type === 'native') return met('loopback redirect URIs registered as native');
    return unmet(`loopback redirect URI ${loopback[0]} registered with application_type ${JSON.stringify(body.application_type ?? null)}`, [ev(e, 'body.application_type')]);
  }),
};

export const dcrRefreshGrant: CheckDef = {
  id: 'dcr-grant-types-refresh-token',
  title: 'lists refresh_token in the grant_types it registers',
  requirements: ['C-RT-02'],
  level: 'SHOULD',
  specVersions: since('2026-07-28'),
  specLinks: [LINK.clientRegistration, LINK.rfc7591Request],
  judge: onRegistration((body, e) => {
    const grants = Array.isArray(body.grant_types) ? body.grant_types : undefined;
    if (grants?.includes('refresh_token')) return met('grant_types includes refresh_token');
    return unmet(grants ? `grant_types = ${JSON.stringify(grants)}` : 'grant_types absent (defaults to authorization_code only)', [ev(e, 'body.grant_types')]);
  }),
};

/** A client identity the client legitimately holds, and how it must authenticate at the token endpoint. */
interface Identity {
  clientId: string;
  secret?: string;
  method: string;
  source: string;
  /** Exchange id from which the client holds it (0: from the start). */
  since: number;
}

/** Every identity the client obtained: pre-registration, the CIMD URL, and each successful registration. */
function identities(trace: Trace): Identity[] {
  const knobs = knobsOf(trace);
  const pre = trace.world.preRegistered;
  const held: Identity[] = [];
  if (pre) held.push({ clientId: pre.client_id, secret: pre.client_secret, method: knobs.as.tokenAuthMethods[0], source: 'pre-registered credentials', since: 0 });
  if (trace.world.cimdUrl) held.push({ clientId: trace.world.cimdUrl, method: 'none', source: 'client ID metadata document', since: 0 });
  for (const registered of byRole(trace, 'register').filter(succeeded)) {
    const answer = responseJson(registered) ?? {};
    held.push({
      clientId: String(answer.client_id),
      secret: typeof answer.client_secret === 'string' ? answer.client_secret : undefined,
      method: typeof answer.token_endpoint_auth_method === 'string' ? answer.token_endpoint_auth_method : 'client_secret_basic',
      source: `registration response #${registered.id}`,
      since: registered.id,
    });
  }
  return held;
}

const heldAt = (held: Identity[], e: Exchange) => held.filter((i) => i.since < e.id);
const describeHeld = (held: Identity[]) => held.map((i) => `${i.clientId} (${i.source})`).join(', ') || 'none';

export const clientIdUsed: CheckDef = {
  id: 'client-id-used',
  title: 'uses a client_id it was issued (or was given) in authorization and token requests',
  requirements: ['DCR-C-03', 'C-REG-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.clientRegistration, LINK.rfc7591Response],
  judge(trace) {
    const held = identities(trace);
    const authorizations = authorizationRequests(trace);
    if (authorizations.length === 0) return missing('the client never sent an authorization request');
    if (held.length === 0) return missing('the client obtained no client_id: no registration, pre-registration or CIMD');
    for (const e of authorizations) {
      const used = query(e).get('client_id');
      if (!heldAt(held, e).some((i) => i.clientId === used))
        return unmet(`client_id ${used ?? '(absent)'} is none the client held at that point: ${describeHeld(heldAt(held, e))}`, [ev(e, 'query.client_id')]);
    }
    return met(`client_id from the ${held.map((i) => i.source).join(', ')}`);
  },
};

function describeAuth(e: Exchange): string {
  const parts = [];
  if (basicCredentials(e)) parts.push('Basic header');
  if (form(e).get('client_secret')) parts.push('client_secret in body');
  if (form(e).get('client_id')) parts.push('client_id in body');
  return parts.join(' + ') || 'no client identification';
}

/** How a token request authenticates, judged against the identity whose client_id it presents. */
function authenticationProblem(e: Exchange, identity: Identity): { why: string; part: string } | undefined {
  const basic = basicCredentials(e);
  const body = form(e);
  switch (identity.method) {
    case 'client_secret_basic':
      if (!basic) return { why: 'no Authorization: Basic header', part: 'header.authorization' };
      if (basic.secret !== identity.secret) return { why: 'the Basic credentials do not decode to the client_id and secret (form-urlencoded, RFC 6749 §2.3.1)', part: 'header.authorization' };
      if (body.get('client_secret')) return { why: 'the secret was also sent in the body', part: 'form.client_secret' };
      return undefined;
    case 'client_secret_post':
      if (basic) return { why: 'used a Basic header', part: 'header.authorization' };
      if (body.get('client_secret') !== identity.secret) return { why: 'client_id and client_secret are not both in the body', part: 'form.client_secret' };
      return undefined;
    default:
      if (basic || body.get('client_secret')) return { why: 'a public client sent a secret', part: basic ? 'header.authorization' : 'form.client_secret' };
      return undefined;
  }
}

export const tokenEndpointAuth: CheckDef = {
  id: 'token-endpoint-auth-method',
  title: 'authenticates at the token endpoint with the method it registered',
  requirements: ['DCR-C-03', 'C-REG-10'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.rfc6749ClientPassword, LINK.rfc7591Response],
  judge(trace) {
    const held = identities(trace);
    const redemptions = codeRedemptions(trace);
    if (redemptions.length === 0) return missing('the client never sent a token request');
    if (held.length === 0) return missing('the client obtained no client_id, so there is no method to judge');
    for (const e of redemptions) {
      const presented = basicCredentials(e)?.id ?? form(e).get('client_id');
      const identity = heldAt(held, e).find((i) => i.clientId === presented);
      if (!identity)
        return unmet(`the token request identifies as ${presented ?? '(nobody)'}, none of the clients held: ${describeHeld(heldAt(held, e))} (sent ${describeAuth(e)})`, [
          ev(e, basicCredentials(e) ? 'header.authorization' : 'form.client_id'),
        ]);
      const problem = authenticationProblem(e, identity);
      if (problem) return unmet(`${identity.method}: ${problem.why} (sent ${describeAuth(e)})`, [ev(e, problem.part)]);
    }
    return met('authenticated as registered');
  },
};

export const registrationPriority: CheckDef = {
  id: 'registration-priority',
  title: 'prefers pre-registered credentials, then CIMD, then dynamic registration',
  requirements: ['C-REG-02', 'C-REG-09', 'C-REG-10'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.clientRegistration],
  judge(trace) {
    const authorization = authorizationRequests(trace)[0];
    if (!authorization) return missing('the client never sent an authorization request');
    const used = query(authorization).get('client_id');
    const registrations = byRole(trace, 'register');
    const pre = trace.world.preRegistered;
    if (pre) {
      if (registrations.length) return unmet('registered dynamically although pre-registered credentials were given', [ev(registrations[0])]);
      if (used !== pre.client_id) return unmet(`used client_id ${used} instead of the pre-registered ${pre.client_id}`, [ev(authorization, 'query.client_id')]);
      return met('used the pre-registered client');
    }
    if (trace.world.cimdUrl) {
      if (registrations.length) return unmet('registered dynamically although the server supports client ID metadata documents', [ev(registrations[0])]);
      if (used !== trace.world.cimdUrl) return unmet(`used client_id ${used}, not a client ID metadata document URL`, [ev(authorization, 'query.client_id')]);
      return met('used its client ID metadata document');
    }
    return registrations.length ? met('registered dynamically, the only option offered') : unmet('no registration although it was the only option', [ev(authorization, 'query.client_id')]);
  },
};

export const cimdClientIdUrl: CheckDef = {
  id: 'cimd-client-id-url',
  title: 'a URL client_id is an https URL with a path, used exactly as published',
  requirements: ['C-REG-04', 'C-REG-05', 'C-REG-07'],
  level: 'MUST',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.clientRegistration],
  preconditions: [USED_CIMD],
  judge(trace) {
    const authorizations = authorizationRequests(trace);
    if (authorizations.length === 0) return missing('the client never sent an authorization request');
    const urlIds = authorizations.filter((e) => /^[a-z][a-z0-9+.-]*:\/\//i.test(query(e).get('client_id') ?? ''));
    if (urlIds.length === 0) return notExercised(USED_CIMD, 'the client never used a URL as its client_id');
    for (const e of urlIds) {
      const id = query(e).get('client_id')!;
      const url = new URL(id);
      if (url.protocol !== 'https:') return unmet(`client_id ${id} is not https`, [ev(e, 'query.client_id')]);
      if (url.pathname === '/' || url.pathname === '') return unmet(`client_id ${id} has no path`, [ev(e, 'query.client_id')]);
      if (trace.world.cimdUrl && id !== trace.world.cimdUrl) return unmet(`client_id ${id} differs from the document URL ${trace.world.cimdUrl}`, [ev(e, 'query.client_id')]);
    }
    return met('client_id is the https document URL');
  },
};
