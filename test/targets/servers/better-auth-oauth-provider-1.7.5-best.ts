// @better-auth/oauth-provider 1.7.5 (with better-auth 1.7.5) as a resource server, BEST
// configuration: the default's resource client (no auth instance; the AS is the kit's) with every
// option it has for this, set. verifyAccessTokenRequest gets, besides jwksUrl and issuer/audience,
// requiredScopes: ['mcp:read'] (its insufficient_scope 403) and jose options passed through
// verifyOptions: typ at+jwt, asymmetric algorithms only, exp required; opaque tokens go to its
// remoteVerify (RFC 7662, client_secret_post). getProtectedResourceMetadata also names
// scopes_supported (declared as externalScopes, as it demands when there is no auth instance) and
// bearer_methods_supported: ["header"], served at the path-inserted URL its challenges name.
// Failures are answered with the APIError the library throws (its challenge), as in the default.
// Usage: node better-auth-oauth-provider-1.7.5-best.js, with the server-suite contract's environment.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthClient } from 'better-auth/client';
import { oauthProviderResourceClient } from '@better-auth/oauth-provider/resource-client';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { answerBetterAuthError, HOST, READ_SCOPE, readContract, resourceRequest, SCOPES_SUPPORTED, serveMcpBehind, strictJwtOptions } from './contract.js';

const contract = readContract();
const serverClient = createAuthClient({ plugins: [oauthProviderResourceClient()] });
const { typ, algorithms, requiredClaims } = strictJwtOptions(contract);
const claimChecks = { issuer: contract.issuer, audience: contract.resource, requiredClaims };
const client = contract.introspection;
// For introspection the library runs verifyOptions over the introspection answer, as an unsecured
// JWT, so the header checks (typ, algorithms) stay with the JWT branch.
const options =
  contract.tokenFormat === 'opaque' && client
    ? { verifyOptions: claimChecks, requiredScopes: [READ_SCOPE], remoteVerify: { introspectUrl: client.endpoint, clientId: client.clientId, clientSecret: client.clientSecret, force: true } }
    : { verifyOptions: { ...claimChecks, typ, algorithms }, requiredScopes: [READ_SCOPE], jwksUrl: String(contract.jwksUri) };

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
  const metadata = await serverClient.getProtectedResourceMetadata(
    { resource: contract.resource, authorization_servers: [contract.issuer], scopes_supported: SCOPES_SUPPORTED, bearer_methods_supported: ['header'] },
    { externalScopes: SCOPES_SUPPORTED },
  );
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
});
serveMcpBehind(app, auth, contract, 'better-auth-oauth-provider-1.7.5-best');
