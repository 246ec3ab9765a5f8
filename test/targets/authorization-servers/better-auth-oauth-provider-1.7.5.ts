// better-auth 1.7.5 with @better-auth/oauth-provider 1.7.5 as the authorization server of one MCP
// server, configured as the plugin's documentation sets it up: the jwt plugin (its /token path
// disabled, as the documentation shows), oauthProvider with open dynamic registration
// (allowDynamicClientRegistration, allowUnauthenticatedClientRegistration), the MCP scopes and
// offline_access as its scopes, the MCP server as its one resource (resources) linked to every
// registered client (clientRegistrationDefaultResources), and email-and-password accounts on the
// memory adapter with one seeded user. better-auth is mounted at its default base path, so its
// issuer identifier is <origin>/api/auth.
//
// What this target writes itself are the two pages the plugin redirects to and leaves to the
// deployment (loginPage, consentPage): plain HTML forms. This server sends the login form on to
// better-auth's /sign-in/email with the signed authorization query (oauth_query), as the plugin's
// client does, so the plugin resumes the authorization; the consent form's Allow button goes to
// /oauth2/consent with accept: true. The kit's user agent fills them in as a person would
// (--username and its password).
// Usage: node better-auth-oauth-provider-1.7.5.js, with the authorization-server environment.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getAuthTables } from '@better-auth/core/db';
import { oauthProvider } from '@better-auth/oauth-provider';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { jwt } from 'better-auth/plugins';
import { MCP_SCOPES, readContract, serve, USER } from './contract.js';
import { sendWebResponse, toWebRequest } from '../servers/contract.js';

const contract = readContract();
const origin = new URL(contract.issuer).origin;
const LOGIN_PAGE = '/login';
const CONSENT_PAGE = '/consent';

const options = {
  baseURL: origin,
  secret: randomBytes(32).toString('base64url'),
  emailAndPassword: { enabled: true },
  disabledPaths: ['/token'],
  telemetry: { enabled: false },
  plugins: [
    jwt(),
    oauthProvider({
      loginPage: LOGIN_PAGE,
      consentPage: CONSENT_PAGE,
      allowDynamicClientRegistration: true,
      allowUnauthenticatedClientRegistration: true,
      scopes: [...MCP_SCOPES, 'offline_access'],
      resources: [contract.resource],
      clientRegistrationDefaultResources: [contract.resource],
    }),
  ],
} satisfies BetterAuthOptions;

// The memory adapter wants every table to exist before it is read: one empty list per model.
const tables = Object.fromEntries(Object.values(getAuthTables(options)).map((table) => [table.modelName, [] as Record<string, unknown>[]]));
const auth = betterAuth({ ...options, database: memoryAdapter(tables) });
await auth.api.signUpEmail({ body: { email: USER.username, password: USER.password, name: 'MCP conformance user' } });

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, title: string, form: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${form}</body></html>`);
}

const signedQuery = (url: URL): string => escape(url.search.slice(1));

function loginPage(res: ServerResponse, url: URL): void {
  page(
    res,
    'Sign in',
    `<form method="post" action="${LOGIN_PAGE}"><input type="hidden" name="oauth_query" value="${signedQuery(url)}">` +
      '<label>E-mail <input type="email" name="email" autocomplete="username"></label>' +
      '<label>Password <input type="password" name="password" autocomplete="current-password"></label>' +
      '<button type="submit">Sign in</button></form>',
  );
}

function consentPage(res: ServerResponse, url: URL): void {
  const scope = escape(url.searchParams.get('scope') ?? '');
  page(
    res,
    'Authorize',
    `<p>The application asks for: ${scope}</p><form method="post" action="${CONSENT_PAGE}"><input type="hidden" name="oauth_query" value="${signedQuery(url)}">` +
      '<button type="submit" name="accept" value="true">Allow</button><button type="submit" name="accept" value="false">Deny</button></form>',
  );
}

/**
 * A form posted to one of the pages, sent on to the better-auth endpoint it stands for as the
 * plugin's client would send it (JSON, the browser's cookies and navigation headers), and answered
 * with what better-auth answers: a redirect onwards, or its error.
 */
async function submitted(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const request = await toWebRequest(req, origin);
  const form = new URLSearchParams(await request.text());
  const oauthQuery = form.get('oauth_query') ?? '';
  const [endpoint, body] =
    path === LOGIN_PAGE
      ? ['/sign-in/email', { email: form.get('email') ?? '', password: form.get('password') ?? '', oauth_query: oauthQuery }]
      : ['/oauth2/consent', { accept: form.get('accept') === 'true', oauth_query: oauthQuery }];
  const headers = new Headers(request.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  const response = await auth.handler(new Request(`${contract.issuer}${endpoint}`, { method: 'POST', headers, body: JSON.stringify(body) }));
  // Where the plugin answers JSON { redirect: true, url }, its client script navigates to url.
  const answer = response.ok && response.headers.get('content-type')?.includes('application/json') ? ((await response.clone().json()) as { redirect?: unknown; url?: unknown }) : undefined;
  if (answer?.redirect === true && typeof answer.url === 'string') {
    const onwards = new Headers({ location: answer.url, 'cache-control': 'no-store' });
    for (const cookie of response.headers.getSetCookie()) onwards.append('set-cookie', cookie);
    return sendWebResponse(res, new Response(null, { status: 303, headers: onwards }));
  }
  await sendWebResponse(res, response);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', origin);
  const own = url.pathname === LOGIN_PAGE || url.pathname === CONSENT_PAGE;
  const handled = !own
    ? toWebRequest(req, origin).then((request) => auth.handler(request)).then((response) => sendWebResponse(res, response))
    : req.method === 'POST'
      ? submitted(req, res, url.pathname)
      : Promise.resolve(url.pathname === LOGIN_PAGE ? loginPage(res, url) : consentPage(res, url));
  handled.catch((error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end();
  });
});
serve(server, contract);
