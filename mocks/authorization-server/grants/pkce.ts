import { s256 } from '../../../core/pkce.js';

/** RFC 7636 §4.6. */
export function pkceVerifies(method: string, challenge: string, verifier: string): boolean {
  if (method === 'S256') return s256(verifier) === challenge;
  if (method === 'plain') return verifier === challenge;
  return false;
}
