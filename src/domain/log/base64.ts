/**
 * Standard base64 (RFC 4648 §4, with padding), as every C2SP format in this
 * folder uses it. Decoding is strict: a value has exactly one accepted
 * spelling, so two parties can never disagree about which bytes a line holds
 * and a signed text cannot be re-spelled without breaking its signature.
 *
 * Pure: no Buffer, no atob/btoa (atob accepts whitespace and missing padding).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
  }
  return table;
})();

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Decodes canonical padded base64, or returns undefined. Rejected: lengths that
 * are not a multiple of 4, characters outside the alphabet (including
 * whitespace and the URL-safe `-_`), `=` anywhere but the last one or two
 * places, and non-zero bits in the final partial group (non-canonical
 * spellings such as `AB==` for the byte 0x00, whose canonical form is `AA==`).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const groupPadding = last ? padding : 0;
    let n = 0;
    for (let j = 0; j < 4 - groupPadding; j++) {
      const code = text.charCodeAt(i + j);
      // A non-ASCII code unit would index past the table; a '=' here is misplaced padding.
      const value = code < 128 ? DECODE_TABLE[code]! : -1;
      if (value < 0) return undefined;
      n = (n << 6) | value;
    }
    if (groupPadding === 2) {
      // Canonical form: the 4 unused low bits of the second character are zero.
      if ((n & 0x0f) !== 0) return undefined;
      out[o++] = n >> 4;
    } else if (groupPadding === 1) {
      // Canonical form: the 2 unused low bits of the third character are zero.
      if ((n & 0x03) !== 0) return undefined;
      out[o++] = n >> 10;
      out[o++] = (n >> 2) & 0xff;
    } else {
      out[o++] = n >> 16;
      out[o++] = (n >> 8) & 0xff;
      out[o++] = n & 0xff;
    }
  }
  return out;
}
