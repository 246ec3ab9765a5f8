// mcp-auth 0.2.0 in resource-server mode, DEFAULT configuration: the README/JSDoc setup with the
// least set. new MCPAuth({ protectedResources: { metadata: { resource, authorizationServers:
// [{ issuer, type: 'oauth' }] (discovery config, metadata fetched on first use), scopesSupported } } }),
// app.use(mcpAuth.protectedResourceMetadataRouter()), and mcpAuth.bearerAuth('jwt', { resource }) on
// the MCP routes: no `audience` (the docs call it optional, "If not provided, the audience check will
// be skipped"), no requiredScopes, no jwtVerify options. Everything about the token is mcp-auth's:
// it decodes iss, checks it against the configured issuer, fetches the AS metadata and its jwks_uri,
// and verifies with jose. mcp-auth's 'jwt' mode has no introspection: with
// MCP_CONFORMANCE_TOKEN_FORMAT=opaque this target exits 2.
// Usage: node mcp-auth-0.2.0-default.js, with the server-suite contract's environment.
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { HOST, loadMcpAuth, readContract, SCOPES_SUPPORTED, serveMcpBehind, unsupported } from './contract.js';

const contract = readContract();
if (contract.tokenFormat !== 'jwt') unsupported("opaque tokens (mcp-auth's bearerAuth('jwt') verifies JWTs only)");
// import { MCPAuth } from 'mcp-auth', without its types (see loadMcpAuth in contract.ts).
const { MCPAuth } = await loadMcpAuth();

const mcpAuth = new MCPAuth({
  protectedResources: {
    metadata: {
      resource: contract.resource,
      authorizationServers: [{ issuer: contract.issuer, type: 'oauth' }],
      scopesSupported: SCOPES_SUPPORTED,
    },
  },
});

const app = createMcpExpressApp({ host: HOST });
app.use(mcpAuth.protectedResourceMetadataRouter());
const auth = mcpAuth.bearerAuth('jwt', { resource: contract.resource });
serveMcpBehind(app, auth, contract, 'mcp-auth-0.2.0-default');
