// @modelcontextprotocol/sdk 1.32.2 as a resource server, BEST configuration: every option the SDK's
// resource-server pieces offer, set the way MCP authorization asks. mcpAuthMetadataRouter with
// resourceServerUrl = the MCP URL (so the metadata is served path-inserted and names the resource)
// and scopesSupported; requireBearerAuth with resourceMetadataUrl, requiredScopes: ['mcp:read'] and
// expectedResource = the MCP URL (the example's --oauth-strict). The verifier is written the way the
// SDK's OAuthTokenVerifier contract asks (throw InvalidTokenError for a bad token, anything else is
// a 500): jose with issuer, audience, typ at+jwt, asymmetric algorithms and exp required; opaque
// tokens by RFC 7662 introspection with client_secret_basic, active/iss/aud checked. What is left is
// the SDK's own: header parsing, challenges, scope and expiry checks, metadata.
// Usage: node sdk-1.32.2-best.js, with the server-suite contract's environment.
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { HOST, introspect, READ_SCOPE, readContract, SCOPES_SUPPORTED, scopesOf, serveMcpBehind, strictJwtOptions, verifyJwt } from './contract.js';

const contract = readContract();
const mcpUrl = new URL(contract.resource);
const oauthMetadata = (await (await fetch(`${contract.issuer}/.well-known/oauth-authorization-server`)).json()) as OAuthMetadata;

async function claimsOf(token: string) {
  if (contract.tokenFormat === 'jwt') {
    try {
      return await verifyJwt(contract, token, strictJwtOptions(contract));
    } catch (error) {
      throw new InvalidTokenError(`The access token is invalid (${(error as { code?: string }).code ?? 'malformed'})`);
    }
  }
  const answer = await introspect(contract, token);
  if (!answer.active) throw new InvalidTokenError('The access token is not active');
  if (answer.iss !== undefined && answer.iss !== contract.issuer) throw new InvalidTokenError('The access token was issued by another issuer');
  if (![answer.aud ?? []].flat().includes(contract.resource)) throw new InvalidTokenError('The access token was not issued for this resource');
  return answer;
}

const verifier: OAuthTokenVerifier = {
  async verifyAccessToken(token): Promise<AuthInfo> {
    const claims = await claimsOf(token);
    return {
      token,
      clientId: String(claims.client_id ?? ''),
      scopes: scopesOf(claims),
      expiresAt: claims.exp,
      // The audience already matched; this is what expectedResource compares.
      resource: mcpUrl,
    };
  },
};

const app = createMcpExpressApp({ host: HOST });
app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: mcpUrl, scopesSupported: SCOPES_SUPPORTED, resourceName: 'sdk-1.32.2-best' }));
const auth = requireBearerAuth({
  verifier,
  requiredScopes: [READ_SCOPE],
  resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
  expectedResource: mcpUrl,
});
serveMcpBehind(app, auth, contract, 'sdk-1.32.2-best');
