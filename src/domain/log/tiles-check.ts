/**
 * Whether tiles fetched from anywhere are the ones a signed checkpoint commits
 * to, after Go's tlog.TileHashReader: the rightmost (partial) tile of each
 * level is what the root is computed from, so the root check covers them; a
 * full tile must hash to its entry in the tile above, itself checked the same
 * way; a bundle's leaves must hash to their level-0 tile's hashes. And which
 * tiles a computation over tileHashReader (a root, a proof) will read, so they
 * can be fetched and checked before it runs.
 */

import { HASH_SIZE, hashesEqual, leafHash } from './rfc6962.js';
import { type HashReader, treeHash } from './stored-hashes.js';
import { decodeEntryBundle } from './tiles-bundle.js';
import { fullTileHash, type TileLookup, tileHashReader, tileWidthIn } from './tiles-hash-reader.js';
import { partialTileWidth } from './tiles-layout.js';
import { MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH, type TileName } from './tiles-path.js';

/** The hash tile above `tile` in a tree of `treeSize`: the one holding the hash of all of `tile`. */
export function tileParent(tile: TileName, treeSize: number): TileName {
  const level = tile.level + 1;
  const index = Math.floor(tile.index / TILE_WIDTH);
  return { kind: 'hashes', level, index, width: tileWidthIn(level, index, treeSize) };
}

/** The partial hash tiles of a tree, lowest level first: the tiles its root is computed from. */
export function rightEdgeTiles(treeSize: number): TileName[] {
  const tiles: TileName[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL && 2 ** (TILE_HEIGHT * level) <= treeSize; level++) {
    const width = partialTileWidth(level, treeSize);
    if (width > 0)
      tiles.push({
        kind: 'hashes',
        level,
        index: Math.floor(treeSize / 2 ** (TILE_HEIGHT * (level + 1))),
        width,
      });
  }
  return tiles;
}

/** The root of a tree of `treeSize` > 0 computed from its right-edge tiles (rightEdgeTiles) alone. */
export function rootFromRightEdge(treeSize: number, tileAt: TileLookup): Uint8Array {
  return treeHash(treeSize, tileHashReader(treeSize, tileAt));
}

/** Whether a full tile's bytes hash to its entry in the (checked) tile above. */
export function fullTileMatchesParent(tile: TileName, bytes: Uint8Array, parent: Uint8Array): boolean {
  if (bytes.length !== TILE_WIDTH * HASH_SIZE) return false;
  const at = (tile.index % TILE_WIDTH) * HASH_SIZE;
  if (parent.length < at + HASH_SIZE) return false;
  return hashesEqual(fullTileHash(bytes), parent.subarray(at, at + HASH_SIZE));
}

/** Whether a leaf with hash `hash` is leaf `leafIndex` of the (checked) level-0 tile that covers it. */
export function leafInLevel0(hash: Uint8Array, leafIndex: number, level0: Uint8Array): boolean {
  const at = (leafIndex % TILE_WIDTH) * HASH_SIZE;
  return hashesEqual(hash, level0.subarray(at, at + HASH_SIZE));
}

/**
 * The leaves of an entry bundle, checked against its (checked) level-0 tile: as many as the tile
 * is wide, each hashing to its tile hash. Throws RangeError naming the first that does not.
 */
export function checkedBundleLeaves(bundle: Uint8Array, width: number, level0: Uint8Array): Uint8Array[] {
  const leaves = decodeEntryBundle(bundle);
  if (leaves.length !== width) throw new RangeError(`it holds ${leaves.length} leaves, not ${width}`);
  leaves.forEach((leaf, i) => {
    if (!hashesEqual(leafHash(leaf), level0.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)))
      throw new RangeError(`its leaf ${i} does not hash to hash ${i} of its level-0 tile`);
  });
  return leaves;
}

/**
 * The hash tiles `compute` reads through tileHashReader(treeSize, …), in first-read order: it is
 * run once over zero hashes, which changes the values it computes but not which hashes it reads.
 */
export function tilesRead(treeSize: number, compute: (reader: HashReader) => unknown): TileName[] {
  const seen = new Map<string, TileName>();
  compute(
    tileHashReader(treeSize, (level, index, width) => {
      seen.set(`${level}/${index}`, { kind: 'hashes', level, index, width });
      return new Uint8Array(width * HASH_SIZE);
    }),
  );
  return [...seen.values()];
}
