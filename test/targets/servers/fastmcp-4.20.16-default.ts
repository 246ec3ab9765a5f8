// fastmcp 4.20.16 as a resource server, DEFAULT configuration: the README's "OAuth Discovery
// Endpoints" setup. `oauth: { enabled, authorizationServer, protectedResource: { resource,
// authorizationServers } }` makes fastmcp serve the metadata and put resource_metadata in the
// challenges mcp-proxy builds; `authenticate` is the README's: no "Bearer " prefix -> throw
// new Response(null, { status: 401, statusText }), else verify the JWT against the AS's keys (with
// fastmcp's own JWKSVerifier from fastmcp/auth, given only jwksUri: the README's verifier checks
// neither issuer nor audience either), and on failure throw the same bare 401 Response. fastmcp has
// no introspection: with MCP_CONFORMANCE_TOKEN_FORMAT=opaque this target exits 2.
// Runs on Node 20 (its pipenet dependency declares node >= 22 but is only for tunnels, not loaded).
// Usage: node fastmcp-4.20.16-default.js, with the server-suite contract's environment.
import type { IncomingMessage } from 'node:http';
import { FastMCP } from 'fastmcp';
import { JWKSVerifier } from 'fastmcp/auth';
import { announce, exitOnSignal, HOST, readContract, runTestTool, unsupported } from './contract.js';

const contract = readContract();
if (contract.tokenFormat !== 'jwt' || !contract.jwksUri) unsupported('opaque tokens (fastmcp verifies JWTs only)');
const as = (await (await fetch(`${contract.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
const verifier = new JWKSVerifier({ jwksUri: contract.jwksUri });

const server = new FastMCP<Record<string, unknown>>({
  name: 'fastmcp-4.20.16-default',
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
    protectedResource: { resource: contract.resource, authorizationServers: [contract.issuer] },
  },
  authenticate: async (request: IncomingMessage) => {
    const authHeader = request.headers.authorization;
    if (!authHeader?.startsWith('Bearer ')) {
      throw new Response(null, { status: 401, statusText: 'Missing or invalid authorization header' });
    }
    const result = await verifier.verify(authHeader.slice(7));
    if (!result.valid || !result.claims) throw new Response(null, { status: 401, statusText: 'Invalid OAuth token' });
    return { userId: result.claims.sub, scope: result.claims.scope };
  },
});
server.addTool({ name: 'test-tool', description: 'A tool for the conformance kit to call', execute: async () => runTestTool(contract) });

await server.start({ transportType: 'httpStream', httpStream: { host: HOST, port: contract.port, endpoint: contract.mcpPath as `/${string}` } });
announce(contract);
exitOnSignal(() => server.stop());
