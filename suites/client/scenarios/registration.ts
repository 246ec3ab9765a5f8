// How the client obtains its client_id and authenticates at the token endpoint.
import { since } from '../../../core/spec.js';
import { CONFORMANCE_CIMD_URL, type TokenAuthMethod } from '../../../mocks/knobs.js';
import { cimdClientIdUrl, dcrApplicationType, dcrApplicationTypeNative, dcrRefreshGrant, dcrRequestValid, registrationPriority } from '../checks/registration.js';
import { FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

const PRE_REGISTERED = { client_id: 'pre-registered-client', client_secret: 'pre-registered-secret' };

/** The credentials; the engine names the context after the scenario, as the official runner does. */
const preRegistrationContext = () => ({ ...PRE_REGISTERED });

const tokenEndpointAuth = (method: TokenAuthMethod, short: string) =>
  scenario({
    id: `auth/token-endpoint-auth-${short}`,
    title: `Token endpoint authentication with ${method}`,
    description: `The authorization server offers only ${method}; registration returns ${method === 'none' ? 'no secret' : 'a secret'} and that method, which the client must use when redeeming the code.`,
    suites: ['core', 'registration'],
    specVersions: since('2025-06-18'),
    world: { as: { tokenAuthMethods: [method] } },
    checks: [dcrRequestValid, ...FLOW],
  });

export const registrationScenarios = [
  scenario({
    id: 'auth/dynamic-client-registration',
    title: 'Dynamic client registration (RFC 7591)',
    description: 'Only a registration endpoint is offered. The client registers with JSON naming its redirect URIs, application_type (2026-07-28) and the refresh_token grant, then uses the issued client_id.',
    suites: ['core', 'registration'],
    specVersions: since('2025-06-18'),
    checks: [dcrRequestValid, dcrApplicationType, dcrApplicationTypeNative, dcrRefreshGrant, registrationPriority, ...FLOW],
  }),
  scenario({
    id: 'auth/pre-registration',
    title: 'Pre-registered client credentials from MCP_CONFORMANCE_CONTEXT',
    description: 'No registration endpoint; the context carries client_id and client_secret of a confidential client registered for client_secret_basic.',
    suites: ['core', 'registration'],
    specVersions: since('2025-06-18'),
    world: { as: { registration: false, tokenAuthMethods: ['client_secret_basic'], preRegistered: PRE_REGISTERED } },
    context: preRegistrationContext,
    checks: [registrationPriority, ...FLOW],
  }),
  scenario({
    id: 'auth/basic-cimd',
    title: 'Client ID metadata document',
    description: `The authorization server advertises client_id_metadata_document_supported and also offers registration; the client should use its document URL (${CONFORMANCE_CIMD_URL}) as client_id instead of registering.`,
    suites: ['core', 'registration'],
    specVersions: since('2025-11-25'),
    world: { as: { cimd: true } },
    checks: [registrationPriority, cimdClientIdUrl, ...FLOW],
  }),
  scenario({
    id: 'auth/registration-priority',
    title: 'Pre-registration, CIMD and registration all available',
    description: 'Pre-registered credentials are given and the server supports CIMD and registration: the client should use the pre-registered client (C-REG-02 priority).',
    suites: ['registration'],
    specVersions: since('2025-11-25'),
    world: { as: { cimd: true, tokenAuthMethods: ['client_secret_basic', 'none'], preRegistered: PRE_REGISTERED } },
    context: preRegistrationContext,
    checks: [registrationPriority, ...FLOW],
  }),
  tokenEndpointAuth('client_secret_basic', 'basic'),
  tokenEndpointAuth('client_secret_post', 'post'),
  tokenEndpointAuth('none', 'none'),
];
