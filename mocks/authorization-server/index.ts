// Builds one authorization server: its memory, its key, the clients it knows in advance, and the
// MSW handlers the knobs select.
import type { RequestHandler } from 'msw';
import { KnobMemory } from '../knob-memory.js';
import { CONFORMANCE_CIMD_URL, type AsKnobs } from '../knobs.js';
import { generateSigningKey, type SigningKey } from '../tokens.js';
import { authorizationEndpoint } from './authorize.js';
import type { AsEndpoints, AuthorizationServer } from './context.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { jwksEndpoint } from './jwks.js';
import { authorizationServerMetadata, metadataDocument, type MetadataFlavour } from './metadata.js';
import { refreshPolicies } from './refresh-policy.js';
import { refreshRejections } from './refresh-rejection.js';
import { registrationEndpoint } from './register.js';
import { AuthorizationServerState } from './state.js';
import { tokenEndpoint } from './token.js';
import { newBarrierMemory, refreshBarrier, tokenFaults, tokenLatency, type FaultBudgets } from './token-timing.js';

export interface AuthorizationServerConfig {
  issuer: string;
  endpoints: AsEndpoints;
  knobs: AsKnobs;
  resources: string[];
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

/** What an authorization server keeps when the world is reconfigured: everything but its handlers. */
export type AuthorizationServerMemory = Pick<AuthorizationServer, 'state' | 'key' | 'retiredKeys' | 'memory'>;

/**
 * A server from its configuration; given `kept`, the same server (key, clients, codes, refresh
 * families, issued tokens) under a new configuration.
 */
export async function createAuthorizationServer(config: AuthorizationServerConfig, kept?: AuthorizationServerMemory): Promise<AuthorizationServer> {
  // Only these: `kept` may be a whole earlier server, whose configuration must not leak in.
  const state = kept?.state ?? new AuthorizationServerState();
  const key = kept?.key ?? (await generateSigningKey());
  const retiredKeys = kept?.retiredKeys ?? [];
  const memory = kept?.memory ?? new KnobMemory();
  seedKnownClients(state, config.knobs);
  return { ...config, state, key, retiredKeys, memory };
}

/**
 * A new signing key for every token issued from now on. The old one stays published (tokens it
 * signed stay valid, as with a planned rotation) unless `withdraw` takes every earlier key off the
 * JWKS endpoint, as after a key compromise: then tokens they signed fail their signature check.
 */
export async function rotateSigningKey(as: AuthorizationServerMemory, withdraw = false): Promise<SigningKey> {
  const next = await generateSigningKey();
  as.retiredKeys = withdraw ? [] : [as.key, ...as.retiredKeys];
  as.key = next;
  return next;
}

export interface MetadataPublication {
  url: string;
  flavour: MetadataFlavour;
}

/** Latency, the barrier and faults, in that order: a delayed request may meet the barrier, a held one may fail. */
function tokenEndpointFront(as: AuthorizationServer): RequestHandler[] {
  const { knobs, endpoints, memory } = as;
  const handlers: RequestHandler[] = [tokenLatency(endpoints.token, as.state, knobs.tokenLatencyMs)];
  if (knobs.refreshBarrier !== undefined && knobs.refreshBarrier > 1) {
    handlers.push(refreshBarrier(endpoints.token, knobs.refreshBarrier, memory.keep('refreshBarrier', knobs.refreshBarrier, newBarrierMemory)));
  }
  if (knobs.tokenFaults && knobs.tokenFaults.length > 0) {
    handlers.push(tokenFaults(endpoints.token, knobs.tokenFaults, memory.keep<FaultBudgets>('tokenFaults', knobs.tokenFaults, () => [])));
  }
  return handlers;
}

function refreshGrantOf(knobs: AsKnobs) {
  return refreshTokenGrant({
    policy: refreshPolicies[knobs.refreshPolicy ?? 'strict'],
    reject: refreshRejections[knobs.refreshRejection ?? 'invalid_grant'],
    ...(knobs.refreshGraceMs !== undefined ? { graceMs: knobs.refreshGraceMs } : {}),
    rotate: knobs.rotateRefreshTokens ?? true,
  });
}

export function authorizationServerHandlers(as: AuthorizationServer, metadata: MetadataPublication[]): RequestHandler[] {
  const cacheControl = as.knobs.metadataCacheControl;
  return [
    ...metadata.map(({ url, flavour }) => authorizationServerMetadata(url, metadataDocument(as, flavour), cacheControl)),
    authorizationEndpoint(as),
    ...tokenEndpointFront(as),
    tokenEndpoint(as, { grants: { authorization_code: authorizationCodeGrant, refresh_token: refreshGrantOf(as.knobs) } }),
    ...(as.endpoints.register ? [registrationEndpoint(as, as.endpoints.register)] : []),
    jwksEndpoint(as),
  ];
}
