// Bytes and text with Web APIs only, no Buffer and no node: modules, so that the in-process world
// and the checks run in a browser (msw's setupWorker) as they do in Node. The decoders read input
// exactly as Buffer did: a credential or a saved trace judged before reads the same now.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URL_SAFE = `${ALPHABET}-_`;

// Buffer decodes both alphabets whichever it is asked for, and truncates each UTF-16 unit to its low
// byte before looking it up (so U+0141 reads as "A"): the table is indexed by that byte.
const SEXTET = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[URL_SAFE.charCodeAt(i)] = i;
SEXTET['+'.charCodeAt(0)] = 62;
SEXTET['/'.charCodeAt(0)] = 63;
const PAD = '='.charCodeAt(0);

/** Unpadded base64url (RFC 4648 §5), as Buffer's 'base64url' writes it. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += URL_SAFE[n >> 18] + URL_SAFE[(n >> 12) & 63] + URL_SAFE[(n >> 6) & 63] + URL_SAFE[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) out += URL_SAFE[bytes[i] >> 2] + URL_SAFE[(bytes[i] & 3) << 4];
  if (rest === 2) {
    const n = (bytes[i] << 8) | bytes[i + 1];
    out += URL_SAFE[n >> 10] + URL_SAFE[(n >> 4) & 63] + URL_SAFE[(n & 15) << 2];
  }
  return out;
}

/**
 * Base64 or base64url, read as leniently as Buffer.from(text, 'base64'): characters outside both
 * alphabets are skipped, the first "=" ends the input wherever it is, padding is optional, and a
 * trailing lone character is dropped. atob would throw on most of these, and a client's Basic
 * header that the world accepted before must not start failing for it.
 */
export function decodeBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.ceil((text.length * 3) / 4));
  let length = 0;
  let bits = 0;
  let held = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text.charCodeAt(i) & 0xff;
    if (byte === PAD) break;
    const sextet = SEXTET[byte];
    if (sextet < 0) continue;
    bits = (bits << 6) | sextet;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out[length++] = (bits >> held) & 0xff;
      bits &= (1 << held) - 1;
    }
  }
  return out.slice(0, length);
}

// ignoreBOM keeps a leading U+FEFF, as Buffer's toString does; the default decoder would drop it.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 to text, malformed sequences replaced by U+FFFD (as Buffer's toString('utf8')). */
export function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** The low byte of each UTF-16 unit: what Node's 'ascii' and 'latin1' encodings write for a string. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Cryptographically random bytes (Web Crypto, global in Node 20 and in browsers). */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
