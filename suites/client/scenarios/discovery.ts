// Where PRM and authorization-server metadata live, and metadata a client must refuse.
import { since } from '../../../core/spec.js';
import { asMetadataIssuerValidated, prmDiscovered, prmResourceValidated } from '../checks/discovery.js';
import { FLOW } from '../checks/sets.js';
import { scenario } from './define.js';

export const discoveryScenarios = [
  scenario({
    id: 'auth/metadata-default',
    title: 'PRM named in the challenge, RFC 8414 metadata at the root',
    description:
      'PRM at the path-inserted well-known URI and named in the 401 resource_metadata; the client must use that URL (a request for the root PRM is a violation) and RFC 8414 metadata at the issuer root.',
    suites: ['core', 'metadata'],
    specVersions: since('2025-06-18'),
    world: { prm: { location: 'path', advertise: true } },
    checks: FLOW,
  }),
  scenario({
    id: 'auth/metadata-var1',
    title: 'PRM found by path-inserted probing, OpenID Connect metadata only',
    description: 'No resource_metadata in the challenge: the client must probe the path-inserted PRM URI first. The authorization server publishes only /.well-known/openid-configuration.',
    suites: ['core', 'metadata'],
    specVersions: since('2025-11-25'),
    world: { prm: { location: 'path', advertise: false }, as: { metadata: ['oidc-inserted'] } },
    checks: FLOW,
  }),
  scenario({
    id: 'auth/metadata-var2',
    title: 'PRM at the root well-known URI, issuer with a path, RFC 8414 path-inserted metadata',
    description:
      'The path-inserted PRM URI answers 404 so the client must fall back to the root one, whose resource is the origin (RFC 9728 §3.3: the identifier the root URL is built from). The issuer is /tenant1; its metadata lives at /.well-known/oauth-authorization-server/tenant1, and root metadata is a trap.',
    suites: ['core', 'metadata'],
    specVersions: since('2025-11-25'),
    world: { prm: { location: 'root', advertise: false }, as: { issuerPath: '/tenant1', metadata: ['oauth'] } },
    checks: FLOW,
  }),
  scenario({
    id: 'auth/metadata-var3',
    title: 'PRM at a custom URL from the challenge, OIDC metadata appended to an issuer path',
    description: 'PRM is reachable only through resource_metadata. The issuer /tenant1 publishes only /tenant1/.well-known/openid-configuration, the third location of the C-ASM-03 order.',
    suites: ['core', 'metadata'],
    specVersions: since('2025-11-25'),
    world: { prm: { location: 'custom', advertise: true }, as: { issuerPath: '/tenant1', metadata: ['oidc-appended'] } },
    checks: FLOW,
  }),
  scenario({
    id: 'auth/metadata-var4',
    title: 'Issuer with a path, OIDC metadata path-inserted',
    description: 'The issuer /tenant1 publishes only /.well-known/openid-configuration/tenant1, the second location of the C-ASM-03 order.',
    suites: ['metadata'],
    specVersions: since('2025-11-25'),
    world: { prm: { location: 'path', advertise: true }, as: { issuerPath: '/tenant1', metadata: ['oidc-inserted'] } },
    checks: FLOW,
  }),
  scenario({
    id: 'auth/resource-mismatch',
    title: 'PRM whose resource names another server',
    description: 'The PRM document says resource = https://evil.example.com/mcp. The client must not use it: no registration, authorization or token request may follow.',
    suites: ['core', 'metadata'],
    specVersions: since('2025-06-18'),
    world: { prm: { resource: 'other-origin' } },
    clientRefuses: true,
    checks: [prmDiscovered, prmResourceValidated],
  }),
  scenario({
    id: 'auth/metadata-issuer-mismatch',
    title: 'Authorization server metadata whose issuer is another server',
    description: 'The metadata document fetched for the issuer says issuer = https://honest-as.example. The client must not use it.',
    suites: ['core', 'metadata'],
    specVersions: since('2026-07-28'),
    world: { as: { issuerInMetadata: 'other' } },
    clientRefuses: true,
    checks: [asMetadataIssuerValidated],
  }),
];
