import { createHash } from 'node:crypto';

/** RFC 7636 §4.6. */
export function pkceVerifies(method: string, challenge: string, verifier: string): boolean {
  if (method === 'S256') return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
  if (method === 'plain') return verifier === challenge;
  return false;
}
