// mcp-auth 0.2.0 in resource-server mode, BEST configuration: every check mcp-auth offers, on.
// The AS metadata is fetched and validated at start (fetchServerConfig, the JSDoc's "resolved
// config"), the PRM names scopesSupported, and bearerAuth('jwt', ...) gets resource, audience = the
// resource (RFC 8707 binding), requiredScopes: ['mcp:read'] and jwtVerify options passed through to
// jose: typ at+jwt, asymmetric algorithms only, exp required (jose checks exp only when present).
// For MCP_CONFORMANCE_TOKEN_FORMAT=opaque, mcp-auth's documented other form, bearerAuth(verify, ...)
// with a verify function, is given RFC 7662 introspection (written here, as mcp-auth has none) that
// throws mcp-auth's MCPAuthTokenVerificationError for an inactive token; issuer, audience and scope
// checks stay mcp-auth's.
// Usage: node mcp-auth-0.2.0-best.js, with the server-suite contract's environment.
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { HOST, introspect, loadMcpAuth, READ_SCOPE, readContract, SCOPES_SUPPORTED, scopesOf, serveMcpBehind, strictJwtOptions, type McpAuthInfo } from './contract.js';

const contract = readContract();
// import { fetchServerConfig, MCPAuth, MCPAuthTokenVerificationError } from 'mcp-auth', without its
// types (see loadMcpAuth in contract.ts).
const { fetchServerConfig, MCPAuth, MCPAuthTokenVerificationError } = await loadMcpAuth();
const authServer = await fetchServerConfig(contract.issuer, { type: 'oauth' });
const mcpAuth = new MCPAuth({
  protectedResources: {
    metadata: { resource: contract.resource, authorizationServers: [authServer], scopesSupported: SCOPES_SUPPORTED },
  },
});

async function introspected(token: string): Promise<McpAuthInfo> {
  const answer = await introspect(contract, token);
  if (!answer.active) throw new MCPAuthTokenVerificationError('invalid_token', { cause: 'inactive' });
  return {
    token,
    issuer: answer.iss ?? '',
    clientId: answer.client_id ?? '',
    scopes: scopesOf(answer),
    audience: answer.aud,
    expiresAt: answer.exp,
    subject: answer.sub,
    claims: { ...answer },
  };
}

const { typ, algorithms, requiredClaims } = strictJwtOptions(contract);
const options = { resource: contract.resource, audience: contract.resource, requiredScopes: [READ_SCOPE] };
const auth =
  contract.tokenFormat === 'jwt'
    ? mcpAuth.bearerAuth('jwt', { ...options, jwtVerify: { typ, algorithms, requiredClaims } })
    : mcpAuth.bearerAuth(introspected, options);

const app = createMcpExpressApp({ host: HOST });
app.use(mcpAuth.protectedResourceMetadataRouter());
serveMcpBehind(app, auth, contract, 'mcp-auth-0.2.0-best');
