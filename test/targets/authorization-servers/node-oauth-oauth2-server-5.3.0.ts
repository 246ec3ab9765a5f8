// @node-oauth/oauth2-server 5.3.0 as the authorization server of one MCP server. The library is the
// authorization and token endpoints (OAuth2Server#authorize and #token) over a model object the
// deployment writes; it has no metadata, no client registration and no login of its own.
//
// What this target writes itself, as thin as it can be:
// - the model: Maps for clients, codes and tokens, the storage functions its documentation lists
//   (getClient, saveAuthorizationCode, getAuthorizationCode, revokeAuthorizationCode, saveToken,
//   getAccessToken, getRefreshToken, revokeToken), validateScope holding requests to the MCP scopes,
//   and validateRedirectUri, the model's hook for redirect URI policy, letting a loopback redirect
//   URI through on any port (RFC 8252 §7.3) and matching every other exactly;
// - an authenticateHandler that returns the one user: the person at the browser has logged in;
// - RFC 8414 metadata describing what the library does, and RFC 7591 registration of public and
//   confidential clients with redirect URIs that are HTTPS or loopback (MCP "Communication Security").
// Options: requireClientAuthentication off for the code and refresh grants (MCP clients are public;
// the library then relies on PKCE), refresh tokens rotated (alwaysIssueNewRefreshToken, its default).
// Usage: node node-oauth-oauth2-server-5.3.0.js, with the authorization-server environment.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import OAuth2Server from '@node-oauth/oauth2-server';
import { allowedRedirectUri, MCP_SCOPES, readContract, serve, USER, withoutLoopbackPort } from './contract.js';

const contract = readContract();
const origin = new URL(contract.issuer).origin;
const endpoint = (path: string): string => `${origin}${path}`;

const clients = new Map<string, OAuth2Server.Client>();
const codes = new Map<string, OAuth2Server.AuthorizationCode>();
const accessTokens = new Map<string, OAuth2Server.Token>();
const refreshTokens = new Map<string, OAuth2Server.RefreshToken>();

const model: OAuth2Server.AuthorizationCodeModel & OAuth2Server.RefreshTokenModel = {
  async getClient(clientId, clientSecret) {
    const client = clients.get(clientId);
    if (!client) return undefined;
    if (client.secret !== undefined && clientSecret !== client.secret) return undefined;
    return client;
  },
  async saveAuthorizationCode(code, client, user) {
    const saved = { ...code, client, user };
    codes.set(code.authorizationCode, saved);
    return saved;
  },
  async getAuthorizationCode(code) {
    return codes.get(code);
  },
  async revokeAuthorizationCode(code) {
    return codes.delete(code.authorizationCode);
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    accessTokens.set(token.accessToken, saved);
    if (token.refreshToken) refreshTokens.set(token.refreshToken, { ...saved, refreshToken: token.refreshToken });
    return saved;
  },
  async getAccessToken(token) {
    return accessTokens.get(token);
  },
  async getRefreshToken(token) {
    return refreshTokens.get(token);
  },
  async revokeToken(token) {
    return refreshTokens.delete(token.refreshToken);
  },
  async validateScope(_user, _client, scope) {
    const wanted = scope ?? [];
    return wanted.every((s) => MCP_SCOPES.includes(s)) ? wanted : false;
  },
  async verifyScope(token, scope) {
    return scope.every((s) => token.scope?.includes(s));
  },
  async validateRedirectUri(redirectUri, client) {
    const registered = [client.redirectUris ?? []].flat();
    return registered.includes(redirectUri) || registered.map(withoutLoopbackPort).includes(withoutLoopbackPort(redirectUri));
  },
};

const oauth = new OAuth2Server({
  model,
  requireClientAuthentication: { authorization_code: false, refresh_token: false },
  alwaysIssueNewRefreshToken: true,
});

