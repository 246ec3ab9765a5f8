// One exchange of the mock world, whichever way the request arrived (a loopback socket, msw's
// interception, a nock interceptor): the handlers answer it and the recorder keeps both halves.
// Keeping this in one place is what makes an in-process trace the same as a process-based one.
import { getResponse, type RequestHandler } from 'msw';
import type { EndpointRole, Exchange } from '../core/trace.js';
import type { TraceRecorder } from './recorder.js';

export interface AnswerOptions {
  handlers: RequestHandler[];
  recorder: TraceRecorder;
  server: Exchange['server'];
  role: EndpointRole;
  actor: string;
  /** The URL as it arrived, when the caller has it: a Fetch Request normalises its own. */
  url?: string;
  /** When the request arrived (recorder time), if before the body was read; now otherwise. */
  at?: number;
}

export interface Answered {
  response: Response;
  /** The body as sent: the response's stream is spent by recording it. */
  payload: Uint8Array;
  /** Headers as recorded (no framing headers but a content-length of the payload). */
  headers: Record<string, string>;
  exchange: Exchange;
}

function plainResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

const decoder = new TextDecoder();

/** The recorded body: absent, not empty, when nothing was sent. */
function bodyOf(bytes: Uint8Array): { body?: string } {
  return bytes.length > 0 ? { body: decoder.decode(bytes) } : {};
}

const BODILESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * A handler's fixed method and URL, when it has them: msw compares a plain path to origin +
 * pathname ignoring case and a trailing slash (path-to-regexp's defaults), so such a handler can be
 * ruled out by comparing keys. Handlers with parameters, wildcards, patterns or predicates have no
 * key and are always left to msw.
 */
interface HandlerKey {
  method?: string;
  url?: string;
}

const PLAIN_URL = /^https?:\/\/[A-Za-z0-9.\-:[\]]+(\/[A-Za-z0-9._~\-/]*)?$/;
const handlerKeys = new WeakMap<RequestHandler, HandlerKey>();

const urlKey = (url: string): string => url.toLowerCase().replace(/\/+$/, '');

function keyOf(handler: RequestHandler): HandlerKey {
  let key = handlerKeys.get(handler);
  if (key === undefined) {
    const info = handler.info as { method?: unknown; path?: unknown };
    key = {
      ...(typeof info.method === 'string' ? { method: info.method.toUpperCase() } : {}),
      ...(typeof info.path === 'string' && PLAIN_URL.test(info.path) ? { url: urlKey(info.path) } : {}),
    };
    handlerKeys.set(handler, key);
  }
  return key;
}

/**
 * The handlers that may match a request, in their order. msw tries every handler in turn, parsing
 * the URL and compiling the path for each; a token request would be tried against every resource
 * server handler first. Ruling out the ones whose method or fixed URL differ is cheaper and changes
 * nothing: whichever handler msw would have picked is still the first that matches.
 */
export function candidateHandlers(handlers: readonly RequestHandler[], request: Request): RequestHandler[] {
  const method = request.method.toUpperCase();
  const { origin, pathname } = new URL(request.url);
  const url = urlKey(origin + pathname);
  return handlers.filter((handler) => {
    const key = keyOf(handler);
    return (key.method === undefined || key.method === method) && (key.url === undefined || key.url === url);
  });
}

/**
 * A Fetch request from its parts. The body is read once by the caller, so the same bytes are
 * recorded and handed to the handlers.
 */
export function requestOf(url: string, method: string, headers: Headers, body: Uint8Array): Request {
  const sendsBody = !BODILESS_METHODS.has(method) && body.length > 0;
  return new Request(url, { method, headers, body: sendsBody ? (body as Uint8Array<ArrayBuffer>) : undefined });
}

/**
 * Answers `request` (whose body is `body`) with the handlers and records the exchange before the
 * caller sends anything, so whatever the target does in reaction is recorded later. A handler that
 * throws is answered 500 with the reason, never lost; nothing matching is 404.
 */
export async function answerRecorded(options: AnswerOptions, request: Request, body: Uint8Array): Promise<Answered> {
  const { recorder } = options;
  const at = options.at ?? recorder.now();
  let response: Response;
  try {
    response = (await getResponse(candidateHandlers(options.handlers, request), request)) ?? plainResponse(404, 'Not Found');
  } catch (error) {
    response = plainResponse(500, `mock world handler failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const payload = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding') headers[name] = value;
  });
  headers['content-length'] = String(payload.length);
  const requestHeaders: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    requestHeaders[name] = value;
  });
  const url = options.url ?? request.url;
  const exchange = recorder.exchange({
    at,
    durationMs: Math.round((recorder.now() - at) * 10) / 10,
    actor: options.actor,
    server: options.server,
    role: options.role,
    request: { method: request.method, url, headers: requestHeaders, ...bodyOf(body) },
    response: { status: response.status, headers, ...bodyOf(payload) },
  });
  return { response, payload, headers, exchange };
}
