/**
 * A BatchDigestsRecorded slice in either of its encodings (events.ts): what
 * the node writes, and what a projection or a mirror reads back. Reading is
 * strict, so a slice has exactly one spelling: canonical padded base64 whose
 * length is a whole number of 32-byte digests, or a list of 64-character
 * lower-case hex strings. Anything else is malformed, never reinterpreted.
 */

import { decodeBase64, encodeBase64 } from '../crypto/base64.js';
import { toHex } from '../crypto/hex.js';
import { HASH_SIZE } from '../log/rfc6962.js';
import type { BatchDigestSlice, BatchSliceEncoding } from './events.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The value of a lower-case hex digit the pattern has already admitted. */
function nibble(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

/**
 * The slice of digests `from`.. in `packed` (32 bytes each) under `encoding`; `base64` may be a faster
 * encoder of the same canonical padded base64.
 */
export function encodeSlice(
  batchId: string,
  from: number,
  packed: Uint8Array,
  encoding: BatchSliceEncoding,
  base64: (bytes: Uint8Array) => string = encodeBase64,
): BatchDigestSlice {
  if (encoding === 'base64') return { batchId, from, digestsBase64: base64(packed) };
  const digests: string[] = new Array(packed.length / HASH_SIZE);
  for (let i = 0; i < digests.length; i++)
    digests[i] = toHex(packed.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return { batchId, from, digests };
}

export function sliceEncodingOf(slice: BatchDigestSlice): BatchSliceEncoding {
  return 'digestsBase64' in slice ? 'base64' : 'hex';
}

/**
 * The slice's digests end to end, 32 bytes each, or null when it is malformed (neither canonical
 * base64 of whole digests nor a list of lower-case hex digests) or empty. `decode` may be a faster
 * strict decoder with the same contract (a node passes Buffer's, checked for canonical form).
 */
export function sliceDigestBytes(
  slice: BatchDigestSlice,
  decode: (text: string) => Uint8Array | null = decodeBase64,
): Uint8Array | null {
  if ('digestsBase64' in slice) {
    if (typeof slice.digestsBase64 !== 'string') return null;
    const bytes = decode(slice.digestsBase64);
    return bytes === null || bytes.length === 0 || bytes.length % HASH_SIZE !== 0 ? null : bytes;
  }
  const { digests } = slice;
  if (!Array.isArray(digests) || digests.length === 0) return null;
  const out = new Uint8Array(digests.length * HASH_SIZE);
  for (let i = 0; i < digests.length; i++) {
    const hex = digests[i];
    if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) return null;
    for (let b = 0; b < HASH_SIZE; b++) {
      out[i * HASH_SIZE + b] = (nibble(hex.charCodeAt(b * 2)) << 4) | nibble(hex.charCodeAt(b * 2 + 1));
    }
  }
  return out;
}
