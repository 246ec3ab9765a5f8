// The OAuth exchanges of the strict client: how it gets a client identity (C-REG-02), the
// authorization request and the checks on its response (PKCE S256, state, RFC 9207 iss), and the
// token endpoint with every answer validated (RFC 6749 §5.1, §5.2).
import { createHash, randomBytes } from 'node:crypto';
import { CLIENT_METADATA_URL, walkToRedirect } from '../headless-user.js';
import { parseChallenges } from './challenge.js';
import type { Binding } from './discovery.js';
import { cacheDirectives, Failure, isBearerToken, isErrorText, isScope, isTransient, jsonObject, log, optionalString, optionalStrings, refuse, send, Unavailable, type Received } from './http.js';
import type { AuthMethod, ClientIdentity } from './store.js';

// Nothing listens here: the code is read off the Location header that points at it (a loopback
// redirect URI of a native app, RFC 8252 §7.3).
export const REDIRECT_URI = 'http://127.0.0.1:33420/callback';
const CLIENT_NAME = 'mcp-auth-conformance strict client';
const SECRET_METHODS: AuthMethod[] = ['client_secret_basic', 'client_secret_post'];

export interface PreRegistered {
  client_id: string;
  client_secret?: string;
}

/**
 * Credentials from MCP_CONFORMANCE_CONTEXT. Any context object with a client_id carries them,
 * whatever its name says (the official runner names it after the scenario).
 */
export function preRegisteredFrom(raw: string | undefined): PreRegistered | undefined {
  if (!raw) return undefined;
  let context: unknown;
  try {
    context = JSON.parse(raw);
  } catch {
    throw new Failure('MCP_CONFORMANCE_CONTEXT is not JSON');
  }
  if (context === null || typeof context !== 'object') return undefined;
  const { client_id: id, client_secret: secret } = context as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') return undefined;
  return typeof secret === 'string' ? { client_id: id, client_secret: secret } : { client_id: id };
}

/** The server's first method that works with a secret; RFC 8414 §2: an omitted list means client_secret_basic. */
function secretMethod(binding: Binding): AuthMethod {
  const offered = binding.metadata?.tokenEndpointAuthMethods ?? ['client_secret_basic'];
  const method = offered.find((m): m is AuthMethod => (SECRET_METHODS as string[]).includes(m));
  if (!method) throw new Failure(`${binding.issuer} offers no client authentication that uses a secret (${offered.join(', ')})`);
  return method;
}

/** C-REG-02: pre-registered credentials, then a client ID metadata document, then dynamic registration. */
export async function obtainClient(binding: Binding, preRegistered: PreRegistered | undefined): Promise<ClientIdentity> {
  if (preRegistered) {
    log('client', `pre-registered ${preRegistered.client_id}`);
    return { ...preRegistered, method: preRegistered.client_secret !== undefined ? secretMethod(binding) : 'none', source: 'pre-registered' };
  }
  if (binding.metadata?.cimdSupported) {
    log('client', `client ID metadata document ${CLIENT_METADATA_URL}`);
    return { client_id: CLIENT_METADATA_URL, method: 'none', source: 'cimd' };
  }
  if (binding.registrationEndpoint) return register(binding, binding.registrationEndpoint);
  throw new Failure(`C-REG-01: ${binding.issuer} offers no registration, no CIMD, and no credentials were given`);
}

