// Builds the resource server's handlers: PRM (if any), the bearer guard, the MCP endpoint.
import type { RequestHandler } from 'msw';
import type { WorldKnobs } from '../knobs.js';
import { requireToolScopes, type AccessPolicy } from './access-policies.js';
import { bearerGuard, type TokenVerifier } from './bearer.js';
import { mcpEndpoint, mcpMethodNotAllowed, mcpMethods, TEST_TOOL } from './mcp.js';
import { prmDocument, protectedResourceMetadata } from './prm.js';

export interface ResourceServerConfig {
  knobs: WorldKnobs;
  mcpUrl: string;
  canonicalResource: string;
  /** Where PRM is served, if anywhere. */
  prmUrl?: string;
  authorizationServers: string[];
  verify: TokenVerifier;
}

export function resourceServerHandlers(config: ResourceServerConfig): RequestHandler[] {
  const { knobs, mcpUrl, prmUrl } = config;
  const toolScopes = knobs.rs.toolScopes ?? {};
  const policies: AccessPolicy[] = knobs.rs.toolScopes ? [requireToolScopes(toolScopes)] : [];
  const tools = [TEST_TOOL, ...Object.keys(toolScopes).filter((name) => name !== TEST_TOOL)];
  return [
    ...(prmUrl ? [protectedResourceMetadata(prmUrl, prmDocument(knobs.prm, config.canonicalResource, config.authorizationServers))] : []),
    ...mcpMethodNotAllowed(mcpUrl),
    bearerGuard(mcpUrl, {
      verify: config.verify,
      challenge: { resourceMetadata: prmUrl && knobs.prm.advertise ? prmUrl : undefined, scope: knobs.rs.challengeScope },
      publicMethods: knobs.rs.publicMethods,
      policies,
    }),
    mcpEndpoint(mcpUrl, mcpMethods(tools)),
  ];
}
