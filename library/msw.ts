// mcp-auth-conformance/msw: the mock world as msw request handlers, for setupServer (Node) in a
// client's unit tests. The world records every exchange it answers, and judges the trace with the
// client suite's checks.
import { http, type RequestHandler } from 'msw';
import { createConformanceWorld, type ConformanceWorld, type WorldOptions } from './world.js';

export { DEFAULT_SCENARIO, type CheckSelection, type ConformanceWorld, type WorldOptions } from './world.js';
export type { CheckResult } from '../core/report.js';
export type { Exchange, Trace } from '../core/trace.js';
export type { KnobOverrides, WorldKnobs } from '../mocks/knobs.js';

export interface MswWorld extends ConformanceWorld {
  /** Hand these to setupServer (or server.use): they answer the world's origins and let every other request through to the next handler. */
  readonly handlers: RequestHandler[];
}

/**
 * One msw handler for the whole world. It matches any URL and answers only the world's origins, so
 * the origins a reconfiguration adds (a second authorization server) are answered too, and
 * requests elsewhere fall through to the application's own handlers or msw's unhandled policy.
 */
export function worldHandler(world: ConformanceWorld): RequestHandler {
  return http.all(/.*/, ({ request }) => (world.owns(request.url) ? world.answer(request) : undefined));
}

/** A scenario's world (auth/metadata-default when none is named), ready for setupServer(...world.handlers). */
export async function createWorld(options: WorldOptions = {}): Promise<MswWorld> {
  const world = await createConformanceWorld(options);
  return Object.assign(world, { handlers: [worldHandler(world)] });
}
