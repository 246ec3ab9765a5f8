// @openauthjs/openauth 0.4.3 as the authorization server of one MCP server: its issuer() Hono app
// on @hono/node-server at 127.0.0.1, the library's MemoryStorage, one subject type (`user`), and one
// provider. OpenAuth has no client registration and no client registry: any client_id is taken, and
// the `allow` callback is where a deployment says which clients and redirect URIs it serves. Here it
// allows the one client the deployment knows (MCP_CONFORMANCE_CLIENT_ID) with its registered
// redirect URI, on any port where that is a loopback URI (RFC 8252 §7.3). Access tokens live an hour;
// everything else is the library's default, its 60 s refresh-token reuse window included.
//
// What this target writes itself is the provider: OpenAuth's providers are the login methods (a
// password form, an upstream OAuth server...), and a headless run needs one whose authorize route
// says at once that the one user has logged in (ctx.success), as a person would after the form.
// Usage: node openauth-0.4.3.js, with the authorization-server environment and MCP_CONFORMANCE_CLIENT_ID.
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { issuer } from '@openauthjs/openauth';
import type { Provider } from '@openauthjs/openauth/provider/provider';
import { MemoryStorage } from '@openauthjs/openauth/storage/memory';
import { createSubjects } from '@openauthjs/openauth/subject';
import * as z from 'zod/v4';
import { readContract, serve, USER, withoutLoopbackPort } from './contract.js';
import { fail } from '../servers/contract.js';

const contract = readContract();
const clientId = contract.clientId ?? fail('missing MCP_CONFORMANCE_CLIENT_ID: OpenAuth registers no clients, so the kit must be given one (--client-id)');

const subjects = createSubjects({ user: z.object({ id: z.string() }) });

const signedIn: Provider<{ userID: string }> = {
  type: 'signed-in',
  init(route, ctx) {
    route.get('/authorize', (c) => ctx.success(c, { userID: USER.id }));
  },
};

const app = issuer({
  subjects,
  storage: MemoryStorage(),
  // The default access token lives 30 days; MCP "Token Theft" asks for short-lived ones.
  ttl: { access: 60 * 60 },
  providers: { user: signedIn },
  allow: async ({ clientID, redirectURI }) => clientID === clientId && withoutLoopbackPort(redirectURI) === withoutLoopbackPort(contract.redirectUri),
  success: async (ctx, value) => ctx.subject('user', { id: value.userID }),
});

serve(createAdaptorServer({ fetch: app.fetch }) as Server, contract);
