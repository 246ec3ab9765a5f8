// The authorization server's signing keys, from its JWKS URI.
import { createRemoteJWKSet, type RemoteJWKSet } from 'jose';
import { REQUEST_TIMEOUT_MS } from './config.js';

export type KeySet = RemoteJWKSet;

/**
 * Fetched on first use, kept for jose's default 10 minutes, and fetched again as soon as a token
 * names a kid the cached set lacks: after the AS rotates keys, the first token signed with the
 * new key must already be accepted. jose's default 30 s cooldown between such fetches would refuse
 * it for up to 30 s after any earlier lookup (an unknown-kid probe, say); jose runs one fetch at a
 * time, so a burst of unknown kids costs one request to the AS, not one each.
 */
export function remoteKeySet(jwksUri: URL): KeySet {
  return createRemoteJWKSet(jwksUri, { cooldownDuration: 0, timeoutDuration: REQUEST_TIMEOUT_MS });
}
