// mcp-handler 2.4.0 (on @modelcontextprotocol/server 2.x), DEFAULT configuration: the README's
// wiring, served by node:http (mcp-handler is Request -> Response). The MCP route is
// withMcpAuth(createMcpHandler(...), verifyToken, { required: true }), so the challenge points at
// the default resourceMetadataPath, the ROOT /.well-known/oauth-protected-resource, where
// protectedResourceHandler({ authServerUrls: [issuer] }) answers (resource derived from the request
// URL) with metadataCorsOptionsRequestHandler for OPTIONS, the README's app/.well-known route.
// mcp-handler ships no token verifier; verifyToken follows the README's shape (no bearer token or
// a token that does not verify -> return undefined), the token checked with plain jose against the
// JWKS (no issuer/audience options), or for MCP_CONFORMANCE_TOKEN_FORMAT=opaque by introspection
// (active only).
// Usage: node mcp-handler-2.4.0-default.js, with the server-suite contract's environment.
import { createServer } from 'node:http';
import { createMcpHandler, metadataCorsOptionsRequestHandler, protectedResourceHandler, withMcpAuth } from 'mcp-handler';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { announce, closeServer, exitOnSignal, HOST, introspect, readContract, runTestTool, scopesOf, sendWebResponse, toWebRequest, verifyJwt } from './contract.js';

const contract = readContract();
const origin = new URL(contract.resource).origin;

const verifyToken = async (_req: Request, bearerToken?: string): Promise<AuthInfo | undefined> => {
  if (!bearerToken) return undefined;
  try {
    const claims = contract.tokenFormat === 'jwt' ? await verifyJwt(contract, bearerToken) : await introspect(contract, bearerToken);
    if ('active' in claims && !claims.active) return undefined;
    return { token: bearerToken, clientId: String(claims.client_id ?? ''), scopes: scopesOf(claims), expiresAt: claims.exp };
  } catch {
    return undefined;
  }
};

const mcp = createMcpHandler(
  (server) => {
    server.registerTool('test-tool', { description: 'A tool for the conformance kit to call' }, async () => ({
      content: [{ type: 'text', text: await runTestTool(contract) }],
    }));
  },
  { serverInfo: { name: 'mcp-handler-2.4.0-default', version: '1.0.0' } },
);
const mcpRoute = withMcpAuth(mcp, verifyToken, { required: true });
const metadata = protectedResourceHandler({ authServerUrls: [contract.issuer] });
const metadataOptions = metadataCorsOptionsRequestHandler();

const server = createServer(async (req, res) => {
  try {
    const request = await toWebRequest(req, origin);
    const path = new URL(request.url).pathname;
    let response: Response;
    if (path === contract.mcpPath) response = await mcpRoute(request);
    else if (path === '/.well-known/oauth-protected-resource') response = request.method === 'OPTIONS' ? metadataOptions() : metadata(request);
    else response = new Response('Not Found', { status: 404 });
    await sendWebResponse(res, response);
  } catch (error) {
    process.stderr.write(`error: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500).end();
  }
});
server.listen(contract.port, HOST, () => announce(contract));
exitOnSignal(() => closeServer(server));
