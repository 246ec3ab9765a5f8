// The demo authorization server of @modelcontextprotocol/sdk 1.32.2, wired as the SDK's own example
// (examples/server/demoInMemoryOAuthProvider.js, setupAuthServer) wires it with --oauth-strict:
// DemoInMemoryAuthProvider with a resource check that accepts only the MCP server of the
// environment, behind mcpAuthRouter with the issuer and the MCP scopes. Two changes: the router's
// rate limits are off, because the suite sends more requests in a minute than they allow, and the app
// is the SDK's createMcpExpressApp on 127.0.0.1 (the example's plain express listens everywhere).
//
// The demo approves every request without a page (it "simulates a user login"), so the kit's user
// agent is sent straight to the redirect URI. The SDK says it is a demo, not for production.
// Usage: node sdk-1.32.2-demo.js, with the authorization-server environment.
import { createServer } from 'node:http';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { resourceUrlFromServerUrl } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import { MCP_SCOPES, readContract, serve } from './contract.js';

const contract = readContract();
const expectedResource = resourceUrlFromServerUrl(new URL(contract.resource)).href;
const provider = new DemoInMemoryAuthProvider((resource) => resource?.href === expectedResource);

const app = createMcpExpressApp({ host: contract.host });
app.use(
  mcpAuthRouter({
    provider,
    issuerUrl: new URL(contract.issuer),
    scopesSupported: MCP_SCOPES,
    authorizationOptions: { rateLimit: false },
    tokenOptions: { rateLimit: false },
    clientRegistrationOptions: { rateLimit: false },
    revocationOptions: { rateLimit: false },
  }),
);
serve(createServer(app), contract);
