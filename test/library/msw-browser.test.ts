// mcp-auth-conformance/msw under msw's setupWorker in a real browser: headless Chromium loads a page
// (msw-browser-page.ts, bundled for the browser) from a loopback server, msw's service worker answers
// the page's requests from the library's world, and the trace and verdicts come back from the page.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, describeNodeImports } from '../support/browser-bundle.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import type { PageOutcome } from './msw-browser-page.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe('the msw world in a browser (setupWorker)', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let origin = '';
  const served: string[] = [];

  beforeAll(async () => {
    if (chromiumSkipReason) return;
    browser = await launchChromium();
    const bundle = await bundleForBrowser('test/library/msw-browser-page.ts');
    if (bundle.nodeImports.length > 0) throw new Error(`the page would import Node built-ins:\n${describeNodeImports(bundle.nodeImports)}`);
    // The worker script of the very msw the page was bundled with: msw checks it when it starts.
    const workerScript = readFileSync(createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'));
    const files: Record<string, { type: string; body: string | Buffer }> = {
      '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><title>msw world</title><script type="module" src="/page.js"></script>' },
      '/page.js': { type: 'text/javascript; charset=utf-8', body: bundle.code },
      // At the root, so that its scope covers the page.
      '/mockServiceWorker.js': { type: 'text/javascript; charset=utf-8', body: workerScript },
    };
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://loopback');
      served.push(`${request.method} ${url.pathname}`);
      const file = files[url.pathname];
      response.writeHead(file ? 200 : 404, { 'Content-Type': file?.type ?? 'text/plain', 'Cache-Control': 'no-store' });
      response.end(file?.body ?? 'not found');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    // A secure context, as service workers need: http on a loopback address counts as one.
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('answers a client flow from the page, records it with the right roles, and judges it', async (ctx) => {
    if (chromiumSkipReason) ctx.skip(chromiumSkipReason);
    const context = await browser!.newContext();
    // Every request the browser reports, and whether the service worker answered it.
    const sent: Promise<{ url: URL; fromServiceWorker: boolean }>[] = [];
    context.on('request', (request) => sent.push(request.response().then((response) => ({ url: new URL(request.url()), fromServiceWorker: response?.fromServiceWorker() ?? false }))));
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
    try {
      await page.goto(`${origin}/?scenario=auth/metadata-default`);
      const outcome: PageOutcome = await page.evaluate(() => window.conformance).catch((error: unknown) => {
        throw new Error(`the page's flow failed: ${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`);
      });
      expect(outcome.unhandled).toEqual([]);
      expect(new URL(outcome.callback).origin).toBe(origin);

      const { trace } = outcome;
      expect(trace.scenario).toBe('auth/metadata-default');
      expect(trace.exchanges.map((e) => [e.actor, e.server, e.role, e.request.method, e.response?.status])).toEqual([
        ['client-1', 'rs', 'mcp', 'POST', 401],
        ['client-1', 'rs', 'prm', 'GET', 200],
        ['client-1', 'as', 'as-metadata', 'GET', 200],
        ['client-1', 'as', 'register', 'POST', 201],
        ['client-1', 'as', 'authorize', 'GET', 302],
        ['client-1', 'as', 'token', 'POST', 200],
        ['client-1', 'rs', 'mcp', 'POST', 200],
      ]);
      // The world's URLs exactly as the page sent them: the authorization request with its PKCE challenge.
      const authorization = new URL(trace.exchanges[4].request.url);
      expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
      expect(trace.exchanges[6].request.headers.authorization).toMatch(/^Bearer /);

      // Judged in the page, with the suite's own rules: the flow breaks none of the scenario's checks.
      const verdicts = outcome.verdicts.map((v) => [v.id, v.status]);
      expect(verdicts.length).toBeGreaterThan(15);
      expect(verdicts.filter(([, status]) => status !== 'pass')).toEqual([]);

      // Nothing left loopback, and nothing reached the world's made-up origins but through the worker.
      const reached = await Promise.all(sent);
      const worldOrigins = new Set([trace.world.rsOrigin, trace.world.asOrigin]);
      expect(reached.filter(({ url }) => !LOOPBACK_HOSTS.has(url.hostname)).map(({ url }) => url.href)).toEqual([]);
      const toWorld = reached.filter(({ url }) => worldOrigins.has(url.origin));
      expect(toWorld).toHaveLength(trace.exchanges.length);
      expect(toWorld.filter(({ fromServiceWorker }) => !fromServiceWorker).map(({ url }) => url.href)).toEqual([]);
      // The loopback server gave the page, its script and the worker script; the worker answered the callback too.
      expect(served.filter((line) => !['GET /', 'GET /page.js', 'GET /mockServiceWorker.js', 'GET /favicon.ico'].includes(line))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
