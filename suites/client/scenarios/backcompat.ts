// 2025-03-26 servers, which a current client must still reach.
import { SPEC_VERSIONS } from '../../../core/spec.js';
import { legacyDefaultEndpoints, legacyMetadataUsed } from '../checks/backcompat.js';
import { LEGACY_FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

export const backcompatScenarios = [
  scenario({
    id: 'auth/2025-03-26-oauth-metadata-backcompat',
    title: '2025-03-26 server: RFC 8414 metadata at the MCP server origin',
    description: 'No PRM. Metadata at the server root names endpoints under /oauth/, so a client that guesses /authorize gets 404.',
    suites: ['backcompat'],
    specVersions: [...SPEC_VERSIONS],
    protocolVersion: '2025-03-26',
    world: { prm: { location: 'none', advertise: false }, legacy: 'metadata-at-root' },
    checks: [legacyMetadataUsed, ...LEGACY_FLOW],
  }),
  scenario({
    id: 'auth/2025-03-26-oauth-endpoint-fallback',
    title: '2025-03-26 server without metadata: default endpoints',
    description: 'No PRM and no metadata: after trying metadata, the client uses /authorize, /token and /register at the server origin.',
    suites: ['backcompat'],
    specVersions: [...SPEC_VERSIONS],
    protocolVersion: '2025-03-26',
    world: { prm: { location: 'none', advertise: false }, legacy: 'default-endpoints' },
    checks: [legacyDefaultEndpoints, ...LEGACY_FLOW],
  }),
];
