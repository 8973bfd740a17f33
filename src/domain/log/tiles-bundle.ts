/**
 * tlog-tiles entry bundles: the log's leaves, each as a big-endian uint16
 * length followed by the leaf bytes. Hand-written because the framing is the
 * protocol itself (two bytes of length per entry), not something a library adds.
 */

/** Longest leaf a bundle can frame: the length prefix is a uint16. */
export const MAX_BUNDLE_ENTRY_BYTES = 0xffff;

/** Frames leaves into one bundle. Throws RangeError for a leaf the framing cannot hold. */
export function encodeEntryBundle(leaves: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const leaf of leaves) {
    if (leaf.length > MAX_BUNDLE_ENTRY_BYTES) {
      throw new RangeError(
        `a ${leaf.length}-byte leaf exceeds the ${MAX_BUNDLE_ENTRY_BYTES}-byte bundle limit`,
      );
    }
    total += 2 + leaf.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const leaf of leaves) {
    out[at] = leaf.length >>> 8;
    out[at + 1] = leaf.length & 0xff;
    out.set(leaf, at + 2);
    at += 2 + leaf.length;
  }
  return out;
}

/** Splits a bundle back into its leaves. Throws RangeError on a truncated entry. */
export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length) throw new RangeError(`bundle ends inside a length prefix at byte ${at}`);
    const length = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + length > bundle.length) throw new RangeError(`bundle entry at byte ${at} is truncated`);
    leaves.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return leaves;
}
