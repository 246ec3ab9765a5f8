// Step-up authorization on 403 insufficient_scope, and the 403s that are not step-up requests.
import { since } from '../../../core/spec.js';
import type { KnobOverrides } from '../../../mocks/knobs.js';
import { pkceFreshPerAttempt } from '../checks/pkce.js';
import { refreshInsteadOfReauthorization } from '../checks/refresh.js';
import { FLOW } from '../checks/sets.js';
import { respondsTo401 } from '../checks/token-use.js';
import {
  bare403NotStepUp,
  scopeNeverNarrows,
  stepUpCallSucceeds,
  stepUpEscalation,
  stepUpInitialScope,
  stepUpReauthorizes,
  stepUpRetryLimit,
  stepUpScopeUnion,
} from '../checks/step-up.js';
import { scenario } from './define.js';

/**
 * The official auth/scope-step-up world: initialize is open, everything else needs a token (401 with
 * scope="mcp:basic"), and test-tool needs mcp:write (403 naming only that). PRM scopes_supported is
 * disjoint, so a union with it instead of the earlier request is caught. Like the official world, it
 * issues no refresh tokens: a client that would refresh on a 403 must authorize here.
 */
const STEP_UP: KnobOverrides = {
  as: { refreshTokens: false },
  prm: { scopesSupported: ['mcp:profile'] },
  rs: { publicMethods: ['initialize', 'notifications/initialized'], challengeScope: 'mcp:basic', toolScopes: { 'test-tool': ['mcp:write'] } },
};

/**
 * The official auth/scope-retry-limit world: initialize is open; every request with a token gets 403
 * insufficient_scope for mcp:admin, whatever the token carries (the user may grant it); after 3 such
 * requests the server answers 410. No refresh tokens.
 */
const RETRY_LIMIT: KnobOverrides = {
  as: { refreshTokens: false },
  prm: { scopesSupported: ['mcp:admin'] },
  rs: { publicMethods: ['initialize', 'notifications/initialized'], challengeScope: 'mcp:admin', alwaysInsufficientScope: 'mcp:admin', giveUpAfter: 3 },
};

/**
 * A step-up for one tool that can never succeed: test-tool needs mcp:admin, which the user cannot
 * grant, while the rest of the session works. No refresh tokens, so every attempt is an
 * authorization and the loop guard itself is what stops the client (a client that refreshes
 * instead fails the step-up scenarios, not these).
 */
const HOPELESS_STEP_UP = (variation: 'description' | 'order'): KnobOverrides => ({
  as: { grantableScopes: ['mcp:basic'], refreshTokens: false },
  rs: { challengeScope: 'mcp:basic', toolScopes: { 'test-tool': ['mcp:admin'] }, giveUpAfter: 6, challengeVariation: variation },
});

const withRefreshTokens = (world: KnobOverrides): KnobOverrides => ({ ...world, as: { ...world.as, refreshTokens: true } });

export const stepUpScenarios = [
  scenario({
    id: 'auth/scope-step-up',
    title: 'Step-up on 403 insufficient_scope',
    description:
      'The 401 names mcp:basic; calling test-tool then gets 403 insufficient_scope naming only mcp:write. The client authorizes again for mcp:write together with mcp:basic (the union, since 2026-07-28), and the call succeeds. No refresh tokens, as in the official world.',
    suites: ['core', 'step-up'],
    specVersions: since('2025-11-25'),
    world: STEP_UP,
    exitExplainedBy: [stepUpEscalation.id, stepUpCallSucceeds.id],
    about: [stepUpEscalation.id, stepUpScopeUnion.id, stepUpCallSucceeds.id],
    checks: [stepUpInitialScope, stepUpEscalation, stepUpScopeUnion, stepUpCallSucceeds, pkceFreshPerAttempt, ...FLOW],
  }),
  scenario({
    id: 'auth/scope-step-up-with-refresh-token',
    title: 'Step-up while holding a refresh token',
    description: 'The step-up world with a refresh token issued: a refresh cannot widen scope (RFC 6749 §6), so the 403 must lead straight to a new authorization.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: withRefreshTokens(STEP_UP),
    exitExplainedBy: [stepUpReauthorizes.id],
    about: [stepUpReauthorizes.id],
    checks: [stepUpReauthorizes, respondsTo401],
  }),
  scenario({
    id: 'auth/scope-retry-limit',
    title: 'Step-up that can never succeed',
    description:
      'Every request with a token gets 403 insufficient_scope for mcp:admin, whatever the token carries; after 3 of them the server answers 410. The client gives up after at most 3 authorizations.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: RETRY_LIMIT,
    clientRefuses: true,
    about: [stepUpRetryLimit.id],
    checks: [stepUpRetryLimit, pkceFreshPerAttempt, respondsTo401],
  }),
  scenario({
    id: 'auth/scope-step-up-varying-challenge',
    title: 'Hopeless step-up for one tool, each challenge worded differently',
    description:
      'test-tool needs mcp:admin, which the user can never grant; every 403 carries a new error_description, which defeats a loop guard that compares WWW-Authenticate strings. After 6 refusals the server answers 410. The client gives up after at most 3 authorizations.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: HOPELESS_STEP_UP('description'),
    clientRefuses: true,
    about: [stepUpRetryLimit.id],
    checks: [stepUpRetryLimit, pkceFreshPerAttempt, respondsTo401],
  }),
  scenario({
    id: 'auth/scope-step-up-reordered-challenge',
    title: 'Hopeless step-up for one tool, challenge parameters reordered',
    description:
      'test-tool needs mcp:admin, which the user can never grant; every 403 lists its parameters in another order, which defeats a loop guard that compares WWW-Authenticate strings. After 6 refusals the server answers 410. The client gives up after at most 3 authorizations.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: HOPELESS_STEP_UP('order'),
    clientRefuses: true,
    about: [stepUpRetryLimit.id],
    checks: [stepUpRetryLimit, pkceFreshPerAttempt, respondsTo401],
  }),
  scenario({
    id: 'auth/scope-bare-403',
    title: '403 without a challenge',
    description: 'Calling test-tool gets a plain 403 with no WWW-Authenticate (a WAF, not the authorization layer): no step-up, no authorization; the client may give up.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: { rs: { bare403Tools: ['test-tool'] } },
    clientRefuses: true,
    about: [bare403NotStepUp.id],
    checks: [bare403NotStepUp, respondsTo401],
  }),
  scenario({
    id: 'auth/scope-never-narrows',
    title: 'Refresh after a step-up',
    description: 'The step-up world with refresh tokens, then a start after expiry: the refresh continues the stepped-up grant (mcp:write), not the older, narrower one.',
    suites: ['step-up'],
    specVersions: since('2025-11-25'),
    world: withRefreshTokens(STEP_UP),
    runs: [{ label: 'step-up' }, { label: 'after expiry', expireTokens: true }],
    exitExplainedBy: [stepUpEscalation.id],
    about: [scopeNeverNarrows.id],
    checks: [scopeNeverNarrows, stepUpEscalation, refreshInsteadOfReauthorization, respondsTo401],
  }),
];
