// Metadata and registration: what an MCP client reads and does before it ever sends a user to the
// authorization server.
import type { AuthorizationServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { mcpClientMetadata } from '../../../core/targets/authorization-server/learn.js';
import {
  metadataEndpoints,
  metadataGrantTypes,
  metadataIssuer,
  metadataJson,
  metadataNoEmptyClaims,
  metadataOidcConsistent,
  metadataPkce,
  metadataPublicClients,
  metadataPublished,
  metadataSigningAlgorithms,
  OIDC_LABEL,
  RFC8414_LABEL,
} from '../checks/metadata.js';
import {
  REGISTER,
  registrationAcceptsMcpClient,
  registrationErrorShape,
  registrationIgnoresUnknown,
  registrationInvalidMetadata,
  registrationRedirectUris,
  registrationResponse,
} from '../checks/registration.js';

export const discoveryScenarios: AuthorizationServerScenario[] = [
  {
    id: 'as/metadata',
    title: 'Authorization server metadata',
    description:
      'The kit fetches RFC 8414 metadata at the path-inserted well-known URL and OpenID Connect discovery. A correct server serves JSON whose issuer is exactly its own, names its endpoints, lists S256 for PKCE (MCP clients refuse a server without it) and supports public clients.',
    suites: ['authorization-server', 'core', 'discovery'],
    specVersions: since('2025-06-18'),
    drive: async (drive) => {
      await drive.probe.send(RFC8414_LABEL, { url: drive.facts.metadataUrl, headers: { accept: 'application/json' }, role: 'as-metadata' });
      await drive.probe.send(OIDC_LABEL, { url: drive.facts.oidcUrl, headers: { accept: 'application/json' }, role: 'as-metadata' });
    },
    checks: [metadataPublished, metadataJson, metadataIssuer, metadataEndpoints, metadataPkce, metadataNoEmptyClaims, metadataSigningAlgorithms, metadataGrantTypes, metadataPublicClients, metadataOidcConsistent],
  },
  {
    id: 'as/registration',
    title: 'Dynamic client registration',
    description:
      'Where the server advertises a registration endpoint: an MCP SDK-shaped loopback public client (with and without application_type) is registered; one with an unknown field is accepted; an http redirect URI that is not loopback, a redirect URI that is no URI, grant_types as a string and malformed JSON are refused with a JSON OAuth error.',
    suites: ['authorization-server', 'core', 'registration'],
    specVersions: since('2025-06-18'),
    needs: ['registration'],
    drive: async (drive) => {
      const redirectUri = drive.facts.redirectUri;
      const client = mcpClientMetadata(redirectUri);
      await drive.register(REGISTER.mcp, client);
      await drive.register(REGISTER.withoutApplicationType, mcpClientMetadata(redirectUri, { applicationType: false }));
      await drive.register(REGISTER.unknownField, { ...client, x_mcp_auth_conformance_unknown: { nested: [1, 2, 3] } });
      await drive.register(REGISTER.httpRedirect, { ...client, redirect_uris: ['http://mcp-auth-conformance.example/callback'] });
      await drive.register(REGISTER.notUri, { ...client, redirect_uris: ['not a uri'] });
      await drive.register(REGISTER.invalidMetadata, { ...client, grant_types: 'authorization_code' });
      await drive.register(REGISTER.malformed, '{"redirect_uris": ["http://127.0.0.1:45781/callback"');
    },
    checks: [registrationAcceptsMcpClient, registrationResponse, registrationIgnoresUnknown, registrationRedirectUris, registrationInvalidMetadata, registrationErrorShape],
  },
];
