// Tokens valid and invalid, and the places a token may and may not come from.
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import type { ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { INVALID_TOKENS, invalidLabel, VALID_LABEL } from '../cases.js';
import { challengeGrammar, errorCodeRegistered } from '../checks/challenge.js';
import {
  acceptsLowercaseScheme,
  acceptsValidToken,
  headerAndQueryRejected,
  ignoresQueryToken,
  invalidToken401,
  invalidTokenChallenge,
  invalidTokenError,
  noServerErrors,
  REJECTION_CHECKS,
  sessionNotAuthentication,
  tokenNotEchoed,
} from '../checks/validation.js';

async function validate(drive: ServerDrive): Promise<void> {
  const valid = await drive.token();
  const session = await drive.open(VALID_LABEL, { token: valid });
  await drive.initialize('lowercase-scheme', { headers: { authorization: `bearer ${valid}` } });
  for (const c of INVALID_TOKENS.filter((c) => c.formats.includes(drive.facts.tokenFormat))) {
    await drive.initialize(invalidLabel(c), { token: await c.token(drive) });
  }
  const withQuery = new URL(drive.facts.mcpUrl);
  withQuery.searchParams.set('access_token', valid);
  await drive.initialize('no-token');
  await drive.initialize('query-token', { url: withQuery.href });
  await drive.initialize('header-and-query', { url: withQuery.href, token: valid });
  if (session.sessionId) await drive.listTools('session-without-token', session);
}

export const validationScenarios: ServerScenario[] = [
  {
    id: 'server/token-validation',
    title: 'Token validation',
    description:
      'The kit presents a valid token, then one token for each way a token can be wrong (expired, not yet valid, no exp, another issuer or none, another audience or none, alg none, HS256 keyed with the public key, an unpublished key, a bad signature, garbage, revoked), a token in the query, and a session id without a token. A correct server accepts the valid token however the scheme is cased and refuses every other with 401 invalid_token.',
    suites: ['server', 'core', 'validation'],
    specVersions: since('2025-06-18'),
    drive: validate,
    about: ['accepts-valid-token', ...REJECTION_CHECKS.map((c) => c.id)],
    checks: [
      acceptsValidToken,
      acceptsLowercaseScheme,
      ...REJECTION_CHECKS,
      invalidToken401,
      invalidTokenChallenge,
      invalidTokenError,
      ignoresQueryToken,
      headerAndQueryRejected,
      sessionNotAuthentication,
      tokenNotEchoed,
      noServerErrors,
      challengeGrammar,
      errorCodeRegistered,
    ],
  },
];
