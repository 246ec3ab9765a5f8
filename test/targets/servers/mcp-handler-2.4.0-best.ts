// mcp-handler 2.4.0 (on @modelcontextprotocol/server 2.x), BEST configuration, served by node:http.
// Every withMcpAuth option set: required: true, requiredScopes: ['mcp:read'] (advertised in the
// challenges, enforced), resourceMetadataPath = the path-inserted /.well-known/oauth-protected-
// resource/mcp and resourceUrl = the resource's origin. That path serves the document built by
// generateProtectedResourceMetadata with resourceUrl = the resource (so `resource` names the MCP
// endpoint, not the origin) and additionalMetadata scopes_supported and bearer_methods_supported
// (protectedResourceHandler takes neither), with the handler's CORS/cache headers; test-tool
// carries the SDK's per-tool scopeChallenge: requireScopes('mcp:write'). The verifier is written as
// withMcpAuth asks (throw an OAuthError invalid_token for a bad token): jose with issuer, audience,
// typ at+jwt, asymmetric algorithms, exp required; opaque tokens by RFC 7662 introspection with
// client_secret_basic, active/iss/aud checked.
// Usage: node mcp-handler-2.4.0-best.js, with the server-suite contract's environment.
import { createServer } from 'node:http';
import { createMcpHandler, generateProtectedResourceMetadata, metadataCorsOptionsRequestHandler, withMcpAuth } from 'mcp-handler';
import { OAuthError, OAuthErrorCode, requireScopes, type AuthInfo } from '@modelcontextprotocol/server';
import { announce, closeServer, exitOnSignal, HOST, introspect, READ_SCOPE, readContract, SCOPES_SUPPORTED, runTestTool, scopesOf, sendWebResponse, strictJwtOptions, toWebRequest, verifyJwt, WRITE_SCOPE } from './contract.js';

const contract = readContract();
const resourceUrl = new URL(contract.resource);
const prmPath = new URL(contract.prmUrl).pathname;

async function claimsOf(token: string) {
  if (contract.tokenFormat === 'jwt') {
    try {
      return await verifyJwt(contract, token, strictJwtOptions(contract));
    } catch (error) {
      throw new OAuthError(OAuthErrorCode.InvalidToken, `The access token is invalid (${(error as { code?: string }).code ?? 'malformed'})`);
    }
  }
  const answer = await introspect(contract, token);
  if (!answer.active) throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token is not active');
  if (answer.iss !== undefined && answer.iss !== contract.issuer) throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token was issued by another issuer');
  if (![answer.aud ?? []].flat().includes(contract.resource)) throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token was not issued for this resource');
  return answer;
}

const verifyToken = async (_req: Request, bearerToken?: string): Promise<AuthInfo | undefined> => {
  if (!bearerToken) return undefined;
  const claims = await claimsOf(bearerToken);
  return { token: bearerToken, clientId: String(claims.client_id ?? ''), scopes: scopesOf(claims), expiresAt: claims.exp, resource: resourceUrl };
};

const mcp = createMcpHandler(
  (server) => {
    server.registerTool('test-tool', { description: 'A tool for the conformance kit to call', scopeChallenge: requireScopes(WRITE_SCOPE) }, async () => ({
      content: [{ type: 'text', text: await runTestTool(contract) }],
    }));
  },
  { serverInfo: { name: 'mcp-handler-2.4.0-best', version: '1.0.0' } },
);
const mcpRoute = withMcpAuth(mcp, verifyToken, {
  required: true,
  requiredScopes: [READ_SCOPE],
  resourceMetadataPath: prmPath,
  resourceUrl: resourceUrl.origin,
});
const metadataDocument = generateProtectedResourceMetadata({
  authServerUrls: [contract.issuer],
  resourceUrl: contract.resource,
  additionalMetadata: { scopes_supported: SCOPES_SUPPORTED, bearer_methods_supported: ['header'] },
});
const metadataOptions = metadataCorsOptionsRequestHandler();
const metadata = () => {
  const { headers } = metadataOptions();
  headers.set('cache-control', 'max-age=3600');
  return Response.json(metadataDocument, { headers });
};

const server = createServer(async (req, res) => {
  try {
    const request = await toWebRequest(req, resourceUrl.origin);
    const path = new URL(request.url).pathname;
    let response: Response;
    if (path === contract.mcpPath) response = await mcpRoute(request);
    else if (path === prmPath) response = request.method === 'OPTIONS' ? metadataOptions() : metadata();
    else response = new Response('Not Found', { status: 404 });
    await sendWebResponse(res, response);
  } catch (error) {
    process.stderr.write(`error: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500).end();
  }
});
server.listen(contract.port, HOST, () => announce(contract));
exitOnSignal(() => closeServer(server));
