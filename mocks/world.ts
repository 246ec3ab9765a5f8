// The mock world: an authorization server and a resource server (PRM + MCP) on two loopback
// origins (a third for a second authorization server), built from MSW handlers chosen by the knobs.
import { serveHandlers, type ServedOrigin } from './http-server.js';
import type { WorldKnobs } from './knobs.js';
import type { TraceRecorder } from './recorder.js';
import type { EndpointRole } from '../core/trace.js';
import { createWorldCore, type WorldControls, type WorldCore, type WorldServer } from './world-core.js';

/** Header the kit puts on its own requests (the browser) so the world can tell who sent them; stripped before recording. */
export const ACTOR_HEADER = 'x-mcp-auth-conformance-actor';

export interface WorldOptions {
  recorder: TraceRecorder;
  /** Actor recorded for requests that carry no ACTOR_HEADER (one client process: 'client-1'). */
  defaultActor?: string;
  /**
   * Names the actor of a client connection from its ports (the client's, then the world's), for
   * requests that carry no ACTOR_HEADER; undefined falls back to `defaultActor`. Asked at most once
   * per connection, on its first such request. The engine uses it to tell racing copies apart and to
   * number the instances of successive runs.
   */
  actorOf?(remotePort: number, localPort: number): string | undefined;
  /** Fixed ports at 127.0.0.1 (a long-running mock); ephemeral ones for the servers not named. */
  ports?: Partial<Record<WorldServer, number>>;
}

export interface World extends WorldControls {
  /** Every origin the world serves; the kit's browser follows redirects only within these. */
  readonly origins: string[];
  /** Which endpoint of the current configuration a URL is, as the trace records it. */
  roleOf(url: URL): EndpointRole;
  issueAccessToken: WorldCore['issueAccessToken'];
  /** Closes every listener and open connection. Idempotent. */
  close(): Promise<void>;
}

export async function startWorld(knobs: WorldKnobs, options: WorldOptions): Promise<World> {
  const listeners = new Map<WorldServer, ServedOrigin>();
  let closed = false;
  let core: WorldCore | undefined;
  const serve = async (server: WorldServer): Promise<string> => {
    if (closed) throw new Error('the world is closed');
    const port = options.ports?.[server];
    const origin = await serveHandlers({
      server,
      handlers: () => core?.handlers() ?? [],
      recorder: options.recorder,
      actorHeader: ACTOR_HEADER,
      defaultActor: options.defaultActor ?? 'client-1',
      roleOf: (url) => core?.roleOf(url) ?? 'unknown',
      ...(port !== undefined ? { port } : {}),
      ...(options.actorOf ? { actorOf: (remotePort: number, localPort: number) => options.actorOf?.(remotePort, localPort) } : {}),
    });
    // A close() that ran while this listener was starting must not leave it open.
    if (closed) {
      await origin.close();
      throw new Error('the world is closed');
    }
    listeners.set(server, origin);
    return origin.origin;
  };
  const close = () => {
    closed = true;
    return Promise.all([...listeners.values()].map((origin) => origin.close())).then(() => undefined);
  };

  try {
    core = await createWorldCore(knobs, serve);
  } catch (error) {
    await close();
    throw error;
  }
  const world = core;
  return {
    get facts() {
      return world.facts;
    },
    get knobs() {
      return world.knobs;
    },
    get origins() {
      return [...new Set([world.facts.rsOrigin, world.facts.asOrigin, ...[...listeners.values()].map((l) => l.origin)])];
    },
    roleOf: (url) => world.roleOf(url),
    issueAccessToken: (order) => world.issueAccessToken(order),
    use: (...handlers) => world.use(...handlers),
    resetHandlers: () => world.resetHandlers(),
    expireAccessTokens: () => world.expireAccessTokens(),
    revokeRefreshTokens: (token) => world.revokeRefreshTokens(token),
    rotateSigningKeys: (withdraw) => world.rotateSigningKeys(withdraw),
    reconfigure: (next) => world.reconfigure(next),
    close,
  };
}
