// The mock world: an authorization server and a resource server (PRM + MCP) on two loopback
// origins (a third for a second authorization server), built from MSW handlers chosen by the knobs.
import type { RequestHandler } from 'msw';
import type { EndpointRole, Exchange, WorldFacts } from '../core/trace.js';
import { serveHandlers, type ServedOrigin } from './http-server.js';
import { CONFORMANCE_CIMD_URL, type WorldKnobs } from './knobs.js';
import { roleClassifier, type WorldLayout } from './layout.js';
import type { TraceRecorder } from './recorder.js';
import { createWorldHandlers, createWorldMemory, expireIssuedAccessTokens, revokeRefreshFamilies } from './world-handlers.js';

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
}

export interface World {
  /** Facts of the current configuration: a new object after each reconfigure (earlier ones stay as they were). */
  readonly facts: WorldFacts;
  /** The knobs the world currently runs with. */
  readonly knobs: WorldKnobs;
  /** Every origin the world serves; the kit's browser follows redirects only within these. */
  readonly origins: string[];
  /** Prepends handlers that take precedence over the knob-built ones (MSW's `use()`). */
  use(...handlers: RequestHandler[]): void;
  /** Drops handlers added with `use()`. */
  resetHandlers(): void;
  /**
   * From now on the resource server treats every access token issued so far as expired (401
   * invalid_token, "exp: the token has expired"); tokens issued later are unaffected.
   */
  expireAccessTokens(): void;
  /**
   * Revokes every refresh-token family issued so far, as a user revoking the client's access
   * would: presenting any of their tokens is refused (400 invalid_grant, or the knobs' rejection).
   */
  revokeRefreshTokens(): void;
  /**
   * Rebuilds the handlers from `knobs` and swaps them in, keeping all state: signing keys,
   * registered clients, codes, refresh families, issued and expired tokens, the recorder, the
   * ports, handlers added with `use()`, and what policies remember while their knob is unchanged.
   * A second authorization server that appears for the first time gets a new origin; one that
   * goes away keeps its listener and state but serves nothing. Requests already in flight finish
   * under the handlers they started with.
   */
  reconfigure(knobs: WorldKnobs): Promise<void>;
  /** Closes every listener and open connection. Idempotent. */
  close(): Promise<void>;
}

function worldFacts(knobs: WorldKnobs, layout: WorldLayout): WorldFacts {
  // The URL the challenge names is the one a client should fetch (rs.resourceMetadataPath moves it).
  const prmUrl = layout.resourceMetadataUrl ?? layout.prmUrl;
  const prmServed = prmUrl !== undefined;
  return {
    mcpUrl: layout.mcpUrl,
    canonicalResource: layout.canonicalResource,
    ...(layout.prmResource !== layout.canonicalResource ? { prmResource: layout.prmResource } : {}),
    rsOrigin: layout.rsOrigin,
    asOrigin: layout.asOrigin,
    issuer: layout.issuer,
    ...(prmServed ? { prmUrl } : {}),
    asMetadataUrls: layout.metadata.map((m) => m.url),
    asMetadataProbeOrder: layout.metadataProbeOrder,
    endpoints: { ...layout.endpoints },
    ...(layout.second ? { issuer2: layout.second.issuer, endpoints2: { ...layout.second.endpoints } } : {}),
    ...(knobs.as.preRegistered ? { preRegistered: { ...knobs.as.preRegistered } } : {}),
    ...(knobs.as.cimd ? { cimdUrl: CONFORMANCE_CIMD_URL } : {}),
    ...(knobs.rs.challengeScope !== undefined ? { challengeScope: knobs.rs.challengeScope } : {}),
    ...(prmServed && knobs.prm.scopesSupported ? { scopesSupported: knobs.prm.scopesSupported } : {}),
    knobs,
  };
}

type ServerName = Exclude<Exchange['server'], 'external'>;

export async function startWorld(knobs: WorldKnobs, options: WorldOptions): Promise<World> {
  let added: RequestHandler[] = [];
  let built: RequestHandler[] = [];
  const handlers = () => (added.length > 0 ? [...added, ...built] : built);
  // Replaced with every build; no request can arrive before the first one, since no URL is known.
  let roleOf: (url: URL) => EndpointRole = () => 'unknown';
  const memory = createWorldMemory();

  const listeners = new Map<ServerName, ServedOrigin>();
  let closed = false;
  const serve = async (server: ServerName): Promise<ServedOrigin> => {
    const existing = listeners.get(server);
    if (existing) return existing;
    if (closed) throw new Error('the world is closed');
    const origin = await serveHandlers({
      server,
      handlers,
      recorder: options.recorder,
      actorHeader: ACTOR_HEADER,
      defaultActor: options.defaultActor ?? 'client-1',
      roleOf: (url) => roleOf(url),
      ...(options.actorOf ? { actorOf: (remotePort: number, localPort: number) => options.actorOf?.(remotePort, localPort) } : {}),
    });
    // A close() that ran while this listener was starting must not leave it open.
    if (closed) {
      await origin.close();
      throw new Error('the world is closed');
    }
    listeners.set(server, origin);
    return origin;
  };
  const close = () => {
    closed = true;
    return Promise.all([...listeners.values()].map((origin) => origin.close())).then(() => undefined);
  };

  let current: { knobs: WorldKnobs; facts: WorldFacts };
  const build = async (next: WorldKnobs) => {
    const rs = await serve('rs');
    // A 2025-03-26 world has no separate authorization server: everything lives on the MCP origin.
    const as = next.legacy ? rs : await serve('as');
    const as2 = next.as2 ? await serve('as2') : undefined;
    const world = await createWorldHandlers(next, { rsOrigin: rs.origin, asOrigin: as.origin, ...(as2 ? { as2Origin: as2.origin } : {}) }, memory);
    // Swapped together and synchronously, so no request sees new handlers with old roles.
    roleOf = roleClassifier(world.layout);
    built = world.handlers;
    current = { knobs: next, facts: worldFacts(next, world.layout) };
  };
  // Reconfigurations apply one after another, in the order they were asked for.
  let reconfiguring: Promise<void> = Promise.resolve();

  try {
    await build(knobs);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    get facts() {
      return current.facts;
    },
    get knobs() {
      return current.knobs;
    },
    get origins() {
      return [...new Set([current.facts.rsOrigin, current.facts.asOrigin, ...[...listeners.values()].map((l) => l.origin)])];
    },
    use(...more) {
      added = [...more, ...added];
    },
    resetHandlers() {
      added = [];
    },
    expireAccessTokens() {
      expireIssuedAccessTokens(memory);
    },
    revokeRefreshTokens() {
      revokeRefreshFamilies(memory);
    },
    reconfigure(next) {
      const done = reconfiguring.then(() => build(next));
      reconfiguring = done.catch(() => undefined);
      return done;
    },
    close,
  };
}
