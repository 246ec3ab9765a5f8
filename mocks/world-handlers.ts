// The knobs turned into MSW handlers for given origins, with no server attached: what startWorld
// serves over loopback, and what in-process tests can hand to msw's setupServer directly.
import type { RequestHandler } from 'msw';
import type { AuthorizationServer } from './authorization-server/context.js';
import { authorizationServerHandlers, createAuthorizationServer } from './authorization-server/index.js';
import type { WorldKnobs } from './knobs.js';
import { layoutWorld, type WorldLayout } from './layout.js';
import { resourceServerHandlers } from './resource-server/index.js';
import { revokeFirstTokens } from './resource-server/revocation.js';
import { verifyAccessToken } from './tokens.js';

export interface WorldHandlers {
  layout: WorldLayout;
  authorizationServer: AuthorizationServer;
  handlers: RequestHandler[];
}

export async function createWorldHandlers(knobs: WorldKnobs, origins: { rsOrigin: string; asOrigin: string }): Promise<WorldHandlers> {
  const layout = layoutWorld(knobs, origins.rsOrigin, origins.asOrigin);
  const authorizationServer = await createAuthorizationServer({
    issuer: layout.issuer,
    endpoints: layout.endpoints,
    knobs: knobs.as,
    canonicalResource: layout.canonicalResource,
  });
  const expectations = { issuer: layout.issuer, audience: layout.canonicalResource };
  const handlers = [
    ...resourceServerHandlers({
      knobs,
      mcpUrl: layout.mcpUrl,
      canonicalResource: layout.canonicalResource,
      prmUrl: layout.prmUrl,
      authorizationServers: [layout.issuer],
      verify: revokeFirstTokens(knobs.rs.revokeFirstTokens ?? 0, (token) => verifyAccessToken(token, authorizationServer.key, expectations)),
    }),
    ...authorizationServerHandlers(authorizationServer, layout.metadata),
  ];
  return { layout, authorizationServer, handlers };
}
