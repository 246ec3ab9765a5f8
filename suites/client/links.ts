// Spec links cited beside checks. MCP anchors are the heading slugs of the revision's authorization page.
import { OAUTH21, RFC, mcpSpecLink } from '../../core/spec.js';

const latest = (anchor: string) => mcpSpecLink('2026-07-28', anchor);

export const LINK = {
  prmDiscovery: latest('protected-resource-metadata-discovery-requirements'),
  asmDiscovery: latest('authorization-server-metadata-discovery'),
  canonicalUri: latest('canonical-server-uri'),
  resourceParameter: latest('resource-parameter-implementation'),
  scopeSelection: latest('scope-selection-strategy'),
  tokenRequirements: latest('token-requirements'),
  tokenHandling: latest('token-handling'),
  clientRegistration: latest('client-registration'),
  authCodeProtection: latest('authorization-code-protection'),
  responseValidation: latest('authorization-response-validation'),
  openRedirection: latest('open-redirection'),
  legacyFallback: mcpSpecLink('2025-03-26', 'fallbacks-for-servers-without-metadata-discovery'),
  legacyMetadata: mcpSpecLink('2025-03-26', 'server-metadata-discovery'),
  rfc9728Wellknown: RFC(9728, '3.1'),
  rfc9728Validation: RFC(9728, '3.3'),
  rfc9728Challenge: RFC(9728, '5.1'),
  rfc8414Wellknown: RFC(8414, '3.1'),
  rfc8414Validation: RFC(8414, '3.3'),
  rfc7591Request: RFC(7591, '3.1'),
  rfc7591Response: RFC(7591, '3.2.1'),
  rfc6749ClientPassword: RFC(6749, '2.3.1'),
  rfc7636Challenge: RFC(7636, '4.2'),
  rfc7636Verifier: RFC(7636, '4.1'),
  rfc7636Downgrade: RFC(7636, '7.2'),
  rfc8707: RFC(8707, '2'),
  rfc6750Header: RFC(6750, '2.1'),
  rfc9207Validation: RFC(9207, '2.4'),
  oauth21Csrf: OAUTH21('7.9'),
  oauth21Pkce: OAUTH21('7.5.2'),
  oauth21BearerQuery: OAUTH21('5.1'),
} as const;
