// The kit's stand-in for a person's web browser. The mock authorization endpoint approves at once,
// so "using a browser" reduces to walking redirects from the authorization URL to the client's
// redirect_uri and delivering that one callback request to the client's loopback listener.
import http from 'node:http';
import https from 'node:https';
import type { TraceRecorder } from '../../../mocks/recorder.js';
import { BROWSER_ACTOR, type EndpointRole, type RecordedResponse } from '../../trace.js';

/**
 * The world's ACTOR_HEADER, spelled out so that loading the browser (and so the CLI's `--help` and
 * `list`) does not load the mock world; the browser tests check that the world strips it.
 */
const ACTOR_HEADER = 'x-mcp-auth-conformance-actor';

/** Enough of a page to show in a report; the rest of a response body is read and dropped. */
const MAX_RECORDED_BODY = 64 * 1024;

/**
 * How long a refused callback is delivered again. A CLI may open the browser before its callback
 * listener is up (mcp-remote starts it after `open` returns), and a person's browser takes seconds
 * to load the authorization page; the kit must not be faster than any browser could be.
 */
export const CALLBACK_PATIENCE_MS = 10_000;
/** The first wait after a refused connection; it doubles up to CALLBACK_RETRY_MAX_MS. */
const CALLBACK_RETRY_FIRST_MS = 50;
const CALLBACK_RETRY_MAX_MS = 1000;

export interface BrowseOptions {
  recorder: TraceRecorder;
  /** Origins of the mock world (`http://127.0.0.1:port`); redirects are followed only while they stay here. */
  worldOrigins: readonly string[];
  /** Ends the walk early, e.g. when the client process exits. */
  signal?: AbortSignal;
  maxHops?: number;
  /** Per request; a client may hold its callback response until its whole flow is done. */
  requestTimeoutMs?: number;
  /** How long a callback listener that refuses connections is tried again (default CALLBACK_PATIENCE_MS). */
  callbackPatienceMs?: number;
}

export type BrowseOutcome =
  /** The callback reached the client's listener (whatever it answered). */
  | 'delivered'
  /** The walk stopped before reaching a client: an error page, a non-loopback target, too many hops. */
  | 'stopped'
  /** A request could not complete (connection refused, aborted, timed out). */
  | 'failed';

