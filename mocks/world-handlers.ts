// The knobs turned into MSW handlers for given origins, with no server attached: what startWorld
// serves over loopback, and what in-process tests can hand to msw's setupServer directly.
import type { RequestHandler } from 'msw';
import { publishedKeys, type AuthorizationServer } from './authorization-server/context.js';
import { authorizationServerHandlers, createAuthorizationServer } from './authorization-server/index.js';
import { KnobMemory } from './knob-memory.js';
import { secondAuthorizationServerKnobs, type WorldKnobs } from './knobs.js';
import { layoutWorld, type WorldLayout } from './layout.js';
import { resourceServerHandlers } from './resource-server/index.js';
import type { TokenVerifier } from './resource-server/bearer.js';
import { expireOnDemand, revokeFirstTokens } from './resource-server/revocation.js';
import { verifyAccessToken } from './tokens.js';

export interface WorldHandlers {
  layout: WorldLayout;
  authorizationServer: AuthorizationServer;
  /** Present when the knobs ask for a second authorization server. */
  secondAuthorizationServer?: AuthorizationServer;
  handlers: RequestHandler[];
}

export interface WorldOrigins {
  rsOrigin: string;
  asOrigin: string;
  /** Needed only when the knobs have `as2`. */
  as2Origin?: string;
}

/**
 * Everything a world keeps when its handlers are rebuilt from new knobs: the authorization
 * servers (keys, clients, codes, refresh families, issued tokens), the tokens expired on demand,
 * and what the resource server's policies remember. Handlers are disposable; this is not.
 */
export interface WorldMemory {
  authorizationServers: { first?: AuthorizationServer; second?: AuthorizationServer };
  /** jti of every access token the resource server must treat as expired. */
  expiredAccessTokens: Set<string>;
  resourceServer: KnobMemory;
}

export function createWorldMemory(): WorldMemory {
  return { authorizationServers: {}, expiredAccessTokens: new Set(), resourceServer: new KnobMemory() };
}

/**
 * Every refresh-token family of every authorization server of the world is revoked from now on, or
 * only the one `token` belongs to. Returns how many families this revoked; undefined for a token no
 * server of the world issued.
 */
export function revokeRefreshFamilies(memory: WorldMemory, token?: string): number | undefined {
  const counts = Object.values(memory.authorizationServers).map((as) => as?.state.revokeRefreshFamilies(token));
  const known = counts.filter((count): count is number => count !== undefined);
  return token !== undefined && known.length === 0 ? undefined : known.reduce((sum, count) => sum + count, 0);
}

/** Every access token issued so far, by any authorization server of the world, is expired from now on. */
export function expireIssuedAccessTokens(memory: WorldMemory): void {
  for (const as of Object.values(memory.authorizationServers)) {
    for (const jti of as?.state.accessTokens ?? []) memory.expiredAccessTokens.add(jti);
  }
}

/**
 * Builds the handlers. Given the `memory` of an earlier build, the servers keep their state and
 * only their configuration (and so their handlers) changes: that is World.reconfigure.
 */
export async function createWorldHandlers(knobs: WorldKnobs, origins: WorldOrigins, memory: WorldMemory = createWorldMemory()): Promise<WorldHandlers> {
  const layout = layoutWorld(knobs, origins.rsOrigin, origins.asOrigin, origins.as2Origin);
  const kept = memory.authorizationServers;
  const first = await createAuthorizationServer(
    { issuer: layout.issuer, endpoints: layout.endpoints, knobs: knobs.as, resources: layout.resources },
    kept.first,
  );
  const secondKnobs = secondAuthorizationServerKnobs(knobs);
  const second =
    layout.second && secondKnobs
      ? await createAuthorizationServer(
          { issuer: layout.second.issuer, endpoints: layout.second.endpoints, knobs: secondKnobs, resources: layout.resources },
          kept.second,
        )
      : undefined;
  // Stored only once both exist, so a build that fails leaves the memory as it was.
  memory.authorizationServers.first = first;
  if (second) memory.authorizationServers.second = second;

  // The resource server trusts one issuer, by its key; the other's tokens fail the signature check.
  const configured = layout.trusted === 'second' && second ? second : first;
  const migration = knobs.prm.migrateAfterAuthorizedRequests;
  const served = memory.resourceServer.keep('migrateAfterAuthorizedRequests', migration, () => ({ count: 0 }));
  const migrated = (): boolean => migration !== undefined && second !== undefined && served.count >= migration;
  const trusted = (): AuthorizationServer => (migrated() ? second! : configured);
  const audienceOptional = knobs.legacy !== undefined;
  const verifyTrusted: TokenVerifier = async (token) => {
    const as = trusted();
    const verification = await verifyAccessToken(token, publishedKeys(as), { issuer: as.issuer, audience: layout.resources, audienceOptional });
    // Counted until the switch: the request that reaches the count is still served by the first server.
    if (verification.valid && migration !== undefined && !migrated()) served.count++;
    return verification;
  };
  const verify = expireOnDemand(memory.expiredAccessTokens, verifyTrusted);
  const revokeCount = knobs.rs.revokeFirstTokens ?? 0;
  const revoked = memory.resourceServer.keep('revokeFirstTokens', revokeCount, () => new Set<string>());

  const handlers = [
    ...resourceServerHandlers({
      knobs,
      mcpUrl: layout.mcpUrl,
      prmResource: layout.prmResource,
      prmUrl: layout.prmUrl,
      ...(layout.resourceMetadataUrl ? { resourceMetadataUrl: layout.resourceMetadataUrl } : {}),
      authorizationServers: () => [trusted().issuer],
      verify: revokeFirstTokens(revokeCount, verify, revoked),
      memory: memory.resourceServer,
    }),
    ...authorizationServerHandlers(first, layout.metadata),
    ...(second && layout.second ? authorizationServerHandlers(second, layout.second.metadata) : []),
  ];
  return { layout, authorizationServer: first, ...(second ? { secondAuthorizationServer: second } : {}), handlers };
}
