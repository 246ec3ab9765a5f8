// The mock world: an authorization server and a resource server (PRM + MCP) on two loopback
// origins, built from MSW handlers chosen by the knobs.
import type { RequestHandler } from 'msw';
import type { EndpointRole, WorldFacts } from '../core/trace.js';
import { serveHandlers, type ServedOrigin } from './http-server.js';
import { CONFORMANCE_CIMD_URL, type WorldKnobs } from './knobs.js';
import { roleClassifier, type WorldLayout } from './layout.js';
import type { TraceRecorder } from './recorder.js';
import { createWorldHandlers } from './world-handlers.js';

/** Header the kit puts on its own requests (the browser) so the world can tell who sent them; stripped before recording. */
export const ACTOR_HEADER = 'x-mcp-auth-conformance-actor';

export interface WorldOptions {
  recorder: TraceRecorder;
  /** Actor recorded for requests that carry no ACTOR_HEADER (one client process: 'client-1'). */
  defaultActor?: string;
}

export interface World {
  readonly facts: WorldFacts;
  /** Every origin the world serves; the kit's browser follows redirects only within these. */
  readonly origins: string[];
  /** Prepends handlers that take precedence over the knob-built ones (MSW's `use()`). */
  use(...handlers: RequestHandler[]): void;
  /** Drops handlers added with `use()`. */
  resetHandlers(): void;
  /** Closes every listener and open connection. Idempotent. */
  close(): Promise<void>;
}

function worldFacts(knobs: WorldKnobs, layout: WorldLayout): WorldFacts {
  const prmServed = layout.prmUrl !== undefined;
  return {
    mcpUrl: layout.mcpUrl,
    canonicalResource: layout.canonicalResource,
    rsOrigin: layout.rsOrigin,
    asOrigin: layout.asOrigin,
    issuer: layout.issuer,
    ...(prmServed ? { prmUrl: layout.prmUrl } : {}),
    asMetadataUrls: layout.metadata.map((m) => m.url),
    asMetadataProbeOrder: layout.metadataProbeOrder,
    endpoints: { ...layout.endpoints },
    ...(knobs.as.preRegistered ? { preRegistered: { ...knobs.as.preRegistered } } : {}),
    ...(knobs.as.cimd ? { cimdUrl: CONFORMANCE_CIMD_URL } : {}),
    ...(knobs.rs.challengeScope !== undefined ? { challengeScope: knobs.rs.challengeScope } : {}),
    ...(prmServed && knobs.prm.scopesSupported ? { scopesSupported: knobs.prm.scopesSupported } : {}),
    knobs,
  };
}

export async function startWorld(knobs: WorldKnobs, options: WorldOptions): Promise<World> {
  let added: RequestHandler[] = [];
  let built: RequestHandler[] = [];
  const handlers = () => (added.length > 0 ? [...added, ...built] : built);
  // Filled in once the ports, and so the URLs, are known; no request can arrive before that.
  let roleOf: (url: URL) => EndpointRole = () => 'unknown';

  const served: ServedOrigin[] = [];
  const serve = async (server: 'as' | 'rs') => {
    const origin = await serveHandlers({
      server,
      handlers,
      recorder: options.recorder,
      actorHeader: ACTOR_HEADER,
      defaultActor: options.defaultActor ?? 'client-1',
      roleOf: (url) => roleOf(url),
    });
    served.push(origin);
    return origin;
  };
  const close = () => Promise.all(served.map((origin) => origin.close())).then(() => undefined);

  try {
    const rs = await serve('rs');
    // A 2025-03-26 world has no separate authorization server: everything lives on the MCP origin.
    const as = knobs.legacy ? rs : await serve('as');
    const world = await createWorldHandlers(knobs, { rsOrigin: rs.origin, asOrigin: as.origin });
    const layout = world.layout;
    roleOf = roleClassifier(layout);
    built = world.handlers;

    return {
      facts: worldFacts(knobs, layout),
      origins: [...new Set([layout.rsOrigin, layout.asOrigin])],
      use(...handlers) {
        added = [...handlers, ...added];
      },
      resetHandlers() {
        added = [];
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
