// PKCE across attempts, and authorization servers that do not promise PKCE (a correct client never starts authorizing).
import { since } from '../../../core/spec.js';
import { asMetadataDiscovered } from '../checks/discovery.js';
import { pkceFreshPerAttempt, pkceRefusedWithoutSupport, pkceRefusedWithoutSupportOidc } from '../checks/pkce.js';
import { FLOW } from '../checks/sets.js';
import { AUTHORIZED_AGAIN } from '../preconditions.js';
import { scenario } from './define.js';

export const pkceScenarios = [
  // A second authorization every correct client must make: its token expired and it has no refresh
  // token, whether it kept the token (a 401 for it) or kept nothing (a cold start). A token refused
  // right after it was issued would be no such case: giving up then is a defensible loop guard.
  scenario({
    id: 'auth/pkce-fresh-per-attempt',
    title: 'A second authorization after the token expired',
    description:
      'No refresh tokens. A first start authorizes; before the second, every access token expires, so the second start must authorize again, with a new code_verifier and state. Freshness is also judged wherever else a client authorizes twice (step-up, retry limits, the auth-failure loop, restarts).',
    suites: ['core', 'pkce'],
    specVersions: since('2025-06-18'),
    world: { as: { refreshTokens: false } },
    runs: [{ label: 'first authorization' }, { label: 'after expiry', expireTokens: true }],
    requires: [AUTHORIZED_AGAIN.id],
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
