// Builds the resource server's handlers: PRM (if any), the bearer guard, the MCP endpoint, and the
// policies the knobs select, each composed in rather than branched on inside one handler.
import type { RequestHandler } from 'msw';
import { KnobMemory } from '../knob-memory.js';
import type { WorldKnobs } from '../knobs.js';
import { alwaysDenyScope, countingDenials, forbidTools, requireToolScopes, type AccessPolicy, type DenialCount } from './access-policies.js';
import { bearerGuard, type TokenVerifier } from './bearer.js';
import { insufficientScopeChallenges, type ChallengeCounter } from './challenge.js';
import { mcpEndpoint, mcpGoneAfter, mcpMethodNotAllowed, mcpMethods, TEST_TOOL } from './mcp.js';
import { prmDocument, protectedResourceMetadata, protectedResourceMetadataUnavailable } from './prm.js';

export interface ResourceServerConfig {
  knobs: WorldKnobs;
  mcpUrl: string;
  /** The resource identifier the PRM document names (WorldLayout.prmResource). */
  prmResource: string;
  /** Where PRM is served, if anywhere. */
  prmUrl?: string;
  /** A second URL serving the same PRM (rs.resourceMetadataPath); the challenge names it instead of prmUrl. */
  resourceMetadataUrl?: string;
  /** The issuers the PRM document names, asked per request: a migration changes them under a running client. */
  authorizationServers: () => string[];
  verify: TokenVerifier;
  /** What the policies remember across reconfiguration (challenge and denial counters). */
  memory?: KnobMemory;
}

/** Every tool a policy mentions is listed, so a client can find and call it. */
function toolNames(knobs: WorldKnobs): string[] {
  const names = [TEST_TOOL, ...Object.keys(knobs.rs.toolScopes ?? {}), ...(knobs.rs.bare403Tools ?? [])];
  return [...new Set(names)];
}

/** Plain refusals first: a tool behind a WAF is refused before any step-up is considered. */
function accessPolicies(knobs: WorldKnobs): AccessPolicy[] {
  const policies: AccessPolicy[] = [];
  if (knobs.rs.bare403Tools && knobs.rs.bare403Tools.length > 0) policies.push(forbidTools(knobs.rs.bare403Tools));
  if (knobs.rs.alwaysInsufficientScope !== undefined) policies.push(alwaysDenyScope(knobs.rs.alwaysInsufficientScope));
  if (knobs.rs.toolScopes) policies.push(requireToolScopes(knobs.rs.toolScopes));
  return policies;
}

export function resourceServerHandlers(config: ResourceServerConfig): RequestHandler[] {
  const { knobs, mcpUrl, prmUrl, resourceMetadataUrl } = config;
  const memory = config.memory ?? new KnobMemory();
  const { giveUpAfter, challengeVariation = 'none' } = knobs.rs;

  let policies = accessPolicies(knobs);
  const front: RequestHandler[] = [];
  if (giveUpAfter !== undefined) {
    const count = memory.keep<DenialCount>('giveUpAfter', giveUpAfter, () => ({ denied: 0 }));
    policies = [countingDenials(policies, count)];
    front.push(mcpGoneAfter(mcpUrl, giveUpAfter, count));
  }

  const challenge = { resourceMetadata: knobs.prm.advertise ? (resourceMetadataUrl ?? prmUrl) : undefined, scope: knobs.rs.challengeScope };
  const counter = memory.keep<ChallengeCounter>('challengeVariation', challengeVariation, () => ({ sent: 0 }));
  const document = () => prmDocument(knobs.prm, config.prmResource, config.authorizationServers());
  const prmUrls = [...new Set([prmUrl, resourceMetadataUrl].filter((url): url is string => url !== undefined))];
  return [
    ...front,
    ...(knobs.prm.unavailable !== undefined
      ? [...new Set([...prmUrls, new URL('/.well-known/oauth-protected-resource', mcpUrl).href])].map((url) => protectedResourceMetadataUnavailable(url, knobs.prm.unavailable!))
      : prmUrls.map((url) => protectedResourceMetadata(url, document, knobs.prm.cacheControl))),
    ...mcpMethodNotAllowed(mcpUrl),
    bearerGuard(mcpUrl, {
      verify: config.verify,
      challenge,
      publicMethods: knobs.rs.publicMethods,
      policies,
      insufficientScope: insufficientScopeChallenges[challengeVariation](challenge, counter),
    }),
    mcpEndpoint(mcpUrl, mcpMethods(toolNames(knobs))),
  ];
}