export interface BrowseResult {
  outcome: BrowseOutcome;
  /** Requests made, world and client together. */
  requests: number;
  /** The URL the walk ended on. */
  lastUrl: string;
  reason: string;
}

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function browse(startUrl: string, options: BrowseOptions): Promise<BrowseResult> {
  const { recorder, signal } = options;
  const maxHops = options.maxHops ?? 10;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const worldOrigins = new Set(options.worldOrigins);
  let requests = 0;
  let url: URL;
  try {
    url = new URL(startUrl);
  } catch {
    return refuse(startUrl, 'not an absolute URL');
  }
  let cameFromWorld = false;

  function refuse(target: string, reason: string): BrowseResult {
    recorder.event('browser-open', BROWSER_ACTOR, { url: target, fetched: false, reason });
    return { outcome: 'stopped', requests, lastUrl: target, reason };
  }

  while (requests < maxHops) {
    if (signal?.aborted) return { outcome: 'failed', requests, lastUrl: url.href, reason: 'stopped: the client is gone' };
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(url.href, `a ${url.protocol} URL is not fetched`);
    if (!isLoopbackHost(url.hostname)) return refuse(url.href, 'only loopback addresses are contacted');

    if (worldOrigins.has(url.origin)) {
      requests++;
      let page: Fetched;
      try {
        // The world records this exchange itself and learns from the header that the browser sent it.
        page = await get(url, { [ACTOR_HEADER]: BROWSER_ACTOR, accept: 'text/html' }, signal, requestTimeoutMs);
      } catch (error) {
        return { outcome: 'failed', requests, lastUrl: url.href, reason: `the world did not answer: ${describe(error)}` };
      }
      const next = redirectTarget(url, page);
      if (!next) return { outcome: 'stopped', requests, lastUrl: url.href, reason: `the world answered ${page.status} without a redirect` };
      url = next;
      cameFromWorld = true;
      continue;
    }

    // Off the world: the client's own listener. Recorded here because no world server sees it.
    requests++;
    const role: EndpointRole = cameFromWorld ? 'callback' : 'unknown';
    const requestHeaders = { host: url.host, accept: 'text/html', 'user-agent': 'mcp-auth-conformance-browser', connection: 'close' };
    // The callback's time in the trace is the delivery that got through (or the last one tried).
    let at = recorder.now();
    const firstTry = at;
    let page: Fetched | undefined;
    let failure: string | undefined;
    let refusals = 0;
    const giveUpAt = performance.now() + (cameFromWorld ? (options.callbackPatienceMs ?? CALLBACK_PATIENCE_MS) : 0);
    for (let wait = CALLBACK_RETRY_FIRST_MS; ; wait = Math.min(2 * wait, CALLBACK_RETRY_MAX_MS)) {
      try {
        page = await get(url, requestHeaders, signal, requestTimeoutMs);
        break;
      } catch (error) {
        failure = describe(error);
        // Only a listener that is not up yet is waited for; one that answered badly has answered.
        if ((error as NodeJS.ErrnoException)?.code !== 'ECONNREFUSED' || signal?.aborted || performance.now() + wait > giveUpAt) break;
        refusals++;
        await sleep(wait, signal);
        at = recorder.now();
      }
    }
    const patience = refusals > 0 ? ` after ${refusals} refused attempt(s) over ${Math.round(recorder.now() - firstTry)} ms` : '';
    const response: RecordedResponse | undefined = page && { status: page.status, headers: page.headers, body: page.body };
    recorder.exchange({
      at,
      durationMs: Math.round((recorder.now() - at) * 10) / 10,
      actor: BROWSER_ACTOR,
      server: 'external',
      role,
      request: { method: 'GET', url: url.href, headers: requestHeaders },
      ...(response ? { response } : {}),
    });
    if (!page) return { outcome: 'failed', requests, lastUrl: url.href, reason: `the client's listener did not answer: ${failure}${patience}` };
    if (cameFromWorld) return { outcome: 'delivered', requests, lastUrl: url.href, reason: `the client answered ${page.status}${patience}` };
    // A client page that starts the flow (it sends the browser on to the authorization server).
    const next = redirectTarget(url, page);
    if (!next || !worldOrigins.has(next.origin)) {
      return { outcome: 'stopped', requests, lastUrl: url.href, reason: `the page answered ${page.status} without sending the browser to the authorization server` };
    }
    url = next;
  }
  recorder.event('browser-open', BROWSER_ACTOR, { url: url.href, fetched: false, reason: `more than ${maxHops} redirects` });
  return { outcome: 'stopped', requests, lastUrl: url.href, reason: `more than ${maxHops} redirects` };
}

function redirectTarget(from: URL, page: Fetched): URL | undefined {
  if (page.status < 300 || page.status > 399) return undefined;
  const location = page.headers['location'];
  if (!location) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`, or at once when the walk is stopped. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message && !e.message.includes(e.code) ? ` ${e.message}` : ''}` : String(e?.message ?? error);
}

/**
 * One GET with no redirect handling, no connection reuse and no decompression: a kept-alive socket
 * would stop a client from closing its callback listener, and the recorded body must be what was sent.
 */
function get(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined, timeoutMs: number): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers: { connection: 'close', ...headers },
        // Also gives `localhost` Node's default dual-stack connect, whichever family the client listens on.
        agent: false,
        signal,
        timeout: timeoutMs,
        // A client's loopback TLS listener has a self-signed certificate; nothing else is ever contacted.
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < MAX_RECORDED_BODY) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on('error', reject);
        response.on('end', () => {
          const headersOut: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headersOut[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: headersOut,
            body: Buffer.concat(chunks).subarray(0, MAX_RECORDED_BODY).toString('utf8'),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end();
  });
}
