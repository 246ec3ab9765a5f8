// Tampered authorization responses: state (CSRF) and iss (RFC 9207 mix-up) must be checked before redeeming.
import { since } from '../../../core/spec.js';
import { pkceChallengeSent } from '../checks/pkce.js';
import {
  issAbsentUnadvertisedAccepted,
  issMatchingAccepted,
  issMissingRejected,
  issNotNormalized,
  issUnadvertisedWrongRejected,
  issWrongRejected,
  stateMismatchRejected,
  stateMissingRejected,
  stateSent,
} from '../checks/response.js';
import { FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

const BEFORE_RESPONSE = [pkceChallengeSent, stateSent];

export const responseScenarios = [
  scenario({
    id: 'auth/state-mismatch',
    title: 'Authorization response with a different state',
    description: 'The redirect carries a state the client never sent, shaped like the one it did (an injected response from another flow of the same client). The client should discard it and redeem nothing.',
    suites: ['core', 'response'],
    specVersions: since('2025-06-18'),
    world: { as: { state: 'wrong' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, stateMismatchRejected],
  }),
  scenario({
    id: 'auth/state-missing',
    title: 'Authorization response without state',
    description: 'The redirect carries no state although the client sent one. The client should discard it.',
    suites: ['response'],
    specVersions: since('2025-06-18'),
    world: { as: { state: 'omit' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, stateMissingRejected],
  }),
  scenario({
    id: 'auth/iss-supported',
    title: 'iss advertised and correct',
    description: 'The server advertises authorization_response_iss_parameter_supported and sends the right iss: the client must proceed.',
    suites: ['core', 'response'],
    specVersions: since('2026-07-28'),
    checks: [issMatchingAccepted, ...FLOW],
  }),
  scenario({
    id: 'auth/iss-not-advertised',
    title: 'iss neither advertised nor sent',
    description: 'RFC 9207 table, last row: the client proceeds without iss.',
    suites: ['response'],
    specVersions: since('2026-07-28'),
    world: { as: { issSupported: false, issParameter: 'omit' } },
    checks: [issAbsentUnadvertisedAccepted, ...FLOW],
  }),
  scenario({
    id: 'auth/iss-supported-missing',
    title: 'iss advertised but missing',
    description: 'The server promises iss but the response has none: the client must reject it before any token request.',
    suites: ['core', 'response'],
    specVersions: since('2026-07-28'),
    world: { as: { issParameter: 'omit' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, issMissingRejected],
  }),
  scenario({
    id: 'auth/iss-wrong-issuer',
    title: 'iss names another issuer',
    description: 'A mix-up: iss = https://evil.example.com. The client must reject the response.',
    suites: ['core', 'response'],
    specVersions: since('2026-07-28'),
    world: { as: { issParameter: 'wrong' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, issWrongRejected],
  }),
  scenario({
    id: 'auth/iss-unexpected',
    title: 'iss not advertised but sent, and wrong',
    description: 'MCP compares a present iss whatever the advertisement says: the wrong one must be rejected.',
    suites: ['response'],
    specVersions: since('2026-07-28'),
    world: { as: { issSupported: false, issParameter: 'wrong' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, issUnadvertisedWrongRejected],
  }),
  scenario({
    id: 'auth/iss-normalized',
    title: 'iss equal to the issuer up to a trailing slash',
    description: 'iss = issuer + "/". Simple string comparison says different issuer: reject.',
    suites: ['response'],
    specVersions: since('2026-07-28'),
    world: { as: { issParameter: 'normalized' } },
    clientRefuses: true,
    checks: [...BEFORE_RESPONSE, issNotNormalized],
  }),
];