/** RFC 7591 §3.1 registration; §3.2.1 response checked. */
async function register(binding: Binding, endpoint: string): Promise<ClientIdentity> {
  // A native app is a public client (RFC 8252 §8.4): `none` unless the server offers only secret methods.
  const offered = binding.metadata ? (binding.metadata.tokenEndpointAuthMethods ?? ['client_secret_basic']) : undefined;
  const requested: AuthMethod = !offered || offered.includes('none') ? 'none' : secretMethod(binding);
  const metadata = {
    client_name: CLIENT_NAME,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: requested,
    // C-REG-12/13: loopback redirect URIs make this a native application.
    application_type: 'native',
  };
  const received = await send('POST', endpoint, { 'content-type': 'application/json', accept: 'application/json' }, JSON.stringify(metadata));
  if (isTransient(received)) throw new Unavailable(`registration at ${endpoint} answered ${received.status}`);
  if (received.status === 400) {
    const { error, description } = errorBody(received, 'RFC 7591 §3.2.2', 'registration error response');
    throw new Failure(`registration at ${endpoint} was refused: ${error}${description ? ` (${description})` : ''}`);
  }
  // RFC 7591 §3.2.1: "the authorization server returns an HTTP 201 Created status code".
  if (received.status !== 201) {
    if (received.status < 400) refuse('RFC 7591 §3.2.1', `registration at ${endpoint} answered ${received.status}, not 201 Created`);
    throw new Failure(`registration at ${endpoint} answered ${received.status}`);
  }
  const what = 'registration response';
  const document = jsonObject(received, 'RFC 7591 §3.2.1', what);
  const clientId = optionalString(document, 'client_id', 'RFC 7591 §3.2.1', what);
  if (!clientId) refuse('RFC 7591 §3.2.1', `${what} has no client_id (REQUIRED)`);
  const secret = optionalString(document, 'client_secret', 'RFC 7591 §3.2.1', what);
  if (secret !== undefined && typeof document.client_secret_expires_at !== 'number') {
    refuse('RFC 7591 §3.2.1', `${what} issues a client_secret without client_secret_expires_at (REQUIRED if client_secret is issued)`);
  }
  if (document.client_id_issued_at !== undefined && typeof document.client_id_issued_at !== 'number') refuse('RFC 7591 §3.2.1', `${what}: client_id_issued_at is not a number`);
  // RFC 7591 §3.2.1: the response contains all registered metadata; §2: a server of redirect-based flows MUST support redirect_uris.
  const redirectUris = optionalStrings(document, 'redirect_uris', 'RFC 7591 §3.2.1', what);
  if (!redirectUris) refuse('RFC 7591 §3.2.1', `${what} does not echo the registered redirect_uris`);
  if (!redirectUris.includes(REDIRECT_URI)) throw new Failure(`${what} registered redirect_uris ${JSON.stringify(redirectUris)}, not ${REDIRECT_URI}`);
  const grantTypes = optionalStrings(document, 'grant_types', 'RFC 7591 §3.2.1', what);
  if (grantTypes && !grantTypes.includes('authorization_code')) throw new Failure(`${what} registered grant_types ${JSON.stringify(grantTypes)}, without authorization_code`);
  const responseTypes = optionalStrings(document, 'response_types', 'RFC 7591 §3.2.1', what);
  if (responseTypes && !responseTypes.includes('code')) throw new Failure(`${what} registered response_types ${JSON.stringify(responseTypes)}, without code`);
  // DCR-C-03: what the server registered is authoritative; RFC 7591 §2: an omitted method is client_secret_basic.
  const method = optionalString(document, 'token_endpoint_auth_method', 'RFC 7591 §3.2.1', what) ?? 'client_secret_basic';
  if (method !== 'none' && !(SECRET_METHODS as string[]).includes(method)) throw new Failure(`${what} registered token_endpoint_auth_method ${method}, which this client cannot perform`);
  if (method !== 'none' && secret === undefined) refuse('RFC 7591 §3.2.1', `${what} registers ${method} but issues no client_secret`);
  log('client', `registered ${clientId} (${method}) at ${endpoint}`);
  return { client_id: clientId, ...(method !== 'none' && secret !== undefined ? { client_secret: secret } : {}), method: method as AuthMethod, source: 'registered' };
}

/** An RFC 6749 §5.2 / RFC 7591 §3.2.2 error body, with the character rules checked. */
function errorBody(received: Received, clause: string, what: string): { error: string; description?: string } {
  const document = jsonObject(received, clause, what);
  const error = optionalString(document, 'error', clause, what);
  if (!error) refuse(clause, `${what} (${received.status}) has no error code`);
  const description = optionalString(document, 'error_description', clause, what);
  for (const [name, value] of [['error', error], ['error_description', description]] as const) {
    if (value !== undefined && !isErrorText(value)) refuse(clause, `${what}: ${name} ${JSON.stringify(value)} uses characters outside %x20-21 / %x23-5B / %x5D-7E`);
  }
  const uri = optionalString(document, 'error_uri', clause, what);
  if (uri !== undefined && !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(uri)) refuse(clause, `${what}: error_uri ${JSON.stringify(uri)} is not a URI-reference`);
  return { error, ...(description !== undefined ? { description } : {}) };
}

