// The headless user agent against small authorization servers made up for each test: it must get
// through redirects, login and consent pages as a browser would, read where the server finally
// sends the browser, and never go there.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UserAgent, type UserAgentOptions } from '../../core/targets/authorization-server/user-agent.js';
import { Probe } from '../../core/targets/probe.js';
import { TraceRecorder } from '../../mocks/recorder.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Site {
  origin: string;
  seen: Seen[];
}

type Handler = (request: Seen, response: ServerResponse) => void;

const servers: Array<ReturnType<typeof createServer>> = [];
// Requests that reached a client's redirect URI; the agent must never make one.
let callbackHits: Seen[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  const hits = callbackHits;
  callbackHits = [];
  expect(hits, 'the agent connected to the redirect URI').toEqual([]);
});

async function site(handle: Handler): Promise<Site> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      try {
        handle(entry, response);
      } catch (error) {
        response.writeHead(500).end(String(error));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A client's redirect URI with a listener behind it that records whoever comes. */
async function clientCallback(): Promise<string> {
  const callback = await site((request, response) => {
    callbackHits.push(request);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('the agent was not supposed to come here');
  });
  return `${callback.origin}/callback`;
}

function agent(options: Omit<UserAgentOptions, 'probe'>, origin: string): { agent: UserAgent; recorder: TraceRecorder } {
  const recorder = new TraceRecorder();
  const probe = new Probe(recorder, { baseUrl: origin, roleOf: () => 'unknown', actor: 'browser', timeoutMs: 10_000 });
  return { agent: new UserAgent({ probe, ...options }), recorder };
}

function redirect(response: ServerResponse, location: string, status = 302, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { location, ...headers }).end();
}

function page(response: ServerResponse, html: string, status = 200, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(`<!doctype html><html><head><title>AS</title></head><body>${html}</body></html>`);
}

