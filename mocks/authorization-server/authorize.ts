// The authorization endpoint: approves at once (no login, no consent) so clients run headless.
import { http, HttpResponse } from 'msw';
import type { AsKnobs } from '../knobs.js';
import { randomToken } from '../tokens.js';
import type { AuthorizationServer } from './context.js';
import { oauthError } from './oauth-error.js';

type ParameterShaper = (value: string | undefined) => string | undefined;

/**
 * A state the client never sent, shaped like the one it did: every digit and letter moves one place
 * on within its own range. An injected response comes from the attacker's own flow with the same
 * client software, so its state looks like one the client issues. A random value would not do: a
 * client that sets aside states it could not have issued (mcp-remote ignores any state outside
 * [A-Za-z0-9-]) would pass or warn depending on whether the draw held a `_`.
 */
export function shiftedState(requested: string | undefined): string {
  const shifted = requested?.replace(/[0-9A-Za-z]/g, (c) => {
    if (c === '9') return '0';
    if (c === 'Z') return 'A';
    if (c === 'z') return 'a';
    return String.fromCharCode(c.charCodeAt(0) + 1);
  });
  // A client that sent no state (or one with nothing to shift) still gets one it never sent.
  return shifted !== undefined && shifted !== requested ? shifted : randomToken(16);
}

/** `state` in the authorization response, from the request's state (the CSRF trap when not echoed). */
export const stateParameters: Record<AsKnobs['state'], ParameterShaper> = {
  echo: (requested) => requested,
  wrong: shiftedState,
  omit: () => undefined,
};

/** `iss` in the authorization response, from the issuer (RFC 9207 mix-up traps). */
export const issParameters: Record<AsKnobs['issParameter'], ParameterShaper> = {
  correct: (issuer) => issuer,
  wrong: () => 'https://evil.example.com',
  omit: () => undefined,
  normalized: (issuer) => issuer + '/',
};

function redirectTo(redirectUri: string, params: Record<string, string | undefined>): HttpResponse<null> {
  const location = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) location.searchParams.append(name, value);
  }
  return new HttpResponse(null, { status: 302, headers: { Location: location.href, 'Cache-Control': 'no-store' } });
}

/**
 * Where errors and codes may be sent. Without a known client and one of its redirect URIs there is
 * nowhere safe to redirect (RFC 6749 §4.1.2.1), so the endpoint answers itself.
 */
function redirectTarget(as: AuthorizationServer, query: URLSearchParams): { redirectUri: string } | { problem: string } {
  const clientId = query.get('client_id');
  const client = clientId ? as.state.clients.get(clientId) : undefined;
  if (!client) return { problem: clientId ? 'unknown client_id' : 'client_id is required' };
  const presented = query.get('redirect_uri');
  if (presented === null) {
    const only = Array.isArray(client.redirect_uris) && client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined;
    return only ? { redirectUri: only } : { problem: 'redirect_uri is required' };
  }
  if (!as.state.acceptsRedirectUri(client, presented)) return { problem: 'redirect_uri is not registered for this client' };
  return { redirectUri: presented };
}

interface RequestDefect {
  error: string;
  description: string;
}

/**
 * The scope the user grants: the requested scopes the server lets them consent to, in request
 * order; undefined when nothing is left, so the token then carries no scope at all.
 */
export function grantedScope(requested: string | null, grantable: string[] | undefined): string | undefined {
  if (requested === null) return undefined;
  if (grantable === undefined) return requested;
  const allowed = new Set(grantable);
  const granted = requested.split(' ').filter((scope) => scope && allowed.has(scope));
  return granted.length > 0 ? granted.join(' ') : undefined;
}

function authorizationRequestDefect(knobs: AsKnobs, query: URLSearchParams): RequestDefect | undefined {
  if (query.get('response_type') !== 'code') return { error: 'unsupported_response_type', description: 'only response_type=code is supported' };
  if (!query.get('code_challenge')) return { error: 'invalid_request', description: 'code challenge required' };
  // RFC 7636 §4.3: an absent method means plain.
  const method = query.get('code_challenge_method') ?? 'plain';
  if (!knobs.pkceMethods?.includes(method)) return { error: 'invalid_request', description: `code_challenge_method ${method} is not supported` };
  // RFC 8707 §2: a resource indicator has no fragment, and a server refuses one it cannot accept.
  if (query.getAll('resource').some((resource) => resource.includes('#'))) return { error: 'invalid_target', description: 'a resource indicator must not have a fragment' };
  return undefined;
}

export function authorizationEndpoint(as: AuthorizationServer) {
  const stateOf = stateParameters[as.knobs.state];
  const issOf = issParameters[as.knobs.issParameter];
  return http.get(as.endpoints.authorize, ({ request }) => {
    const query = new URL(request.url).searchParams;
    const target = redirectTarget(as, query);
    if ('problem' in target) return oauthError(400, 'invalid_request', target.problem);

    const respond = (params: Record<string, string>) =>
      redirectTo(target.redirectUri, { ...params, state: stateOf(query.get('state') ?? undefined), iss: issOf(as.issuer) });

    const defect = authorizationRequestDefect(as.knobs, query);
    if (defect) return respond({ error: defect.error, error_description: defect.description });

    // A grant of nothing the client asked for would have to be told in a token response's scope,
    // which RFC 6749 §3.3 allows to be empty nowhere: refuse it here (RFC 6749 §4.1.2.1 invalid_scope).
    const scope = grantedScope(query.get('scope'), as.knobs.grantableScopes);
    if (query.get('scope') && scope === undefined) return respond({ error: 'invalid_scope', error_description: 'the user can grant none of the requested scopes' });

    const code = as.state.issueCode({
      client_id: query.get('client_id')!,
      redirect_uri: query.get('redirect_uri') ?? undefined,
      code_challenge: query.get('code_challenge')!,
      code_challenge_method: query.get('code_challenge_method') ?? 'plain',
      resource: query.get('resource') ?? undefined,
      scope,
    });
    return respond({ code: code.code });
  });
}
