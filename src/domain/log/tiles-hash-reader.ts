/**
 * Stored hashes read from tlog-tiles, after Go's tlog.TileHashReader: the
 * hash of any complete subtree of height h is in the tile at level ⌊h/8⌋,
 * directly when h is a multiple of 8, else as the Merkle hash of 2^(h mod 8)
 * consecutive tile hashes. With it, treeHash and proveRecord work on tiles
 * fetched from anywhere exactly as they do on the node's own hash store.
 *
 * Tiles are not trusted here: compare treeHash(size, reader) with a verified
 * checkpoint (that covers the rightmost tile of each level), and a full tile
 * with its entry in the tile above (fullTileHash).
 */

import { LogProofError } from './log-proof-error.js';
import { HASH_SIZE, nodeHash } from './rfc6962.js';
import { type HashReader, splitStoredHashIndex } from './stored-hashes.js';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles-path.js';

/** Returns the bytes of tile `index` at `level` with `width` hashes (its width in the tree being read). */
export type TileLookup = (level: number, index: number, width: number) => Uint8Array;

/** Merkle hash of `count` (a power of two) consecutive hashes of a tile, from hash `first`. */
function hashRange(tile: Uint8Array, first: number, count: number): Uint8Array {
  if ((first + count) * HASH_SIZE > tile.length) {
    throw new LogProofError(
      'HASH_READER',
      `tile of ${tile.length} bytes has no hashes ${first}..${first + count}`,
    );
  }
  let row: Uint8Array[] = [];
  for (let i = first; i < first + count; i++) row.push(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  while (row.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2) up.push(nodeHash(row[i]!, row[i + 1]!));
    row = up;
  }
  return row[0]!.slice();
}

/** The hash a full tile stands for in the tile above: the root of its 256 hashes. */
export function fullTileHash(tile: Uint8Array): Uint8Array {
  return hashRange(tile, 0, TILE_WIDTH);
}

/** Width of tile `index` at `level` in a tree of `treeSize`: 256 if full, else the partial width. */
export function tileWidthIn(level: number, index: number, treeSize: number): number {
  const perHash = 2 ** (TILE_HEIGHT * level);
  if ((index + 1) * TILE_WIDTH * perHash <= treeSize) return TILE_WIDTH;
  return Math.floor(treeSize / perHash) % TILE_WIDTH;
}

export function tileHashReader(treeSize: number, tileAt: TileLookup): HashReader {
  return {
    readHashes(indexes) {
      return indexes.map((index) => {
        const { level, n } = splitStoredHashIndex(index);
        const tileLevel = Math.floor(level / TILE_HEIGHT);
        const span = 2 ** (level % TILE_HEIGHT);
        const first = n * span;
        const tileIndex = Math.floor(first / TILE_WIDTH);
        const tile = tileAt(tileLevel, tileIndex, tileWidthIn(tileLevel, tileIndex, treeSize));
        return hashRange(tile, first % TILE_WIDTH, span);
      });
    },
  };
}
