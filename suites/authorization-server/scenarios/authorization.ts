// The authorization endpoint, seen through the user agent: a valid request, then one broken request
// per rule, each a navigation of its own.
import type { AuthorizationServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import type { AuthorizationServerDrive } from '../../../core/targets/authorization-server/drive.js';
import {
  AUTHORIZE,
  authorizationCompletes,
  authorizationErrorsNotRedirected,
  authorizationImplicitRefused,
  authorizationIssConsistent,
  authorizationIssSent,
  authorizationLoopbackPort,
  authorizationPkceMethod,
  authorizationPkcePlain,
  authorizationPkceRequired,
  authorizationRedirectExact,
  authorizationResourceFragment,
  authorizationUnknownClientRefused,
  authorizationState,
  TRICKY_STATE,
} from '../checks/authorization.js';

/** The registered redirect URI with one thing changed. */
export function redirectVariants(registered: string): { pathChanged: string; suffixed: string; otherPort?: string } {
  const url = new URL(registered);
  const pathChanged = new URL(registered);
  pathChanged.pathname = `${url.pathname.replace(/\/$/, '')}/elsewhere`;
  const suffixed = `${registered}x`;
  let otherPort: string | undefined;
  if (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]')) {
    const moved = new URL(registered);
    // Any other port: the port a native client's listener happened to get this time.
    moved.port = String(url.port === '54321' ? 54322 : 54321);
    otherPort = moved.href;
  }
  return { pathChanged: pathChanged.href, suffixed, ...(otherPort ? { otherPort } : {}) };
}

async function probeAuthorizationEndpoint(drive: AuthorizationServerDrive): Promise<void> {
  const variants = redirectVariants(drive.facts.redirectUri);
  await drive.authorize(AUTHORIZE.valid, { state: TRICKY_STATE });
  await drive.authorize(AUTHORIZE.noChallenge, { code_challenge: null, code_challenge_method: null });
  await drive.authorize(AUTHORIZE.plain, { code_challenge: 'mcp-auth-conformance-plain-code-challenge-of-43-chars', code_challenge_method: 'plain' });
  await drive.authorize(AUTHORIZE.unknownMethod, { code_challenge_method: 'S512' });
  await drive.authorize(AUTHORIZE.pathChanged, { redirect_uri: variants.pathChanged });
  await drive.authorize(AUTHORIZE.suffixed, { redirect_uri: variants.suffixed });
  if (variants.otherPort) await drive.authorize(AUTHORIZE.otherPort, { redirect_uri: variants.otherPort });
  await drive.authorize(AUTHORIZE.unknownClient, { client_id: 'mcp-auth-conformance-no-such-client' });
  await drive.authorize(AUTHORIZE.implicit, { response_type: 'token' });
  await drive.authorize(AUTHORIZE.resourceFragment, { resource: `${drive.facts.resource}#fragment` });
}

export const authorizationScenarios: AuthorizationServerScenario[] = [
  {
    id: 'as/authorization-endpoint',
    title: 'Authorization endpoint',
    description:
      'The kit, as the browser, sends a valid request and then one broken request per rule: no code_challenge, plain, an unknown method, a redirect URI with its path changed or a suffix added, the loopback redirect URI on another port, an unknown client, response_type=token, a resource with a fragment. A correct server grants only the valid and the other-port requests, answers unknown clients and unregistered redirect URIs itself, echoes state, and sends iss where it advertises it.',
    suites: ['authorization-server', 'core', 'authorization'],
    specVersions: since('2025-06-18'),
    needs: ['client', 'login'],
    drive: probeAuthorizationEndpoint,
    checks: [
      authorizationCompletes,
      authorizationState,
      authorizationIssConsistent,
      authorizationIssSent,
      authorizationPkceRequired,
      authorizationPkceMethod,
      authorizationPkcePlain,
      authorizationRedirectExact,
      authorizationUnknownClientRefused,
      authorizationErrorsNotRedirected,
      authorizationLoopbackPort,
      authorizationImplicitRefused,
      authorizationResourceFragment,
    ],
  },
];