function cookiesOf(request: Seen): Record<string, string> {
  return Object.fromEntries((request.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((pair) => pair.split('=') as [string, string]));
}

const LOGIN_FORM = `
  <h1>Sign in</h1>
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="token-123">
    <label>Email <input type="email" name="email" id="email"></label>
    <label>Password <input type="password" name="pass"></label>
    <label><input type="checkbox" name="remember"> Remember me</label>
    <button type="button" onclick="history.back()">Back</button>
    <button type="submit" name="action" value="login">Sign in</button>
  </form>`;

describe('the headless user agent', () => {
  it('reads code, state and iss from a redirect straight to the redirect URI, as a browser navigation', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => redirect(response, `${redirectUri}?code=abc&state=xyz&iss=${encodeURIComponent('https://as.example')}`));
    const { agent: ua, recorder } = agent({ redirectUri }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize?client_id=c&state=xyz`, 'auth');

    expect(outcome).toEqual({
      kind: 'redirected',
      url: `${redirectUri}?code=abc&state=xyz&iss=https%3A%2F%2Fas.example`,
      params: { code: 'abc', state: 'xyz', iss: 'https://as.example' },
      from: 'query',
      exchange: 1,
    });
    expect(recorder.exchanges).toHaveLength(1);
    expect(recorder.exchanges[0]).toMatchObject({ actor: 'browser', role: 'authorize', label: 'auth', request: { method: 'GET' } });
    expect(as.seen[0].headers).toMatchObject({
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      'sec-fetch-site': 'none',
      'sec-fetch-user': '?1',
      'upgrade-insecure-requests': '1',
    });
    expect(as.seen[0].headers['user-agent']).toMatch(/^Mozilla\/5\.0 /);
    expect(as.seen[0].headers.cookie).toBeUndefined();
  });

  describe('a login form', () => {
    async function loginServer(redirectUri: string): Promise<Site> {
      return site((request, response) => {
        if (request.path.startsWith('/authorize')) return redirect(response, '/login', 302, { 'set-cookie': 'tx=authz-1; Path=/; HttpOnly' });
        if (request.path === '/login' && request.method === 'GET') {
          return page(response, LOGIN_FORM, 200, { 'set-cookie': ['session=s1; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/'] });
        }
        if (request.path === '/login' && request.method === 'POST') {
          const cookies = cookiesOf(request);
          if (cookies.session !== 's1' || cookies.tx !== 'authz-1') return page(response, '<p>Your session expired</p>', 403);
          const form = new URLSearchParams(request.body);
          if (form.get('csrf') !== 'token-123') return page(response, '<p>CSRF check failed</p>', 403);
          if (form.get('email') !== 'ada@example.com' || form.get('pass') !== 'hunter2') return page(response, `<p>Wrong email or password</p>${LOGIN_FORM}`, 401);
          return redirect(response, `${redirectUri}?code=logged-in&state=s`);
        }
        page(response, '<p>not found</p>', 404);
      });
    }

    it('is filled in with the credentials and posted with the cookies it set', async () => {
      const redirectUri = await clientCallback();
      const as = await loginServer(redirectUri);
      const { agent: ua, recorder } = agent({ redirectUri, username: 'ada@example.com', password: 'hunter2' }, as.origin);

      const outcome = await ua.authorize(`${as.origin}/authorize?state=s`, 'login');

      expect(outcome).toMatchObject({ kind: 'redirected', params: { code: 'logged-in', state: 's' }, exchange: 3 });
      expect(recorder.exchanges.map((e) => e.label)).toEqual(['login', 'login:step-1', 'login:step-2']);
      expect(recorder.exchanges.map((e) => e.role)).toEqual(['authorize', 'unknown', 'unknown']);
      const post = as.seen[2];
      expect(post.method).toBe('POST');
      expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(post.headers.origin).toBe(as.origin);
      expect(post.headers.referer).toBe(`${as.origin}/login`);
      expect(post.headers['sec-fetch-site']).toBe('same-origin');
      expect(cookiesOf(post)).toEqual({ tx: 'authz-1', session: 's1', theme: 'dark' });
      // Hidden input kept, unchecked box and plain button left out, the pressed button's value sent.
      expect([...new URLSearchParams(post.body)]).toEqual([
        ['csrf', 'token-123'],
        ['email', 'ada@example.com'],
        ['pass', 'hunter2'],
        ['action', 'login'],
      ]);
      expect(as.seen[1].headers['sec-fetch-site']).toBe('same-origin');
    });

    it('stops when it comes back after a wrong password, rather than trying again', async () => {
      const redirectUri = await clientCallback();
      const as = await loginServer(redirectUri);
      const { agent: ua, recorder } = agent({ redirectUri, username: 'ada@example.com', password: 'wrong' }, as.origin);

      const outcome = await ua.authorize(`${as.origin}/authorize`, 'login');

      expect(outcome).toEqual({ kind: 'stopped', reason: 'the login form came back: the username or password was refused', exchange: 3 });
      expect(recorder.exchanges).toHaveLength(3);
      expect(recorder.exchanges[2].response?.status).toBe(401);
    });

    it('stops at a login form when no password was given', async () => {
      const redirectUri = await clientCallback();
      const as = await loginServer(redirectUri);
      const { agent: ua } = agent({ redirectUri }, as.origin);

      const outcome = await ua.authorize(`${as.origin}/authorize`, 'login');

      expect(outcome).toMatchObject({ kind: 'stopped', exchange: 2 });
      expect(outcome.kind === 'stopped' && outcome.reason).toMatch(/login form, and no password was given/);
      expect(as.seen.filter((r) => r.method === 'POST')).toEqual([]);
    });
  });

  it('presses Allow, not Deny, on a consent page', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => {
      if (request.path.startsWith('/authorize')) {
        return page(
          response,
          `<p>Example App wants to read your files.</p>
           <form method="POST" action="/consent">
             <input type="hidden" name="request_id" value="r-9">
             <select name="duration"><option value="1h">One hour</option><option value="1d">One day</option></select>
             <button type="submit" name="decision" value="deny">Deny</button>
             <button type="submit" name="decision" value="allow">Allow</button>
           </form>`,
        );
      }
      const form = new URLSearchParams(request.body);
      if (form.get('decision') === 'allow' && form.get('request_id') === 'r-9') return redirect(response, `${redirectUri}?code=granted`, 303);
      redirect(response, `${redirectUri}?error=access_denied`, 303);
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize`, 'consent');

    expect(outcome).toMatchObject({ kind: 'redirected', params: { code: 'granted' }, exchange: 2 });
    expect(as.seen[1].body).toBe('request_id=r-9&duration=1h&decision=allow');
  });

  it('submits the controls of a form as a browser would, wherever they stand on the page', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => {
      if (request.method === 'POST') return redirect(response, `${redirectUri}?code=ok`);
      page(
        response,
        `<form id="f" method="post" action="/approve?x=1">
           <input name="off" value="x" disabled>
           <input type="checkbox" name="scope" value="read" checked><input type="checkbox" name="scope" value="write">
           <input type="radio" name="ttl" value="short"><input type="radio" name="ttl" value="long" checked>
           <select name="multi" multiple><option selected>a</option><option>b</option><option value="c" selected>C!</option></select>
           <textarea name="note">
line one &amp; two</textarea>
           <input type="reset" name="reset"><input type="file" name="upload">
           <input type="image" name="go" alt="Approve">
         </form>
         <input name="outside" value="joined" form="f">
         <input name="stray" value="no form">`,
      );
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'controls')).toMatchObject({ params: { code: 'ok' } });
    expect(as.seen[1].path).toBe('/approve?x=1');
    expect([...new URLSearchParams(as.seen[1].body)]).toEqual([
      ['scope', 'read'],
      ['ttl', 'long'],
      ['multi', 'a'],
      ['multi', 'c'],
      ['note', 'line one & two'],
      ['go.x', '0'],
      ['go.y', '0'],
      ['outside', 'joined'],
    ]);
  });

  it('resolves relative Locations against the URL that sent them', async () => {
    const as = await site((request, response) => {
      if (request.path.startsWith('/oauth/authorize')) return redirect(response, 'login/start?x=1');
      if (request.path.startsWith('/oauth/login/start')) return redirect(response, '../../callback?code=rel&state=r');
      callbackHits.push(request);
      page(response, 'callback', 200);
    });
    const { agent: ua } = agent({ redirectUri: `${as.origin}/callback` }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/oauth/authorize`, 'relative');

    expect(outcome).toEqual({ kind: 'redirected', url: `${as.origin}/callback?code=rel&state=r`, params: { code: 'rel', state: 'r' }, from: 'query', exchange: 2 });
    expect(as.seen.map((r) => r.path)).toEqual(['/oauth/authorize', '/oauth/login/start?x=1']);
  });

  it('turns a POST answered 303 into a GET, and repeats it on 307', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => {
      if (request.path === '/authorize') return page(response, '<form method="post" action="/step"><input name="n" value="1"><button>Continue</button></form>');
      if (request.path === '/step') return redirect(response, '/again', 307);
      if (request.path === '/again') return redirect(response, '/done', 303);
      if (request.path === '/done') return redirect(response, `${redirectUri}?code=after-303`);
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize`, 'methods');

    expect(outcome).toMatchObject({ kind: 'redirected', params: { code: 'after-303' }, exchange: 4 });
    expect(as.seen.map((r) => [r.method, r.path, r.body])).toEqual([
      ['GET', '/authorize', ''],
      ['POST', '/step', 'n=1'],
      ['POST', '/again', 'n=1'],
      ['GET', '/done', ''],
    ]);
    expect(as.seen[2].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(as.seen[3].headers['content-type']).toBeUndefined();
  });

  it('reads the parameters from the fragment when the query has none', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) => redirect(response, `${redirectUri}#code=frag&state=f`));
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'fragment')).toEqual({
      kind: 'redirected',
      url: `${redirectUri}#code=frag&state=f`,
      params: { code: 'frag', state: 'f' },
      from: 'fragment',
      exchange: 1,
    });
  });

  it('reads an error the server sends back to the client like any other redirect', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) => redirect(response, `${redirectUri}?error=invalid_scope&error_description=no+such+scope&state=e`));
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'error')).toMatchObject({
      kind: 'redirected',
      params: { error: 'invalid_scope', error_description: 'no such scope', state: 'e' },
    });
  });

  it('stops at the registered redirect URI too when a request naming another one is answered there', async () => {
    const registered = await clientCallback();
    const presented = `${registered}/elsewhere`;
    const as = await site((_request, response) => redirect(response, `${registered}?code=fallback`));
    const { agent: ua } = agent({ redirectUri: presented, alsoStopAt: [registered] }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize?redirect_uri=${encodeURIComponent(presented)}`, 'other')).toMatchObject({ kind: 'redirected', url: `${registered}?code=fallback`, params: { code: 'fallback' } });
  });

  it('stops at an error page and quotes what it says', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) => page(response, '<script>var x = 1;</script><h1>Error</h1>\n<p>invalid   <b>redirect_uri</b></p>', 400));
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'bad')).toEqual({
      kind: 'stopped',
      reason: 'the authorization server answered 400 and showed: "Error invalid redirect_uri"',
      exchange: 1,
    });
  });

  it('stops at an answer that is not a page and says what came', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: 'x'.repeat(300) }));
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize`, 'json');

    expect(outcome.kind).toBe('stopped');
    expect(outcome.exchange).toBe(1);
    expect(outcome.kind === 'stopped' && outcome.reason).toMatch(/^the authorization server answered 400 with application\/json, not a page: "\{"error":"invalid_request".*\.\.\."$/);
  });

  it('stops when a request gets no answer', async () => {
    const redirectUri = await clientCallback();
    const gone = await site(() => undefined);
    servers.pop()!.close();
    const as = await site((_request, response) => redirect(response, `${gone.origin}/login`));
    const { agent: ua } = agent({ redirectUri }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize`, 'unanswered');

    expect(outcome).toMatchObject({ kind: 'stopped', exchange: 2 });
    expect(outcome.kind === 'stopped' && outcome.reason).toMatch(new RegExp(`^GET ${gone.origin}/login got no answer: .*ECONNREFUSED`));
  });

  it('follows a login page on another origin and a meta refresh back', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => {
      if (request.path.startsWith('/authorize')) return redirect(response, `${idp.origin}/signin?return=${encodeURIComponent(`${as.origin}/resume`)}`);
      if (request.path === '/resume') return redirect(response, `${redirectUri}?code=federated`);
    });
    const idp = await site((request, response) => {
      if (request.method === 'GET') return page(response, `<form method="post"><input name="username"><input type="password" name="password"><input type="submit" value="Log in"></form>`);
      page(response, `<meta http-equiv="refresh" content="0; URL='${as.origin}/resume'"><p>Redirecting...</p>`);
    });
    const { agent: ua } = agent({ redirectUri, username: 'ada', password: 'pw' }, as.origin);

    const outcome = await ua.authorize(`${as.origin}/authorize`, 'federated');

    expect(outcome).toMatchObject({ kind: 'redirected', params: { code: 'federated' }, exchange: 4 });
    expect(idp.seen[0].headers['sec-fetch-site']).toBe('cross-site');
    expect(idp.seen[1]).toMatchObject({ method: 'POST', path: `/signin?return=${encodeURIComponent(`${as.origin}/resume`)}`, body: 'username=ada&password=pw' });
    expect(as.seen[1].headers['sec-fetch-site']).toBe('cross-site');
    expect(as.seen[1].headers['sec-fetch-user']).toBeUndefined();
    expect(as.seen[1].headers.referer).toBe(`${idp.origin}/`);
  });

  it('follows a Refresh header', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', refresh: `0;url=${redirectUri}?code=refreshed` }).end('one moment');
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'refresh')).toMatchObject({ kind: 'redirected', params: { code: 'refreshed' }, exchange: 1 });
  });

  it('gives up on a loop of redirects', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => redirect(response, request.path === '/a' ? '/b' : '/a'));
    const { agent: ua, recorder } = agent({ redirectUri, maxSteps: 5 }, as.origin);

    expect(await ua.authorize(`${as.origin}/a`, 'loop')).toEqual({ kind: 'stopped', reason: 'gave up after 5 steps', exchange: 5 });
    expect(recorder.exchanges).toHaveLength(5);
    expect(recorder.exchanges.at(-1)!.label).toBe('loop:step-4');
  });

  it('reads the fields of a form posted to the redirect URI (response_mode=form_post) without posting it', async () => {
    const redirectUri = await clientCallback();
    const as = await site((_request, response) =>
      page(
        response,
        `<body onload="document.forms[0].submit()">
           <form method="post" action="${redirectUri}">
             <input type="hidden" name="code" value="posted">
             <input type="hidden" name="state" value="p&amp;q">
             <noscript><button type="submit">Continue</button></noscript>
           </form>`,
      ),
    );
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize?response_mode=form_post`, 'form-post')).toEqual({
      kind: 'redirected',
      url: redirectUri,
      params: { code: 'posted', state: 'p&q' },
      from: 'form_post',
      exchange: 1,
    });
  });

  it('keeps the cookies of one authorization for the next, as one browser profile does', async () => {
    const redirectUri = await clientCallback();
    const as = await site((request, response) => {
      if (cookiesOf(request).session === 'known') return redirect(response, `${redirectUri}?code=again`);
      redirect(response, `${redirectUri}?code=first`, 302, { 'set-cookie': 'session=known; Path=/' });
    });
    const { agent: ua } = agent({ redirectUri }, as.origin);

    expect(await ua.authorize(`${as.origin}/authorize`, 'one')).toMatchObject({ params: { code: 'first' } });
    expect(await ua.authorize(`${as.origin}/authorize`, 'two')).toMatchObject({ params: { code: 'again' }, exchange: 2 });
  });
});
