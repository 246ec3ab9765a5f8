// What a valid token may do: the scope each operation needs, and the 403 that says so.
import type { ServerDrive } from '../../../core/targets/server/drive.js';
import { served } from '../../../core/targets/server/drive.js';
import type { ServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { VALID_LABEL } from '../cases.js';
import { challengeGrammar, errorCodeRegistered } from '../checks/challenge.js';
import { insufficientScope403, insufficientScopeChallenge, SCOPE_LABEL, scopeEnforced } from '../checks/scope.js';
import { acceptsValidToken, noServerErrors } from '../checks/validation.js';

async function withholdScopes(drive: ServerDrive): Promise<void> {
  const { scopes, toolScopes } = drive.facts;
  const valid = await drive.token();
  await drive.open(VALID_LABEL, { token: valid });
  await drive.initialize(SCOPE_LABEL.noScope, { token: await drive.token({ claims: { scope: null } }) });
  for (const [tool, needed] of Object.entries(toolScopes)) {
    const full = await drive.open(`full-session:${tool}`, { token: valid });
    if (served(full.opened)) await drive.callTool(SCOPE_LABEL.allowed(tool), full, tool, { token: valid });
    const rest = scopes.filter((scope) => !needed.includes(scope)).join(' ');
    const lacking = await drive.token({ claims: { scope: rest || null } });
    const session = await drive.open(SCOPE_LABEL.session(tool), { token: lacking });
    if (served(session.opened)) await drive.callTool(SCOPE_LABEL.withheld(tool), session, tool, { token: lacking });
  }
}

export const scopeScenarios: ServerScenario[] = [
  {
    id: 'server/insufficient-scope',
    title: 'Insufficient scope',
    description:
      'The kit presents a valid token without any scope, and for each tool stated with --tool-scope, a token with every scope but the tool\'s. A correct server refuses what the token may not do with 403 and a Bearer challenge saying insufficient_scope, the scopes needed and resource_metadata.',
    suites: ['server', 'core', 'scope'],
    specVersions: since('2025-06-18'),
    drive: withholdScopes,
    about: ['scope-enforced', 'insufficient-scope-403', 'insufficient-scope-challenge'],
    checks: [acceptsValidToken, scopeEnforced, insufficientScope403, insufficientScopeChallenge, noServerErrors, challengeGrammar, errorCodeRegistered],
  },
];
