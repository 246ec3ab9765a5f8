// fastmcp 4.20.16 as a resource server, BEST configuration: everything fastmcp offers a resource
// server, set. The PRM also names scopes_supported and bearer_methods_supported: ["header"];
// fastmcp's JWKSVerifier gets issuer and audience (= the resource), its only checks beyond jose's
// signature/exp/nbf (it has no typ, algorithm or required-exp option); `authenticate` rejects by
// throwing an Error, never a hand-made Response, so every 401 carries the challenge mcp-proxy builds
// (resource_metadata, error, error_description). fastmcp leaves the Authorization header to
// `authenticate`; here the scheme is matched case-insensitively (RFC 9110 §11.1). Scopes go through fastmcp's own mechanism,
// canAccess: requireScopes(...) on the tool (test-tool needs mcp:write, as in the kit's reference
// server): fastmcp has no 403/insufficient_scope path, a tool the token does not reach is hidden.
// fastmcp has no introspection: with MCP_CONFORMANCE_TOKEN_FORMAT=opaque this target exits 2.
// Runs on Node 20 (pipenet, which declares node >= 22, is only for tunnels and is not loaded).
// Usage: node fastmcp-4.20.16-best.js, with the server-suite contract's environment.
import type { IncomingMessage } from 'node:http';
import { FastMCP } from 'fastmcp';
import { JWKSVerifier, requireScopes } from 'fastmcp/auth';
import { announce, exitOnSignal, HOST, readContract, runTestTool, SCOPES_SUPPORTED, unsupported, WRITE_SCOPE } from './contract.js';

const contract = readContract();
if (contract.tokenFormat !== 'jwt' || !contract.jwksUri) unsupported('opaque tokens (fastmcp verifies JWTs only)');
const as = (await (await fetch(`${contract.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
const verifier = new JWKSVerifier({ jwksUri: contract.jwksUri, issuer: contract.issuer, audience: contract.resource });

const server = new FastMCP<Record<string, unknown>>({
  name: 'fastmcp-4.20.16-best',
  version: '1.0.0',
  oauth: {
    enabled: true,
    authorizationServer: {
      issuer: contract.issuer,
      authorizationEndpoint: as.authorization_endpoint,
      tokenEndpoint: as.token_endpoint,
      jwksUri: contract.jwksUri,
      responseTypesSupported: ['code'],
    },
    protectedResource: {
      resource: contract.resource,
      authorizationServers: [contract.issuer],
      scopesSupported: SCOPES_SUPPORTED,
      bearerMethodsSupported: ['header'],
    },
  },
  authenticate: async (request: IncomingMessage) => {
    const [scheme, token] = request.headers.authorization?.split(' ') ?? [];
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new Error('No bearer token');
    const result = await verifier.verify(token);
    if (!result.valid || !result.claims) throw new Error('The access token is invalid');
    return { userId: result.claims.sub, scopes: result.claims.scope };
  },
});
server.addTool({
  name: 'test-tool',
  description: 'A tool for the conformance kit to call',
  canAccess: requireScopes(WRITE_SCOPE),
  execute: async () => runTestTool(contract),
});

await server.start({ transportType: 'httpStream', httpStream: { host: HOST, port: contract.port, endpoint: contract.mcpPath as `/${string}` } });
announce(contract);
exitOnSignal(() => server.stop());
