// PKCE across attempts, and authorization servers that do not promise PKCE (a correct client never starts authorizing).
import { since } from '../../../core/spec.js';
import { asMetadataDiscovered } from '../checks/discovery.js';
import { pkceFreshPerAttempt, pkceRefusedWithoutSupport, pkceRefusedWithoutSupportOidc } from '../checks/pkce.js';
import { FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

export const pkceScenarios = [
  scenario({
    id: 'auth/pkce-fresh-per-attempt',
    title: 'Second authorization after the first token is revoked',
    description: 'No refresh tokens; the resource server answers the first token as revoked, so the client must authorize again, with a new code_verifier and state.',
    suites: ['core', 'pkce'],
    specVersions: since('2025-06-18'),
    world: { as: { refreshTokens: false }, rs: { revokeFirstTokens: 1 } },
    checks: [pkceFreshPerAttempt, ...FLOW],
  }),
  scenario({
    id: 'auth/pkce-not-advertised',
    title: 'RFC 8414 metadata without code_challenge_methods_supported',
    description: 'Per RFC 8414 the server does not support PKCE; the client must refuse to proceed.',
    suites: ['core', 'pkce'],
    specVersions: since('2025-11-25'),
    world: { as: { pkceMethods: null } },
    clientRefuses: true,
    checks: [asMetadataDiscovered, pkceRefusedWithoutSupport],
  }),
  scenario({
    id: 'auth/pkce-not-advertised-oidc',
    title: 'OpenID Connect metadata without code_challenge_methods_supported',
    description: 'OIDC discovery only, and the member is absent: the client must refuse to proceed.',
    suites: ['pkce'],
    specVersions: since('2025-11-25'),
    world: { as: { pkceMethods: null, metadata: ['oidc-inserted'] } },
    clientRefuses: true,
    checks: [asMetadataDiscovered, pkceRefusedWithoutSupportOidc],
  }),
];
