/**
 * A literal transcription of RFC 6962 §2.1 (MTH, PATH, PROOF) over an array of
 * leaf hashes: O(n) per call and obviously correct, used as an independent
 * oracle for the stored-hash prover. Test-only.
 */

import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
};

const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

export function referenceNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

export function referenceLeafHash(leaf: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), leaf);
}

export function mth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0]!;
  const k = split(d.length);
  return referenceNodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}

export function path(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

function subproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

export function consistency(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (m === 0 || m === d.length) return [];
  return subproof(m, d, true);
}
