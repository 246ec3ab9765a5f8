// Where the server tells clients how to authorize: its PRM document and the 401 without a token.
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import { prmUrls } from '../../../core/targets/server/learn.js';
import type { ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { bearerChallenges, paramValue, parseWwwAuthenticate } from '../../../core/www-authenticate.js';
import { challengeGrammar, challengeNamesResourceMetadata, errorCodeRegistered, NO_TOKEN_LABEL, noOfflineAccess, noTokenChallengeCheck, noTokenNoError, noTokenRefused, noTokenScope } from '../checks/challenge.js';
import { challengeMetadataResolves, prmAuthorizationServers, prmBearerMethods, prmJson, prmNoEmptyValues, prmPublished, prmResourceMatches, prmScopesAdvertised } from '../checks/discovery.js';

/**
 * The PRM URLs a client tries, and the 401 a request without a token draws; the document its
 * challenge names too, when that is another URL of the same origin (the kit talks to nothing else).
 */
export async function discover(drive: ServerDrive): Promise<void> {
  const urls = prmUrls(drive.facts.mcpUrl);
  await drive.probe.send('prm-path', { url: urls.pathInserted, role: 'prm' });
  await drive.probe.send('prm-root', { url: urls.root, role: 'prm' });
  const { opened } = await drive.initialize(NO_TOKEN_LABEL);
  const header = opened.response?.headers['www-authenticate'];
  const [bearer] = header ? bearerChallenges(parseWwwAuthenticate(header)) : [];
  const named = bearer ? paramValue(bearer, 'resource_metadata') : undefined;
  if (!named || named === urls.pathInserted || named === urls.root) return;
  let url: URL;
  try {
    url = new URL(named);
  } catch {
    return;
  }
  if (url.origin === new URL(drive.facts.mcpUrl).origin) await drive.probe.send('prm-challenged', { url: url.href, role: 'prm' });
}

export const discoveryScenarios: ServerScenario[] = [
  {
    id: 'server/prm-discovery',
    title: 'Protected resource metadata',
    description:
      'The kit fetches the PRM document where clients look for it (path-inserted, root, and the URL the 401 names). A correct server serves it as JSON, names the identifier its location implies as `resource` and the issuer whose tokens it accepts.',
    suites: ['server', 'core', 'discovery'],
    specVersions: since('2025-06-18'),
    drive: discover,
    checks: [prmPublished, prmJson, prmResourceMatches, prmAuthorizationServers, prmBearerMethods, prmNoEmptyValues, prmScopesAdvertised, challengeMetadataResolves],
  },
  {
    id: 'server/no-token-challenge',
    title: 'A request without a token',
    description:
      'The kit sends an MCP request without a token. A correct server answers 401 with a Bearer challenge that names resource_metadata and the scope to request, carries no error code, and parses by the RFC 9110 grammar.',
    suites: ['server', 'core', 'challenge'],
    specVersions: since('2025-06-18'),
    drive: discover,
    about: ['no-token-refused', 'no-token-challenge', 'challenge-names-resource-metadata', 'no-token-no-error', 'no-token-scope'],
    checks: [noTokenRefused, noTokenChallengeCheck, challengeNamesResourceMetadata, noTokenNoError, noTokenScope, noOfflineAccess, challengeGrammar, errorCodeRegistered],
  },
];
