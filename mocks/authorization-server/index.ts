// Builds one authorization server: its memory, its key, the clients it knows in advance, and the
// MSW handlers the knobs select.
import type { RequestHandler } from 'msw';
import { CONFORMANCE_CIMD_URL, type AsKnobs } from '../knobs.js';
import { generateSigningKey } from '../tokens.js';
import { authorizationEndpoint } from './authorize.js';
import type { AsEndpoints, AuthorizationServer } from './context.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { jwksEndpoint } from './jwks.js';
import { authorizationServerMetadata, metadataDocument, type MetadataFlavour } from './metadata.js';
import { registrationEndpoint } from './register.js';
import { AuthorizationServerState } from './state.js';
import { tokenEndpoint } from './token.js';

export interface AuthorizationServerConfig {
  issuer: string;
  endpoints: AsEndpoints;
  knobs: AsKnobs;
  canonicalResource: string;
}

function seedKnownClients(state: AuthorizationServerState, knobs: AsKnobs): void {
  if (knobs.preRegistered) {
    state.addClient({
      client_id: knobs.preRegistered.client_id,
      ...(knobs.preRegistered.client_secret !== undefined ? { client_secret: knobs.preRegistered.client_secret } : {}),
      token_endpoint_auth_method: knobs.tokenAuthMethods[0] ?? 'none',
      redirect_uris: 'any-loopback',
    });
  }
  // The kit hosts the CIMD document on the client's behalf, so its content is known without a fetch.
  if (knobs.cimd) state.addClient({ client_id: CONFORMANCE_CIMD_URL, token_endpoint_auth_method: 'none', redirect_uris: 'any-loopback' });
}

export async function createAuthorizationServer(config: AuthorizationServerConfig): Promise<AuthorizationServer> {
  const state = new AuthorizationServerState();
  seedKnownClients(state, config.knobs);
  return { ...config, state, key: await generateSigningKey() };
}

export interface MetadataPublication {
  url: string;
  flavour: MetadataFlavour;
}

export function authorizationServerHandlers(as: AuthorizationServer, metadata: MetadataPublication[]): RequestHandler[] {
  return [
    ...metadata.map(({ url, flavour }) => authorizationServerMetadata(url, metadataDocument(as, flavour))),
    authorizationEndpoint(as),
    tokenEndpoint(as, { grants: { authorization_code: authorizationCodeGrant, refresh_token: refreshTokenGrant() } }),
    ...(as.endpoints.register ? [registrationEndpoint(as, as.endpoints.register)] : []),
    jwksEndpoint(as),
  ];
}