const metadata = {
  issuer: contract.issuer,
  authorization_endpoint: endpoint('/authorize'),
  token_endpoint: endpoint('/token'),
  registration_endpoint: endpoint('/register'),
  scopes_supported: MCP_SCOPES,
  response_types_supported: ['code'],
  grant_types_supported: ['authorization_code', 'refresh_token'],
  code_challenge_methods_supported: ['S256'],
  token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** The library's answer, as it left it in its Response; an error it threw without writing one is answered as JSON. */
function answer(res: ServerResponse, response: OAuth2Server.Response, error?: unknown): void {
  if (error !== undefined && response.get('location') === undefined) {
    const e = error as { code?: number; name?: string; message?: string };
    return json(res, e.code ?? 500, { error: e.name ?? 'server_error', error_description: e.message });
  }
  const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]));
  if (response.body && Object.keys(response.body).length > 0) {
    res.writeHead(response.status ?? 200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(response.body));
  } else {
    res.writeHead(response.status ?? 200, headers).end();
  }
}

/** The library's Request of a node request: its headers as strings, as the frameworks it wraps pass them. */
function libraryRequest(req: IncomingMessage, query: Record<string, string>, body: Record<string, string>): OAuth2Server.Request {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, [value ?? ''].flat().join(', ')]));
  return new OAuth2Server.Request({ method: req.method ?? 'GET', headers, query, body });
}

async function authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const request = libraryRequest(req, Object.fromEntries(url.searchParams), {});
  const response = new OAuth2Server.Response({ headers: {} });
  try {
    await oauth.authorize(request, response, { authenticateHandler: { handle: async () => ({ id: USER.id }) } });
    answer(res, response);
  } catch (error) {
    answer(res, response, error);
  }
}

async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = libraryRequest(req, {}, Object.fromEntries(new URLSearchParams(await bodyOf(req))));
  const response = new OAuth2Server.Response({ headers: {} });
  try {
    await oauth.token(request, response);
    answer(res, response);
  } catch (error) {
    answer(res, response, error);
  }
}

/** An RFC 7591 registration: redirect URIs HTTPS or loopback, grant types a list the library serves. */
async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let asked: Record<string, unknown>;
  try {
    const parsed = JSON.parse(await bodyOf(req)) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    asked = parsed as Record<string, unknown>;
  } catch {
    return json(res, 400, { error: 'invalid_client_metadata', error_description: 'the body is not a JSON object' });
  }
  const redirectUris = asked.redirect_uris;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) return json(res, 400, { error: 'invalid_redirect_uri', error_description: 'redirect_uris must be a non-empty list' });
  for (const uri of redirectUris) {
    if (!allowedRedirectUri(uri)) return json(res, 400, { error: 'invalid_redirect_uri', error_description: `${JSON.stringify(uri)} is neither an HTTPS nor a loopback URI` });
  }
  const grantTypes = asked.grant_types ?? ['authorization_code'];
  if (!Array.isArray(grantTypes) || !grantTypes.every((g) => g === 'authorization_code' || g === 'refresh_token')) {
    return json(res, 400, { error: 'invalid_client_metadata', error_description: 'grant_types must be a list of authorization_code and refresh_token' });
  }
  const method = asked.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method !== 'none' && method !== 'client_secret_basic' && method !== 'client_secret_post') {
    return json(res, 400, { error: 'invalid_client_metadata', error_description: `token_endpoint_auth_method ${JSON.stringify(method)} is not supported` });
  }
  const clientId = randomUUID();
  const secret = method === 'none' ? undefined : randomBytes(32).toString('base64url');
  clients.set(clientId, { id: clientId, redirectUris: redirectUris as string[], grants: grantTypes as string[], ...(secret ? { secret } : {}) });
  json(res, 201, {
    ...asked,
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    token_endpoint_auth_method: method,
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', origin);
  const route = `${req.method} ${url.pathname}`;
  const handled =
    route === 'GET /.well-known/oauth-authorization-server'
      ? Promise.resolve(json(res, 200, metadata))
      : route === 'GET /authorize'
        ? authorize(req, res, url)
        : route === 'POST /token'
          ? token(req, res)
          : route === 'POST /register'
            ? register(req, res)
            : Promise.resolve(json(res, 404, { error: 'not_found' }));
  handled.catch((error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    if (!res.headersSent) json(res, 500, { error: 'server_error' });
    else res.end();
  });
});
serve(server, contract);
