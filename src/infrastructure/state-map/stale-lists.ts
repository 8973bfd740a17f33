/**
 * The two lists a state_stale row carries, packed as blobs so that one
 * persisted version costs one row however much it replaced:
 *   pages  page ids, 6 bytes each (big-endian)
 *   keys   key hash (32 bytes) ‖ version (6 bytes), either
 *            - bit 47 clear: rows of that key in state_values older than that version, or
 *            - bit 47 set (the version in the bits below): that key's row in state_values_at at that version.
 *          Files written before state_values_at only hold the first kind.
 */

const ID_BYTES = 6;
const KEY_ENTRY = 32 + ID_BYTES;
/** Bit 47 of the 6-byte field: versions stay far below it (2^47 log entries). */
const EXACT_FLAG = 2 ** 47;

export function packPageIds(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * ID_BYTES);
  ids.forEach((id, i) => {
    out.writeUIntBE(id, i * ID_BYTES, ID_BYTES);
  });
  return out;
}

export function unpackPageIds(blob: Uint8Array): number[] {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const ids: number[] = [];
  for (let at = 0; at + ID_BYTES <= buffer.length; at += ID_BYTES) ids.push(buffer.readUIntBE(at, ID_BYTES));
  return ids;
}

/** Value rows no longer needed: one row of state_values_at, or older rows of state_values. */
export type StaleKey =
  | {
      readonly keyHash: Uint8Array;
      /** The row of the key at this version in state_values_at. */
      readonly at: number;
    }
  | {
      readonly keyHash: Uint8Array;
      /** Rows of the key in state_values with a version below this one. */
      readonly before: number;
    };

export function packStaleKeys(keys: readonly StaleKey[]): Buffer {
  const out = Buffer.allocUnsafe(keys.length * KEY_ENTRY);
  keys.forEach((k, i) => {
    const version = 'at' in k ? k.at : k.before;
    if (!Number.isSafeInteger(version) || version < 0 || version >= EXACT_FLAG) {
      throw new RangeError(`stale value version ${version} out of range`);
    }
    out.set(k.keyHash, i * KEY_ENTRY);
    out.writeUIntBE('at' in k ? version + EXACT_FLAG : version, i * KEY_ENTRY + 32, ID_BYTES);
  });
  return out;
}

export function unpackStaleKeys(blob: Uint8Array): StaleKey[] {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const keys: StaleKey[] = [];
  for (let at = 0; at + KEY_ENTRY <= buffer.length; at += KEY_ENTRY) {
    const keyHash = buffer.subarray(at, at + 32);
    const version = buffer.readUIntBE(at + 32, ID_BYTES);
    keys.push(version >= EXACT_FLAG ? { keyHash, at: version - EXACT_FLAG } : { keyHash, before: version });
  }
  return keys;
}
