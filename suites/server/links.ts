// Spec links cited beside the server suite's checks.
import { OAUTH21, RFC, mcpSpecLink } from '../../core/spec.js';

const latest = (anchor: string) => mcpSpecLink('2026-07-28', anchor);

export const LINK = {
  prmDiscovery: mcpSpecLink('2025-11-25', 'protected-resource-metadata-discovery-requirements'),
  authorizationServerLocation: mcpSpecLink('2025-11-25', 'authorization-server-location'),
  scopeSelection: latest('scope-selection-strategy'),
  tokenHandling: latest('token-handling'),
  errorHandling: latest('error-handling'),
  insufficientScope: latest('scope-challenge-handling'),
  refreshTokens: latest('refresh-tokens'),
  audienceBinding: `${mcpSpecLink('2026-07-28')}/security-considerations#token-audience-binding-and-validation`,
  tokenPassthrough: 'https://modelcontextprotocol.io/docs/tutorials/security/security_best_practices#token-passthrough',
  sessionHijacking: 'https://modelcontextprotocol.io/docs/tutorials/security/security_best_practices#session-hijacking',
  rfc9728Wellknown: RFC(9728, '3.1'),
  rfc9728Response: RFC(9728, '3.2'),
  rfc9728Validation: RFC(9728, '3.3'),
  rfc9728Metadata: RFC(9728, '2'),
  rfc9728Challenge: RFC(9728, '5.1'),
  rfc6750Challenge: RFC(6750, '3'),
  rfc6750Errors: RFC(6750, '3.1'),
  rfc6750Header: RFC(6750, '2.1'),
  rfc9110Challenge: RFC(9110, '11.6.1'),
  rfc9068Validation: RFC(9068, '4'),
  rfc8725Algorithms: RFC(8725, '3.1'),
  rfc7519Exp: RFC(7519, '4.1.4'),
  rfc7519Nbf: RFC(7519, '4.1.5'),
  rfc7662Response: RFC(7662, '2.2'),
  rfc8707Audience: RFC(8707, '2'),
  oauth21Validation: OAUTH21('5.2'),
  oauth21Errors: OAUTH21('5.3'),
  oauth21BearerQuery: OAUTH21('5.1'),
} as const;
