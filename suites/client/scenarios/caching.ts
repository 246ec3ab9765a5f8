// What a client keeps between starts: discovery documents, its registration, and what it must not
// keep: documents marked no-store, credentials of another authorization server, a past failure.
import { since } from '../../../core/spec.js';
import {
  authFailureBounded,
  authFailureNotCached,
  discoveryCachedWarm,
  discoveryMaxAgeHonoured,
  discoveryNoStoreHonoured,
  discoveryRefetchOnNewResourceMetadata,
  discoveryOutageKeepsLastKnownGood,
  discoverySingleFlight,
  noCredentialReuseAcrossAs,
  registrationOnce,
  reregisterOnAsChange,
} from '../checks/caching.js';
import { pkceFreshPerAttempt } from '../checks/pkce.js';
import { refreshInsteadOfReauthorization, refreshNotWhileValid } from '../checks/refresh.js';
import { respondsTo401 } from '../checks/token-use.js';
import { AUTHORIZED_AGAIN, REQUESTED_AFTER_CHANGE } from '../preconditions.js';
import { scenario } from './define.js';

const COLD_START = { label: 'cold start' };
const STALE_IF_ERROR = 'max-age=0, stale-if-error=86400';
const AFTER_EXPIRY = { label: 'after expiry', expireTokens: true };

export const cachingScenarios = [
  scenario({
    id: 'auth/discovery-warm-reconnect',
    title: 'Restart with valid tokens',
    description: 'Two starts; the tokens of the first are still valid in the second, which needs no discovery document, no new registration and no refresh.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    runs: [COLD_START, { label: 'warm reconnect' }],
    checks: [respondsTo401, discoveryCachedWarm, registrationOnce, refreshNotWhileValid, refreshInsteadOfReauthorization],
  }),
  scenario({
    id: 'auth/discovery-cache-control',
    title: 'Metadata marked no-store',
    description: 'The authorization server metadata is served with Cache-Control: no-store; after expiry, the second start fetches it again before it refreshes.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    world: { as: { metadataCacheControl: 'no-store' } },
    runs: [COLD_START, AFTER_EXPIRY],
    checks: [respondsTo401, discoveryNoStoreHonoured],
  }),
  scenario({
    id: 'auth/discovery-max-age',
    title: 'Metadata fresh for an hour',
    description: 'PRM and authorization server metadata are served with Cache-Control: max-age=3600; after expiry, the second start refreshes without fetching them again.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    world: { prm: { cacheControl: 'max-age=3600' }, as: { metadataCacheControl: 'max-age=3600' } },
    runs: [COLD_START, AFTER_EXPIRY],
    checks: [respondsTo401, discoveryMaxAgeHonoured, refreshInsteadOfReauthorization],
  }),
  scenario({
    id: 'auth/discovery-new-resource-metadata',
    title: 'A 401 names new resource metadata',
    description: "After expiry, the server's 401 names another PRM URL (RFC 9728 §5.2: the metadata may have changed); the second start fetches it exactly once.",
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    runs: [COLD_START, { ...AFTER_EXPIRY, label: 'new resource metadata', world: { rs: { resourceMetadataPath: '/.well-known/oauth-protected-resource/mcp-v2' } } }],
    checks: [respondsTo401, discoveryRefetchOnNewResourceMetadata],
  }),
  // The official world of this name: the move happens under the running client, after the first
  // request the resource server serves with a token (initialize and notifications need none).
  scenario({
    id: 'auth/authorization-server-migration',
    title: 'The resource moves to another authorization server while the client runs',
    description:
      "After the first request served with a token, PRM names a second authorization server and the first one's tokens are refused (401 invalid_token): on its next request the client registers there and sends it nothing of the first server's. A client that makes only one request never meets the move.",
    suites: ['core', 'caching'],
    specVersions: since('2026-07-28'),
    world: { as2: {}, prm: { migrateAfterAuthorizedRequests: 1 }, rs: { publicMethods: ['initialize', 'notifications/initialized'], challengeScope: 'mcp:basic' } },
    about: [reregisterOnAsChange.id, noCredentialReuseAcrossAs.id],
    checks: [respondsTo401, reregisterOnAsChange, noCredentialReuseAcrossAs, pkceFreshPerAttempt],
  }),
  scenario({
    id: 'auth/authorization-server-migration-across-runs',
    title: 'The resource moved to another authorization server between starts',
    description: "Before the second start, PRM names a second authorization server and the first one's tokens are refused: the client registers there and sends it nothing of the first server's.",
    suites: ['caching'],
    specVersions: since('2026-07-28'),
    world: { as2: {} },
    runs: [COLD_START, { label: 'authorization server changed', world: { prm: { authorizationServer: 'second' } } }],
    requires: [REQUESTED_AFTER_CHANGE.id],
    checks: [respondsTo401, reregisterOnAsChange, noCredentialReuseAcrossAs],
  }),
  scenario({
    id: 'auth/registration-reused',
    title: 'A new authorization reuses the registration',
    description:
      'A cold start registers and authorizes. Before the second start every token expires and the refresh token is revoked, so the client must authorize again: it should do so with the client it registered, not register another.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    runs: [COLD_START, { label: 'access revoked', expireTokens: true, revokeRefreshTokens: true }],
    // Nothing the first start kept can serve the second: authorizing again is the only way on.
    requires: [AUTHORIZED_AGAIN.id],
    checks: [respondsTo401, registrationOnce, pkceFreshPerAttempt],
  }),
  scenario({
    id: 'auth/discovery-outage',
    title: 'PRM unavailable while revalidating',
    description:
      "PRM and metadata are served with Cache-Control: max-age=0, stale-if-error=86400: stale at once, and usable stale when revalidating fails (RFC 5861). After expiry, every PRM URL answers 503: the client keeps the authorization server it knew and refreshes there, and never takes the resource server's origin for its authorization server.",
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    // no-cache would forbid using a stored copy without a successful revalidation (RFC 9111 §5.2.2.4),
    // which a strict cache obeys; stale-if-error is what lets the last known good be used.
    world: { prm: { cacheControl: STALE_IF_ERROR }, as: { metadataCacheControl: STALE_IF_ERROR } },
    runs: [COLD_START, { ...AFTER_EXPIRY, label: 'PRM unavailable', world: { prm: { unavailable: 503 } }, clientRefuses: true }],
    checks: [respondsTo401, discoveryOutageKeepsLastKnownGood],
  }),
  scenario({
    id: 'auth/discovery-concurrent-cold-start',
    title: 'Three copies start cold together',
    description: 'Three copies start at once on one state directory with nothing cached: each discovery document is fetched once and the client registers once.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    runs: [{ label: 'copies starting together', instances: 3 }],
    checks: [respondsTo401, discoverySingleFlight],
  }),
  scenario({
    id: 'auth/auth-failure-loop',
    title: 'Every token refused, then accepted again',
    description: 'The first start has every token refused (401 invalid_token): the client stops after at most 3 authorizations. The second start, with tokens accepted again, tries afresh and its tool call succeeds.',
    suites: ['caching'],
    specVersions: since('2025-06-18'),
    world: { rs: { revokeFirstTokens: 100 } },
    runs: [
      { label: 'every token refused', clientRefuses: true },
      { label: 'tokens accepted again', world: { rs: { revokeFirstTokens: 0 } } },
    ],
    checks: [authFailureBounded, authFailureNotCached, pkceFreshPerAttempt],
  }),
];
