// mcp-auth-conformance/nock: the mock world as nock interceptors, for a client's unit tests that
// already mock HTTP with nock. The world records every exchange it answers, and judges the trace with
// the client suite's checks, exactly as the msw entry point does: only the interception differs.
import { isUtf8 } from 'node:buffer';
import nock from 'nock';
import { requestOf } from '../mocks/answer.js';
import { createConformanceWorld, type ConformanceWorld, type WorldOptions } from './world.js';

export { DEFAULT_SCENARIO, type CheckSelection, type ConformanceWorld, type WorldOptions } from './world.js';
export type { CheckResult } from '../core/report.js';
export type { Exchange, Trace } from '../core/trace.js';
export type { KnobOverrides, WorldKnobs } from '../mocks/knobs.js';

export interface WorldInterception {
  /** One persisting nock scope per origin of the world. */
  readonly scopes: readonly nock.Scope[];
  /**
   * Throws unless the world answered at least one request since the interception began: the
   * client under test went somewhere else, or nothing was intercepted. (Persisting interceptors
   * that match any path can never all be "done" in nock's sense, so this is the useful assertion.)
   */
  done(): void;
  /** Removes exactly the interceptors this interception added; nock's other interceptors stay. */
  restore(): void;
}

export interface NockWorld extends ConformanceWorld {
  /** Intercepts the world's origins with nock until `restore()`. */
  intercept(): WorldInterception;
}

// nock has no any-method interceptor; these are the methods a client of the world can send.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Bytes of a request body as nock hands it over: UTF-8 text, or hex when the bytes are not UTF-8. */
function bodyBytes(text: string): Uint8Array {
  if (/^(?:[0-9a-f]{2})+$/.test(text)) {
    const bytes = Buffer.from(text, 'hex');
    // A UTF-8 body would have been handed over as text, so hex of non-UTF-8 bytes is unambiguous.
    if (!isUtf8(bytes)) return bytes;
  }
  return Buffer.from(text, 'utf8');
}

function headersOf(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one));
  }
  return headers;
}

/** A Fetch Response as nock's reply tuple; each Set-Cookie stays a header of its own. */
async function replyOf(response: Response): Promise<[number, Buffer, string[]]> {
  const payload = Buffer.from(await response.arrayBuffer());
  const headers: string[] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'content-length' && name !== 'transfer-encoding') headers.push(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push('set-cookie', cookie);
  headers.push('content-length', String(payload.length));
  return [response.status, payload, headers];
}

/** What a client meets at an origin the world has not brought up yet: nothing listening. */
function refused(url: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED: nothing of the mock world serves ${url} yet`), { code: 'ECONNREFUSED' });
}

/**
 * Intercepts every origin the world may ever have (the second authorization server's too, so a
 * reconfiguration that adds it is answered), every method and every path, answering with the world.
 */
export function interceptWorld(world: ConformanceWorld): WorldInterception {
  // nock activates itself on import; a test that called nock.restore() earlier needs it back on.
  if (!nock.isActive()) nock.activate();
  const answeredBefore = world.recorder.exchanges.length;
  // nock emits a scope's `request` event with the body just before the reply function runs; the
  // reply function itself only sees the body parsed as JSON, which would not be the bytes sent.
  const bodies = new WeakMap<object, string>();
  const keepBody = (req: object, _interceptor: unknown, body: string) => bodies.set(req, body);
  const interceptors: nock.Interceptor[] = [];
  const scopes = world.allOrigins().map((origin) => {
    const scope = nock(origin).persist();
    scope.on('request', keepBody);
    for (const method of METHODS) {
      const interceptor = scope.intercept(() => true, method);
      interceptor.reply(async function (path) {
        const url = `${origin}${path}`;
        if (!world.owns(url)) throw refused(url);
        const body = bodyBytes(bodies.get(this.req) ?? '');
        return replyOf(await world.answer(requestOf(url, method, headersOf(this.req.headers), body)));
      });
      interceptors.push(interceptor);
    }
    return scope;
  });
  let restored = false;
  return {
    scopes,
    done() {
      if (world.recorder.exchanges.length === answeredBefore) {
        throw new Error(`the mock world answered no request (${world.allOrigins().join(', ')}): did the client reach it?`);
      }
    },
    restore() {
      if (restored) return;
      restored = true;
      for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
      for (const scope of scopes) scope.off('request', keepBody);
    },
  };
}

/** A scenario's world (auth/metadata-default when none is named); `world.intercept()` puts it in place. */
export async function createWorld(options: WorldOptions = {}): Promise<NockWorld> {
  const world = await createConformanceWorld(options);
  return Object.assign(world, { intercept: () => interceptWorld(world) });
}