export interface AuthorizationCode {
  code: string;
  verifier: string;
}

/**
 * One authorization: a fresh PKCE verifier and state, the request, and the response checked before
 * its code goes anywhere. The user agent is played by the harness (it follows the server's
 * redirects to the redirect URI, as a person's browser would); the client reads what lands there.
 */
export async function authorizationCode(binding: Binding, client: ClientIdentity, scope: string | undefined, resource: string): Promise<AuthorizationCode> {
  // RFC 7636 §4.1: 32 random octets, base64url: 43 characters. New for every authorization (OAuth 2.1 §4.1.1).
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  // C-ISS-01: recorded with verifier and state; the validated metadata's issuer, or for a 2025-03-26
  // server without metadata the authorization base URL it was derived from.
  const expectedIssuer = binding.metadata?.issuer ?? binding.issuer;
  const url = new URL(binding.authorizationEndpoint);
  const parameters: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    code_challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'),
    code_challenge_method: 'S256',
    state,
    // RFC 8707 §2.1, C-RES-01..06: the canonical MCP server URL, whatever the server advertises.
    resource,
    scope,
  };
  // RFC 6749 §3.1: the endpoint's own query component is kept; parameters must not repeat.
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.set(name, value);
  log('authorize', `${url.origin}${url.pathname} (scope: ${scope ?? 'none'})`);

  const landing = await walkToRedirect(url, REDIRECT_URI);
  const response = landing.searchParams;
  // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
  for (const name of new Set(response.keys())) {
    if (response.getAll(name).length > 1) refuse('RFC 6749 §3.1', `the authorization response repeats ${name}`);
  }
  // RFC 9207 §2.4 as MCP 2026-07-28 profiles it (C-ISS-02..04): first, so nothing of a mixed-up
  // response (not even its error) is acted on; a present iss is always compared, by simple string comparison.
  const iss = response.get('iss');
  if (iss === null && binding.metadata?.issSupported) refuse('RFC 9207 §2.4', `the authorization response has no iss, though ${expectedIssuer} advertises authorization_response_iss_parameter_supported`);
  if (iss !== null && iss !== expectedIssuer) refuse('RFC 9207 §2.4', `the authorization response says iss ${JSON.stringify(iss)}, not the recorded issuer ${JSON.stringify(expectedIssuer)}`);
  const returnedState = response.get('state');
  // RFC 6749 §4.1.2 and §4.1.2.1: state is REQUIRED in the response when the request carried one, with the exact value.
  if (returnedState === null) refuse('RFC 6749 §4.1.2', 'the authorization response has no state, though the request carried one');
  if (returnedState !== state) refuse('RFC 6749 §10.12', `the authorization response carries state ${JSON.stringify(returnedState)}, not the one sent: a response to another request`);
  const error = response.get('error');
  if (error !== null) throw new Failure(`the authorization server answered error=${error}${response.get('error_description') ? ` (${response.get('error_description')})` : ''}`);
  const code = response.get('code');
  if (!code) refuse('RFC 6749 §4.1.2', 'the authorization response has neither code nor error');
  log('callback', 'code received; iss and state valid');
  return { code, verifier };
}

export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  scope?: string;
}

export type TokenAnswer =
  | { kind: 'issued'; tokens: IssuedTokens }
  /** An RFC 6749 §5.2 error: the grant presented is not accepted. */
  | { kind: 'rejected'; status: number; error: string }
  /** 5xx, 429, or no answer: nothing is known, not even whether the grant was used. */
  | { kind: 'unavailable'; reason: string };

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they become the Basic user-id and password. */
function formEncoded(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** A token request, authenticated as the client registered, and its answer validated. */
export async function tokenRequest(endpoint: string, client: ClientIdentity, parameters: Record<string, string>): Promise<TokenAnswer> {
  const form = new URLSearchParams(parameters);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (client.method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncoded(client.client_id)}:${formEncoded(client.client_secret ?? '')}`).toString('base64')}`;
  } else {
    form.set('client_id', client.client_id);
    if (client.method === 'client_secret_post') form.set('client_secret', client.client_secret ?? '');
  }
  let received: Received;
  try {
    received = await send('POST', endpoint, headers, form.toString());
  } catch (error) {
    if (error instanceof Unavailable) return { kind: 'unavailable', reason: error.message };
    throw error;
  }
  if (isTransient(received)) return { kind: 'unavailable', reason: `${endpoint} answered ${received.status}` };
  if (received.status === 200) return { kind: 'issued', tokens: validTokenResponse(received) };
  if (received.status === 400 || received.status === 401) {
    const { error } = errorBody(received, 'RFC 6749 §5.2', 'token error response');
    // RFC 6749 §5.2: 400 "unless specified otherwise"; only invalid_client is specified to use 401.
    if (received.status === 401 && error !== 'invalid_client') refuse('RFC 6749 §5.2', `the token endpoint answered 401 with error ${error}; only invalid_client may use 401, every other error is 400`);
    if (received.status === 401) challengeRequired(received, client.method === 'client_secret_basic');
    return { kind: 'rejected', status: received.status, error };
  }
  refuse('RFC 6749 §5.2', `the token endpoint answered ${received.status}: a token response is 200 OK (§5.1), an error response 400, or 401 for invalid_client (§5.2)`);
}

