/**
 * Strict base64 (RFC 4648 §4) and base64url (§5) without Buffer, so the same
 * code runs in the browser. Decoding rejects anything non-canonical: wrong
 * alphabet, wrong padding, or non-zero trailing bits, because two encodings of
 * the same bytes would let an attacker vary signed text without detection.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PAD = 61; // '='

interface Alphabet {
  /** Character code of each 6-bit value. */
  readonly codes: Uint8Array;
  /** 6-bit value of each character code below 128, or -1. */
  readonly values: Int8Array;
}

function alphabetOf(chars: string): Alphabet {
  const codes = new Uint8Array(64);
  const values = new Int8Array(128).fill(-1);
  for (let v = 0; v < 64; v++) {
    codes[v] = chars.charCodeAt(v);
    values[codes[v]!] = v;
  }
  return { codes, values };
}

const STD_ALPHABET = alphabetOf(STD);
const URL_ALPHABET = alphabetOf(URL);
// Character codes to text in one native call: a batch slice is ~22 KB of base64, a million-record
// batch 43 MB, where a string grown a character at a time cost seconds (issue 14). ASCII is valid UTF-8.
const ASCII = new TextDecoder();

function encodeWith(bytes: Uint8Array, { codes }: Alphabet, pad: boolean): string {
  const whole = bytes.length - (bytes.length % 3);
  const rest = bytes.length - whole;
  const out = new Uint8Array((whole / 3) * 4 + (rest === 0 ? 0 : pad ? 4 : rest + 1));
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = codes[(n >> 18) & 63]!;
    out[o++] = codes[(n >> 12) & 63]!;
    out[o++] = codes[(n >> 6) & 63]!;
    out[o++] = codes[n & 63]!;
  }
  if (rest > 0) {
    const n = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o++] = codes[(n >> 18) & 63]!;
    out[o++] = codes[(n >> 12) & 63]!;
    if (rest === 2) out[o++] = codes[(n >> 6) & 63]!;
    if (pad) out.fill(PAD, o);
  }
  return ASCII.decode(out);
}

function decodeWith(text: string, { values }: Alphabet, padded: boolean): Uint8Array | null {
  let length = text.length;
  if (padded) {
    if (length % 4 !== 0) return null;
    if (length > 0 && text.charCodeAt(length - 1) === PAD) length--;
    if (length > 0 && text.charCodeAt(length - 1) === PAD) length--;
  }
  if (length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? values[code]! : -1;
    if (v < 0) return null;
    // Only the low 12 bits can still be pending: keep the accumulator small.
    acc = ((acc << 6) | v) & 0xfff;
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
  return encodeWith(bytes, STD_ALPHABET, true);
}

/** Returns null for anything that is not canonical padded base64. */
export function decodeBase64(text: string): Uint8Array | null {
  return decodeWith(text, STD_ALPHABET, true);
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeWith(bytes, URL_ALPHABET, false);
}

export function decodeBase64Url(text: string): Uint8Array | null {
  return decodeWith(text, URL_ALPHABET, false);
}
