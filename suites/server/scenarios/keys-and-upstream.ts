// The issuer rotates its signing key; the server calls an upstream API.
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import { served } from '../../../core/targets/server/drive.js';
import type { ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { VALID_LABEL } from '../cases.js';
import { acceptsRotatedKey, noTokenPassthrough, ROTATED_LABEL, ROTATED_LATER_LABEL } from '../checks/keys-and-upstream.js';
import { acceptsValidToken } from '../checks/validation.js';

/**
 * How long a server may hold back a JWKS fetch after its last one: jose's createRemoteJWKSet, which
 * most Node servers use, refetches for an unknown kid only once 30 s have passed since its last
 * fetch (cooldownDuration), a guard against being made to fetch on every forged kid.
 */
export const REFETCH_COOLDOWN_MS = 30_000;

async function rotate(drive: ServerDrive): Promise<void> {
  await drive.open(VALID_LABEL, { token: await drive.token() });
  if (drive.facts.tokenFormat !== 'jwt') return;
  const key = await drive.issuer.rotateKey();
  const rotatedAt = performance.now();
  const first = await drive.initialize(ROTATED_LABEL, { token: await drive.token({ claims: {}, key }) });
  if (served(first.opened)) return;
  // Refused without a fetch since the rotation: the server may be in a refetch cooldown that an
  // earlier unknown kid (the validation scenario sends some) started. Asked again once it is over.
  const fetched = drive.issuer.lastJwksFetch();
  if (fetched !== undefined && fetched > rotatedAt) return;
  const wait = (fetched === undefined ? 0 : Math.max(0, REFETCH_COOLDOWN_MS - (performance.now() - fetched))) + 1000;
  await new Promise((resolve) => setTimeout(resolve, wait));
  await drive.initialize(ROTATED_LATER_LABEL, { token: await drive.token({ claims: {}, key }) });
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
      'After a token signed with the issuer\'s key is accepted, the issuer publishes a second key and signs a token with it. A correct server fetches the JWKS again for the unknown kid and accepts the token; one that keeps a refetch cooldown (jose: 30 s) is asked again once it has passed.',
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