/**
 * A 401 carries a WWW-Authenticate challenge (RFC 9110 §15.5.2), and one for the Basic scheme when
 * the client authenticated with the Authorization header (RFC 6749 §5.2).
 */
function challengeRequired(received: Received, usedBasic: boolean): void {
  const header = received.headers.get('www-authenticate');
  if (header === null) refuse('RFC 9110 §15.5.2', 'the token endpoint answered 401 without WWW-Authenticate');
  const parsed = parseChallenges(header);
  if ('fault' in parsed) refuse('RFC 9110 §11.6.1', `WWW-Authenticate of the token endpoint's 401 does not parse: ${parsed.fault}`);
  if (usedBasic && !parsed.challenges.some((c) => c.scheme.toLowerCase() === 'basic')) {
    refuse('RFC 6749 §5.2', `invalid_client for a client that used HTTP Basic, without a Basic challenge (${header})`);
  }
}

/** RFC 6749 §5.1 (OAuth 2.1 §3.2.3). */
function validTokenResponse(received: Received): IssuedTokens {
  const what = 'token response';
  const clause = 'RFC 6749 §5.1';
  const document = jsonObject(received, clause, what);
  // "MUST include the HTTP Cache-Control response header field with a value of no-store in any response containing tokens."
  if (!cacheDirectives(received).has('no-store')) refuse(clause, `${what} has Cache-Control ${JSON.stringify(received.headers.get('cache-control'))}, without no-store`);
  const accessToken = optionalString(document, 'access_token', clause, what);
  if (!accessToken) refuse(clause, `${what} has no access_token (REQUIRED)`);
  // The token is only ever sent as `Authorization: Bearer <token>`, whose syntax is b64token (RFC 6750 §2.1).
  if (!isBearerToken(accessToken)) refuse('RFC 6750 §2.1', `${what}: the access_token cannot be sent as a Bearer credential (not b64token)`);
  const tokenType = optionalString(document, 'token_type', clause, what);
  if (tokenType === undefined) refuse(clause, `${what} has no token_type (REQUIRED)`);
  // RFC 6749 §7.1: the client must not use a token whose type it does not understand; the value is case-insensitive.
  if (tokenType.toLowerCase() !== 'bearer') refuse('RFC 6749 §7.1', `${what} has token_type ${JSON.stringify(tokenType)}, not Bearer`);
  const expiresIn = document.expires_in;
  // Appendix A.14: expires-in = 1*DIGIT.
  if (expiresIn !== undefined && !(typeof expiresIn === 'number' && Number.isInteger(expiresIn) && expiresIn >= 0)) {
    refuse(clause, `${what} has expires_in ${JSON.stringify(expiresIn)}, not a number of seconds`);
  }
  const refreshToken = optionalString(document, 'refresh_token', clause, what);
  // Appendix A.17: refresh-token = 1*VSCHAR.
  if (refreshToken !== undefined && !/^[\x20-\x7E]+$/.test(refreshToken)) refuse(clause, `${what} has a refresh_token outside 1*VSCHAR`);
  const scope = optionalString(document, 'scope', clause, what);
  if (scope !== undefined && !isScope(scope)) refuse('RFC 6749 §3.3', `${what} has scope ${JSON.stringify(scope)}, not space-delimited scope-tokens`);
  return { access_token: accessToken, ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}), ...(scope !== undefined ? { scope } : {}) };
}
