// @better-auth/oauth-provider 1.7.5 (with better-auth 1.7.5) as a resource server, DEFAULT
// configuration: the docs' "Resource Client" for an API that is not the authorization server.
// createAuthClient({ plugins: [oauthProviderResourceClient()] }) with no auth instance (the AS is
// the kit's, not a better-auth app), then serverClient.verifyAccessTokenRequest(request, { jwksUrl,
// verifyOptions: { issuer, audience } }) on every MCP request: without an auth instance issuer and
// audience are mandatory (it throws "please define opts.verifyOptions.audience"), so even the
// default checks both. A failure is thrown as better-call's APIError carrying the library's own
// challenge (createResourceServerChallenge), answered here with its status, headers and body as the
// docs' handlers do. serverClient.getProtectedResourceMetadata({ resource, authorization_servers })
// is served at the path-inserted URL, the one the library's challenge names. Opaque tokens: the
// resource client's remoteVerify (RFC 7662, client_secret_post) with the contract's credentials.
// The MCP side is the SDK 1.32.2 stateful endpoint in an express app (contract.ts).
// Usage: node better-auth-oauth-provider-1.7.5-default.js, with the server-suite contract's environment.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthClient } from 'better-auth/client';
import { oauthProviderResourceClient } from '@better-auth/oauth-provider/resource-client';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { answerBetterAuthError, HOST, readContract, resourceRequest, serveMcpBehind } from './contract.js';

const contract = readContract();
const serverClient = createAuthClient({ plugins: [oauthProviderResourceClient()] });
const verifyOptions = { issuer: contract.issuer, audience: contract.resource };
const client = contract.introspection;
const options =
  contract.tokenFormat === 'opaque' && client
    ? { verifyOptions, remoteVerify: { introspectUrl: client.endpoint, clientId: client.clientId, clientSecret: client.clientSecret, force: true } }
    : { verifyOptions, jwksUrl: String(contract.jwksUri) };

async function auth(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
  try {
    await serverClient.verifyAccessTokenRequest(resourceRequest(req, contract), options);
  } catch (error) {
    return answerBetterAuthError(res, error);
  }
  next();
}

const app = createMcpExpressApp({ host: HOST });
app.get(new URL(contract.prmUrl).pathname, async (_req: IncomingMessage, res: ServerResponse) => {
  const metadata = await serverClient.getProtectedResourceMetadata({ resource: contract.resource, authorization_servers: [contract.issuer] });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
});
serveMcpBehind(app, auth, contract, 'better-auth-oauth-provider-1.7.5-default');
