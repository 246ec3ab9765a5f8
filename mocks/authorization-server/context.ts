// What every authorization-server handler is built from. A world may hold more than one of these
// (a second issuer), each with its own state and key.
import type { KnobMemory } from '../knob-memory.js';
import type { AsKnobs } from '../knobs.js';
import type { SigningKey } from '../tokens.js';
import type { AuthorizationServerState } from './state.js';

export interface AsEndpoints {
  authorize: string;
  token: string;
  register?: string;
  jwks: string;
}

export interface AuthorizationServer {
  issuer: string;
  endpoints: AsEndpoints;
  knobs: AsKnobs;
  /** The identifiers of the one resource server (RFC 8707) this server mints tokens for. */
  resources: string[];
  state: AuthorizationServerState;
  /** Signs every token issued from now on. */
  key: SigningKey;
  /**
   * Keys published on the JWKS endpoint beside the signing one, signing nothing the server issues:
   * earlier keys after a rotation (newest first), then any published ahead of use.
   */
  retiredKeys: SigningKey[];
  /** What its knob-built handlers remember (fault budgets, a held barrier) across reconfiguration. */
  memory: KnobMemory;
}

/** Every key the server publishes: the current one first. */
export function publishedKeys(as: Pick<AuthorizationServer, 'key' | 'retiredKeys'>): SigningKey[] {
  return [as.key, ...as.retiredKeys];
}
