// The interactive part: the authorization request, the browser (played by the client itself),
// the checks on the response, and the code redemption. No lock is held while this runs (RT-C-11):
// a person may take minutes here.
import { randomBytes } from 'node:crypto';
import { startAuthorization } from '@modelcontextprotocol/sdk/client/auth.js';
import { REDIRECT_URI, REQUEST_TIMEOUT_MS, type Target } from './config.js';
import type { Binding } from './discovery.js';
import { Failure, log, refuse } from './log.js';
import type { ClientRecord } from './store.js';
import { describeResult, requestToken, type TokenResponse } from './token-endpoint.js';

const MAX_REDIRECT_HOPS = 10;

/**
 * Acts as the user agent: follows Location hops (keeping cookies, as a login page would need)
 * until one points at the redirect_uri, which is never fetched; the code is read from there.
 */
async function followToRedirectUri(start: URL): Promise<URL> {
  const redirect = new URL(REDIRECT_URI);
  const cookies = new Map<string, string[]>();
  let next = start;
  for (let hop = 0; hop < MAX_REDIRECT_HOPS; hop++) {
    const response = await fetch(next, {
      redirect: 'manual',
      headers: cookies.has(next.origin) ? { cookie: cookies.get(next.origin)!.join('; ') } : {},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const setCookies = response.headers.getSetCookie().map((line) => line.split(';')[0]);
    if (setCookies.length) cookies.set(next.origin, [...(cookies.get(next.origin) ?? []), ...setCookies]);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Failure(`authorization: ${next.origin}${next.pathname} answered ${response.status} without a redirect`);
    }
    next = new URL(location, next);
    if (next.origin === redirect.origin && next.pathname === redirect.pathname) return next;
  }
  throw new Failure(`authorization: more than ${MAX_REDIRECT_HOPS} redirects`);
}

/** One authorization: PKCE S256, state, resource; the response checked before the code goes anywhere. */
export async function authorizeInteractively(target: Target, binding: Binding, client: ClientRecord, scope: string | undefined): Promise<TokenResponse> {
  const state = randomBytes(16).toString('base64url');
  // C-ISS-01: the issuer of the validated metadata, kept with state and verifier for this request.
  const issuer = binding.metadata?.issuer ?? binding.issuer;
  const issAdvertised = binding.metadata?.authorization_response_iss_parameter_supported === true;
  const { authorizationUrl, codeVerifier } = await startAuthorization(binding.issuer, {
    metadata: binding.metadata,
    clientInformation: client,
    redirectUrl: REDIRECT_URI,
    state,
    resource: target.resource,
    ...(scope ? { scope } : {}),
  });
  log('authorize', authorizationUrl.href);

  const params = (await followToRedirectUri(authorizationUrl)).searchParams;
  // RFC 9207 first, so an error from a mixed-up AS is not even looked at (C-ISS-02..04).
  const iss = params.get('iss');
  if (iss === null && issAdvertised) refuse('C-ISS-02', 'iss missing though the AS advertises RFC 9207 support');
  // Exact string comparison after form-decoding, no normalisation (C-ISS-03).
  if (iss !== null && iss !== issuer) refuse('C-ISS-02', `iss ${JSON.stringify(iss)} is not the issuer ${JSON.stringify(issuer)}`);
  if (params.get('state') !== state) refuse('C-STATE-01', `state ${JSON.stringify(params.get('state'))} is not the one sent`);
  const error = params.get('error');
  if (error) refuse('authorization error', `${error} ${params.get('error_description') ?? ''}`.trim());
  const code = params.get('code');
  if (!code) refuse('authorization response', 'no code in the redirect');
  log('callback', 'code received; state and iss valid');

  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: codeVerifier,
    redirect_uri: REDIRECT_URI,
    // C-RES-02/06: in the token request too, with or without PRM.
    resource: target.resource,
  });
  const result = await requestToken(binding, client, form);
  if (result.kind !== 'issued') throw new Failure(`code redemption at ${binding.endpoints.token} ${describeResult(result)}`);
  return result.tokens;
}
