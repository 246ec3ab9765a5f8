// Which scope the first authorization asks for.
import { since } from '../../../core/spec.js';
import { scopeCoversChallenge, scopeFromChallenge, scopeFromScopesSupported, scopeOmitted } from '../checks/scope.js';
import { FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

export const scopeScenarios = [
  scenario({
    id: 'auth/scope-from-www-authenticate',
    title: 'Scope named in the 401 challenge',
    description: 'The 401 says scope="mcp:basic"; PRM scopes_supported is disjoint (mcp:profile mcp:admin), so a client that assumes a relationship between the two gets it wrong.',
    suites: ['core', 'scope'],
    specVersions: since('2025-11-25'),
    world: { prm: { scopesSupported: ['mcp:profile', 'mcp:admin'] }, rs: { challengeScope: 'mcp:basic' } },
    checks: [scopeFromChallenge, scopeCoversChallenge, ...FLOW],
  }),
  scenario({
    id: 'auth/scope-from-scopes-supported',
    title: 'Scope from PRM scopes_supported',
    description: 'No scope in the challenge; PRM lists mcp:basic mcp:read mcp:write, all of which the client should request.',
    suites: ['core', 'scope'],
    specVersions: since('2025-11-25'),
    world: { prm: { scopesSupported: ['mcp:basic', 'mcp:read', 'mcp:write'] } },
    checks: [scopeFromScopesSupported, ...FLOW],
  }),
  scenario({
    id: 'auth/scope-omitted-when-undefined',
    title: 'No scope anywhere',
    description: 'Neither the challenge nor PRM names a scope: the client should omit the scope parameter.',
    suites: ['core', 'scope'],
    specVersions: since('2025-11-25'),
    checks: [scopeOmitted, ...FLOW],
  }),
];
