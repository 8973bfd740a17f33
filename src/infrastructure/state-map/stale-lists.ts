/**
 * The two lists a state_stale row carries, packed as blobs so that one
 * persisted version costs one row however much it replaced:
 *   pages  page ids, 6 bytes each (big-endian)
 *   keys   key hash (32 bytes) ‖ version (6 bytes): rows of that key older than that version
 */

const ID_BYTES = 6;
const KEY_ENTRY = 32 + ID_BYTES;

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

export interface StaleKey {
  readonly keyHash: Uint8Array;
  /** Rows of the key with a version below this one are no longer needed. */
  readonly before: number;
}

export function packStaleKeys(keys: readonly StaleKey[]): Buffer {
  const out = Buffer.allocUnsafe(keys.length * KEY_ENTRY);
  keys.forEach((k, i) => {
    out.set(k.keyHash, i * KEY_ENTRY);
    out.writeUIntBE(k.before, i * KEY_ENTRY + 32, ID_BYTES);
  });
  return out;
}

export function unpackStaleKeys(blob: Uint8Array): StaleKey[] {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const keys: StaleKey[] = [];
  for (let at = 0; at + KEY_ENTRY <= buffer.length; at += KEY_ENTRY) {
    keys.push({ keyHash: buffer.subarray(at, at + 32), before: buffer.readUIntBE(at + 32, ID_BYTES) });
  }
  return keys;
}
