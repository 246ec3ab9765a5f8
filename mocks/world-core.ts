// The mock world without a transport: its knobs, its handlers and what it remembers across
// reconfiguration. Served over loopback (world.ts) for targets in other processes, and answered
// in-process (in-process-world.ts) for msw, nock and test-runner fixtures: one world definition.
import type { RequestHandler } from 'msw';
import type { EndpointRole, Exchange, WorldFacts } from '../core/trace.js';
import { issueAccessToken } from './authorization-server/grants/issue.js';
import { rotateSigningKey } from './authorization-server/index.js';
import { CONFORMANCE_CIMD_URL, type WorldKnobs } from './knobs.js';
import { roleClassifier, type WorldLayout } from './layout.js';
import { createWorldHandlers, createWorldMemory, expireIssuedAccessTokens, revokeRefreshFamilies } from './world-handlers.js';

/** The servers a world can have; each gets an origin of its own. */
export type WorldServer = Extract<Exchange['server'], 'as' | 'rs' | 'as2'>;

/** What the world controls at run time, whatever carries its requests. */
export interface WorldControls {
  /** Facts of the current configuration: a new object after each reconfigure (earlier ones stay as they were). */
  readonly facts: WorldFacts;
  /** The knobs the world currently runs with. */
  readonly knobs: WorldKnobs;
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
   * Given one refresh token (current or superseded), only its family. Returns how many families
   * this revoked; undefined for a token the world never issued.
   */
  revokeRefreshTokens(token?: string): number | undefined;
  /**
   * Every authorization server of the world signs with a new key from now on. The old key stays on
   * the JWKS endpoint (its tokens stay valid) unless `withdraw` takes it off, as after a compromise.
   * Returns the new key ids.
   */
  rotateSigningKeys(withdraw?: boolean): Promise<string[]>;
  /**
   * Rebuilds the handlers from `knobs` and swaps them in, keeping all state: signing keys,
   * registered clients, codes, refresh families, issued and expired tokens, the recorder, the
   * origins, handlers added with `use()`, and what policies remember while their knob is unchanged.
   * A second authorization server that appears for the first time gets a new origin; one that
   * goes away keeps its origin and state but serves nothing. Requests already in flight finish
   * under the handlers they started with.
   */
  reconfigure(knobs: WorldKnobs): Promise<void>;
}

/** An access token made to order (a long-running mock's `token` command), as a token endpoint would issue it. */
export interface AccessTokenOrder {
  scope?: string;
  /** Default: conformance-user, as for the world's own tokens. */
  sub?: string;
  /** Default: the authorization server's accessTokenTtlSeconds. */
  ttlSeconds?: number;
  clientId?: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  issuer: string;
  expiresIn: number;
  scope?: string;
}

export interface WorldCore extends WorldControls {
  /** The handlers in force now: those added with use(), then the knob-built ones. */
  handlers(): RequestHandler[];
  /** Which endpoint of the current configuration a URL is. */
  roleOf(url: URL): EndpointRole;
  /** The origin of each server the world has had so far. */
  readonly origins: ReadonlyMap<WorldServer, string>;
  /**
   * Issues an access token for the resource server, signed by the authorization server the PRM
   * names; like every token the world issues, it can be expired with expireAccessTokens().
   */
  issueAccessToken(order: AccessTokenOrder): Promise<IssuedAccessToken>;
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

/**
 * Builds a world whose servers live at the origins `originOf` hands out (asked once per server, the
 * first time a configuration needs it: a listener's, or a made-up one for in-process use).
 */
export async function createWorldCore(knobs: WorldKnobs, originOf: (server: WorldServer) => Promise<string>): Promise<WorldCore> {
  let added: RequestHandler[] = [];
  let built: RequestHandler[] = [];
  // Replaced with every build; no request can arrive before the first one, since no URL is known.
  let roleOf: (url: URL) => EndpointRole = () => 'unknown';
  const memory = createWorldMemory();
  const origins = new Map<WorldServer, string>();
  const origin = async (server: WorldServer): Promise<string> => {
    const known = origins.get(server);
    if (known !== undefined) return known;
    const made = await originOf(server);
    origins.set(server, made);
    return made;
  };

  let current: { knobs: WorldKnobs; facts: WorldFacts };
  const build = async (next: WorldKnobs) => {
    const rs = await origin('rs');
    // A 2025-03-26 world has no separate authorization server: everything lives on the MCP origin.
    const as = next.legacy ? rs : await origin('as');
    const as2 = next.as2 ? await origin('as2') : undefined;
    const world = await createWorldHandlers(next, { rsOrigin: rs, asOrigin: as, ...(as2 ? { as2Origin: as2 } : {}) }, memory);
    // Swapped together and synchronously, so no request sees new handlers with old roles.
    roleOf = roleClassifier(world.layout);
    built = world.handlers;
    current = { knobs: next, facts: worldFacts(next, world.layout) };
  };
  // Reconfigurations apply one after another, in the order they were asked for.
  let reconfiguring: Promise<void> = Promise.resolve();
  await build(knobs);

  return {
    get facts() {
      return current.facts;
    },
    get knobs() {
      return current.knobs;
    },
    origins,
    handlers: () => (added.length > 0 ? [...added, ...built] : built),
    roleOf: (url) => roleOf(url),
    use(...more) {
      added = [...more, ...added];
    },
    resetHandlers() {
      added = [];
    },
    expireAccessTokens() {
      expireIssuedAccessTokens(memory);
    },
    revokeRefreshTokens(token) {
      return revokeRefreshFamilies(memory, token);
    },
    async rotateSigningKeys(withdraw = false) {
      const servers = Object.values(memory.authorizationServers).filter((as) => as !== undefined);
      const keys = await Promise.all(servers.map((as) => rotateSigningKey(as, withdraw)));
      return keys.map((key) => key.kid);
    },
    async issueAccessToken(order) {
      const { first, second } = memory.authorizationServers;
      const as = current.knobs.prm.authorizationServer === 'second' && second ? second : first!;
      const ttlSeconds = order.ttlSeconds ?? as.knobs.accessTokenTtlSeconds;
      const grant = { client_id: order.clientId ?? 'conformance-mock', resource: current.facts.canonicalResource, ...(order.scope ? { scope: order.scope } : {}), ...(order.sub ? { sub: order.sub } : {}) };
      const accessToken = await issueAccessToken(as, grant, ttlSeconds);
      return { accessToken, issuer: as.issuer, expiresIn: ttlSeconds, ...(order.scope ? { scope: order.scope } : {}) };
    },
    reconfigure(next) {
      const done = reconfiguring.then(() => build(next));
      reconfiguring = done.catch(() => undefined);
      return done;
    },
  };
}
