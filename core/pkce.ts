// RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). The checks judge traces
// synchronously, so the hash is a synchronous one in plain JavaScript (Web Crypto's is async only),
// which also runs in a browser.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, latin1Bytes } from './bytes.js';

/**
 * The S256 challenge of a verifier. A verifier outside ASCII is hashed as Node's 'ascii' encoding
 * wrote it (the low byte of each UTF-16 unit), so that a malformed one still gets a definite answer.
 */
export function s256(verifier: string): string {
  return base64url(sha256(latin1Bytes(verifier)));
}
