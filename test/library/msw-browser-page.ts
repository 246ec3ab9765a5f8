// The page of the browser test (msw-browser.test.ts), bundled for the browser: msw's service worker in
// front of the page's fetch, the library's world behind it, and a client flow a browser application
// would make. What the world recorded and judged is left on window for the test to read.
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import type { CheckResult, Trace } from '../../library/msw.js';
import { createWorld } from '../../library/msw.js';

export interface PageOutcome {
  trace: Trace;
  verdicts: CheckResult[];
  /** Requests msw had no handler for, other than the page's own origin: none should leave. */
  unhandled: string[];
  /** The URL the authorization server's redirect brought the browser to. */
  callback: string;
}

declare global {
  interface Window {
    conformance: Promise<PageOutcome>;
  }
}

const callbackUrl = new URL('/callback', location.origin).href;

// The client's own encoding and hashing (Web Crypto), not the kit's: the check that the verifier
// matches the challenge must not be judging the kit against itself.
function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function expectStatus(response: Response, status: number, step: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status}: ${await response.text()}`);
  return response;
}

async function run(): Promise<PageOutcome> {
  const world = await createWorld({ scenario: new URLSearchParams(location.search).get('scenario') ?? undefined });
  const unhandled: string[] = [];
  const worker = setupWorker(
    ...world.handlers,
    // The application's own callback route: the redirect from the authorization endpoint ends here.
    http.get(callbackUrl, () => new HttpResponse('signed in', { headers: { 'Content-Type': 'text/plain' } })),
  );
  await worker.start({
    serviceWorker: { url: '/mockServiceWorker.js' },
    quiet: true,
    onUnhandledRequest(request, print) {
      if (new URL(request.url).origin === location.origin) return;
      unhandled.push(`${request.method} ${request.url}`);
      print.error();
    },
  });

  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser-page', version: '0' } } });
  const mcpHeaders = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  const challenge = await expectStatus(await fetch(world.mcpUrl, { method: 'POST', headers: mcpHeaders, body: initialize }), 401, 'MCP without a token');
  const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge.headers.get('WWW-Authenticate') ?? '')?.[1];
  if (!prmUrl) throw new Error(`no resource_metadata in ${challenge.headers.get('WWW-Authenticate')}`);

  const prm = (await (await expectStatus(await fetch(prmUrl), 200, 'protected resource metadata')).json()) as { resource: string; authorization_servers: string[] };
  const issuer = new URL(prm.authorization_servers[0]);
  const metadataUrl = new URL(`/.well-known/oauth-authorization-server${issuer.pathname === '/' ? '' : issuer.pathname}`, issuer);
  const metadata = (await (await expectStatus(await fetch(metadataUrl), 200, 'authorization server metadata')).json()) as Record<string, string>;

  const registration = await fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'browser-page', redirect_uris: [callbackUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  const { client_id } = (await (await expectStatus(registration, 201, 'registration')).json()) as { client_id: string };

  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challengeS256 = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const authorize = new URL(metadata.authorization_endpoint);
  for (const [name, value] of Object.entries({ response_type: 'code', client_id, redirect_uri: callbackUrl, code_challenge: challengeS256, code_challenge_method: 'S256', state, resource: prm.resource })) {
    authorize.searchParams.set(name, value);
  }
  // The browser follows the authorization server's 302 itself (through the worker, both legs), as
  // it would on a navigation: the page never sees a Location header, only where it ended up.
  const landed = await expectStatus(await fetch(authorize), 200, 'authorization and callback');
  const callback = new URL(landed.url);
  if (callback.origin + callback.pathname !== callbackUrl || callback.searchParams.get('state') !== state) throw new Error(`unexpected callback ${landed.url}`);

  const token = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: callbackUrl, client_id, code_verifier: verifier, resource: prm.resource }),
  });
  const { access_token } = (await (await expectStatus(token, 200, 'token')).json()) as { access_token: string };
  await expectStatus(await fetch(world.mcpUrl, { method: 'POST', headers: { ...mcpHeaders, Authorization: `Bearer ${access_token}` }, body: initialize }), 200, 'MCP with the token');

  worker.stop();
  return { trace: world.trace(), verdicts: world.verdicts(), unhandled, callback: landed.url };
}

window.conformance = run();
