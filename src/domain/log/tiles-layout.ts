/**
 * Where tlog-tiles sit in a tree: which tiles a tree of a given size has,
 * and which stored hashes make up a tile. The n-th tile at level l holds, for
 * i in 0..255, MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]): the
 * complete subtree at tree level 8·l with index n·256 + i, which the tlog
 * stored-hash layout keeps at storedHashIndex(8·l, n·256 + i). So a tile is
 * 256 point reads of hashes already on disk, never a recomputation.
 */

import { storedHashIndex } from './stored-hashes.js';
import { MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH, type TileName } from './tiles-path.js';

/** Leaves under one hash of a level-l tile: 256^l (a float beyond 2^53, which only ever compares as too big). */
function leavesPerHash(level: number): number {
  return 2 ** (TILE_HEIGHT * level);
}

/**
 * Whether a tree of `treeSize` leaves has this tile or bundle: every one of
 * its `width` hashes covers a complete subtree inside the tree.
 */
export function tileInTree(tile: TileName, treeSize: number): boolean {
  return (tile.index * TILE_WIDTH + tile.width) * leavesPerHash(tile.level) <= treeSize;
}

/** Width of the partial tile at `level` for a tree of `treeSize`: ⌊s / 256^l⌋ mod 256 (0: none). */
export function partialTileWidth(level: number, treeSize: number): number {
  return Math.floor(treeSize / leavesPerHash(level)) % TILE_WIDTH;
}

/** Stored-hash slots of a tile's hashes, in tile order. */
export function tileHashSlots(tile: TileName): number[] {
  const first = tile.index * TILE_WIDTH;
  const slots: number[] = new Array(tile.width);
  for (let i = 0; i < tile.width; i++) slots[i] = storedHashIndex(TILE_HEIGHT * tile.level, first + i);
  return slots;
}

/** Number of full tiles at `level` in a tree of `treeSize`. */
export function fullTileCount(level: number, treeSize: number): number {
  return Math.floor(treeSize / leavesPerHash(level + 1));
}

/**
 * Every tile and bundle a tree of `treeSize` leaves is served as: the full
 * ones at each level, then the partial one if any, lowest level first.
 * Generated, so listing a ten-million-entry tree holds one name at a time.
 */
export function* tilesOfTree(treeSize: number, from = 0): Generator<TileName> {
  for (let level = 0; level <= MAX_TILE_LEVEL && leavesPerHash(level) <= treeSize; level++) {
    for (const kind of level === 0 ? (['hashes', 'entries'] as const) : (['hashes'] as const)) {
      yield* tilesAtLevel(kind, level, treeSize, from);
    }
  }
}

function* tilesAtLevel(
  kind: TileName['kind'],
  level: number,
  treeSize: number,
  from: number,
): Generator<TileName> {
  const full = fullTileCount(level, treeSize);
  // Full tiles wholly below `from` leaves were produced for an earlier tree and never change.
  const start = Math.min(full, Math.floor(from / leavesPerHash(level + 1)));
  for (let index = start; index < full; index++) yield { kind, level, index, width: TILE_WIDTH };
  const width = partialTileWidth(level, treeSize);
  if (width > 0) yield { kind, level, index: full, width };
}
