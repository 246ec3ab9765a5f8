// @modelcontextprotocol/sdk 1.32.2 as a resource server, DEFAULT configuration: wired the way the
// SDK's own example (src/examples/server/simpleStreamableHttp.ts with --oauth, not --oauth-strict)
// wires it, which is what its docs point to. createMcpExpressApp; mcpAuthMetadataRouter with the
// AS's metadata, resourceServerUrl = the MCP URL and scopesSupported; requireBearerAuth with
// requiredScopes: [] and resourceMetadataUrl from getOAuthProtectedResourceMetadataUrl, no
// expectedResource. The SDK ships no token verifier; the one here is the plainest jose verifier a
// user writes for JWTs (jwtVerify against the JWKS, no issuer/audience options) and, like the
// example's introspection verifier, lets its errors propagate as plain errors. Opaque tokens are
// introspected the same plain way (active:false is not an error to it, as in the example).
// Usage: node sdk-1.32.2-default.js, with the server-suite contract's environment.
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { HOST, introspect, readContract, SCOPES_SUPPORTED, scopesOf, serveMcpBehind, verifyJwt } from './contract.js';

const contract = readContract();
const mcpUrl = new URL(contract.resource);
const oauthMetadata = (await (await fetch(`${contract.issuer}/.well-known/oauth-authorization-server`)).json()) as OAuthMetadata;

function resourceOf(aud: unknown): URL | undefined {
  const found = [aud ?? []].flat().find((a) => typeof a === 'string' && URL.canParse(a) && new URL(a).origin === mcpUrl.origin);
  return typeof found === 'string' ? new URL(found) : undefined;
}

const verifier: OAuthTokenVerifier = {
  async verifyAccessToken(token): Promise<AuthInfo> {
    const claims = contract.tokenFormat === 'jwt' ? await verifyJwt(contract, token) : await introspect(contract, token);
    return {
      token,
      clientId: String(claims.client_id ?? ''),
      scopes: scopesOf(claims),
      expiresAt: claims.exp,
      resource: resourceOf(claims.aud),
    };
  },
};

const app = createMcpExpressApp({ host: HOST });
app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: mcpUrl, scopesSupported: SCOPES_SUPPORTED, resourceName: 'sdk-1.32.2-default' }));
const auth = requireBearerAuth({ verifier, requiredScopes: [], resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
serveMcpBehind(app, auth, contract, 'sdk-1.32.2-default');
