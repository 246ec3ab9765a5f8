// mcp-auth-conformance/msw: the mock world as msw request handlers, for setupServer (Node) or
// setupWorker (a browser) in a client's tests. The world records every exchange it answers, and
// judges the trace with the client suite's checks. Nothing this module reaches may need Node
// (test/library/portable.test.ts holds it to that): a browser application is a client too.
import { http, type RequestHandler } from 'msw';
import type { SetupServer } from 'msw/node';
import { createConformanceWorld, type ConformanceWorld, type WorldOptions } from './world.js';

export { DEFAULT_SCENARIO, type CheckSelection, type ConformanceWorld, type WorldOptions } from './world.js';
export type { CheckResult } from '../core/report.js';
export type { Exchange, Trace } from '../core/trace.js';
export type { KnobOverrides, WorldKnobs } from '../mocks/knobs.js';

export interface MswWorld extends ConformanceWorld {
  /** Hand these to setupServer or setupWorker (or use()): they answer the world's origins and let every other request through to the next handler. */
  readonly handlers: RequestHandler[];
}

/**
 * One msw handler for the whole world. It matches the URLs the world owns at the time of the
 * request, so the origins a reconfiguration adds (a second authorization server) are answered too,
 * and requests elsewhere go to the application's own handlers or, matched by none, to msw's
 * onUnhandledRequest (a handler matching every URL would make that policy never apply).
 */
export function worldHandler(world: ConformanceWorld): RequestHandler {
  return http.all(({ request }) => world.owns(request.url), ({ request }) => world.answer(request));
}

/**
 * msw hands every `response:mocked` listener a clone of the mocked response (a tee of its body) that
 * nobody reads, and until that branch is read or cancelled, cancelling the body the client got never
 * settles (mswjs/interceptors#712, msw 2 on Node). The MCP SDK cancels the body of every 404 it meets
 * during discovery, so without this a client hangs in any world that answers a well-known URL 404.
 * Call it once on each server the world's handlers are given to.
 */
export function releaseResponseClones(server: Pick<SetupServer, 'events'>): void {
  server.events.on('response:mocked', ({ response }) => {
    response.body?.cancel().catch(() => undefined);
  });
}

/** A scenario's world (auth/metadata-default when none is named), ready for setupServer(...world.handlers) or setupWorker(...world.handlers). */
export async function createWorld(options: WorldOptions = {}): Promise<MswWorld> {
  const world = await createConformanceWorld(options);
  return Object.assign(world, { handlers: [worldHandler(world)] });
}
