// The issuer rotates its signing key; the server calls an upstream API.
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import { served } from '../../../core/targets/server/drive.js';
import type { ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { VALID_LABEL } from '../cases.js';
import { acceptsRotatedKey, noTokenPassthrough, ROTATED_LABEL } from '../checks/keys-and-upstream.js';
import { acceptsValidToken } from '../checks/validation.js';

async function rotate(drive: ServerDrive): Promise<void> {
  await drive.open(VALID_LABEL, { token: await drive.token() });
  if (drive.facts.tokenFormat !== 'jwt') return;
  const key = await drive.issuer.rotateKey();
  await drive.initialize(ROTATED_LABEL, { token: await drive.token({ claims: {}, key }) });
}

/** The tools worth calling: the conventional test-tool and those the user named. */
async function callTools(drive: ServerDrive): Promise<void> {
  const token = await drive.token();
  const session = await drive.open(VALID_LABEL, { token });
  if (!served(session.opened)) return;
  const { tools } = await drive.listTools('tools', session, { token });
  const wanted = tools.filter((tool) => tool === 'test-tool' || tool in drive.facts.toolScopes);
  for (const tool of wanted.slice(0, 5)) await drive.callTool(`call:${tool}`, session, tool, { token });
}

export const keysAndUpstreamScenarios: ServerScenario[] = [
  {
    id: 'server/key-rotation',
    title: 'Signing key rotation',
    description:
      'After a token signed with the issuer\'s key is accepted, the issuer publishes a second key and signs a token with it. A correct server fetches the JWKS again for the unknown kid and accepts the token.',
    suites: ['server', 'keys'],
    specVersions: since('2025-06-18'),
    drive: rotate,
    about: ['accepts-rotated-key'],
    checks: [acceptsValidToken, acceptsRotatedKey],
  },
  {
    id: 'server/token-passthrough',
    title: 'Token passthrough',
    description:
      'The kit offers the server an upstream API (MCP_CONFORMANCE_UPSTREAM_URL, with a token of the server\'s own) and calls test-tool and the tools named with --tool-scope. A server that calls the upstream API must not send it the client\'s token.',
    suites: ['server', 'passthrough'],
    specVersions: since('2025-06-18'),
    drive: callTools,
    about: ['no-token-passthrough'],
    checks: [acceptsValidToken, noTokenPassthrough],
  },
];
