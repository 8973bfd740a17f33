/**
 * Strict base64 (RFC 4648 §4) and base64url (§5) without Buffer, so the same
 * code runs in the browser. Decoding rejects anything non-canonical: wrong
 * alphabet, wrong padding, or non-zero trailing bits, because two encodings of
 * the same bytes would let an attacker vary signed text without detection.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encodeWith(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decodeWith(text: string, alphabet: string, padded: boolean): Uint8Array | null {
  let body = text;
  if (padded) {
    if (text.length % 4 !== 0) return null;
    if (text.endsWith('==')) body = text.slice(0, -2);
    else if (text.endsWith('=')) body = text.slice(0, -1);
  }
  if (body.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const v = alphabet.indexOf(body[i]!);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, otherwise the encoding is not the canonical one.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  return encodeWith(bytes, STD, true);
}

/** Returns null for anything that is not canonical padded base64. */
export function decodeBase64(text: string): Uint8Array | null {
  return decodeWith(text, STD, true);
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeWith(bytes, URL, false);
}

export function decodeBase64Url(text: string): Uint8Array | null {
  return decodeWith(text, URL, false);
}
