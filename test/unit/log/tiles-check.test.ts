import { describe, expect, it } from 'vitest';
import { type HashReader, proveTree, treeHash } from '../../../src/domain/log/index.js';
import { encodeEntryBundle } from '../../../src/domain/log/tiles-bundle.js';
import {
  checkedBundleLeaves,
  fullTileMatchesParent,
  rightEdgeTiles,
  rootFromRightEdge,
  tileParent,
  tilesRead,
} from '../../../src/domain/log/tiles-check.js';
import { tileHashReader } from '../../../src/domain/log/tiles-hash-reader.js';
import { tileHashSlots } from '../../../src/domain/log/tiles-layout.js';
import { formatTileName } from '../../../src/domain/log/tiles-path.js';
import { MemoryHashStore } from './memory-hash-store.js';

const leafOf = (i: number) => new TextEncoder().encode(`leaf-${i}`);
const store = new MemoryHashStore();
for (let i = 0; i < 66_000; i++) store.appendLeaf(leafOf(i));

const tileAt = (level: number, index: number, width: number) => {
  const out = new Uint8Array(width * 32);
  store.readHashes(tileHashSlots({ kind: 'hashes', level, index, width })).forEach((h, i) => {
    out.set(h, i * 32);
  });
  return out;
};

describe('checking tiles against a checkpoint', () => {
  it('the right edge is the partial tile of each level, and gives the root alone', () => {
    expect(rightEdgeTiles(700).map(formatTileName)).toEqual(['tile/0/002.p/188', 'tile/1/000.p/2']);
    expect(rightEdgeTiles(512).map(formatTileName)).toEqual(['tile/1/000.p/2']);
    expect(rightEdgeTiles(256).map(formatTileName)).toEqual(['tile/1/000.p/1']);
    expect(rightEdgeTiles(65_536).map(formatTileName)).toEqual(['tile/2/000.p/1']);
    expect(rightEdgeTiles(0)).toEqual([]);
    for (const size of [1, 255, 256, 257, 700, 65_535, 65_536, 65_537, 66_000]) {
      const edge = new Set(rightEdgeTiles(size).map((t) => `${t.level}/${t.index}/${t.width}`));
      const root = rootFromRightEdge(size, (level, index, width) => {
        expect(edge, `size ${size} read ${level}/${index}`).toContain(`${level}/${index}/${width}`);
        return tileAt(level, index, width);
      });
      expect(root, `size ${size}`).toEqual(treeHash(size, store));
    }
  });

  it('a full tile matches its entry in the tile above, and nothing else does', () => {
    const tile = { kind: 'hashes' as const, level: 0, index: 1, width: 256 };
    const parent = tileParent(tile, 700);
    expect(parent).toEqual({ kind: 'hashes', level: 1, index: 0, width: 2 });
    expect(tileParent({ ...tile, index: 256 }, 66_000)).toEqual({
      kind: 'hashes',
      level: 1,
      index: 1,
      width: 1,
    });
    const above = tileAt(1, 0, 2);
    expect(fullTileMatchesParent(tile, tileAt(0, 1, 256), above)).toBe(true);
    expect(fullTileMatchesParent(tile, tileAt(0, 0, 256), above)).toBe(false);
    const flipped = tileAt(0, 1, 256);
    flipped[100] = flipped[100]! ^ 1;
    expect(fullTileMatchesParent(tile, flipped, above)).toBe(false);
    expect(fullTileMatchesParent(tile, tileAt(0, 1, 256).subarray(32), above)).toBe(false);
  });

  it("a bundle's leaves must hash to its level-0 tile, all of them and no more", () => {
    const leaves = Array.from({ length: 188 }, (_, i) => leafOf(512 + i));
    const level0 = tileAt(0, 2, 188);
    expect(checkedBundleLeaves(encodeEntryBundle(leaves), 188, level0)).toEqual(leaves);
    const altered = [...leaves];
    altered[7] = leafOf(9);
    expect(() => checkedBundleLeaves(encodeEntryBundle(altered), 188, level0)).toThrow(
      'its leaf 7 does not hash to hash 7 of its level-0 tile',
    );
    expect(() => checkedBundleLeaves(encodeEntryBundle(leaves.slice(1)), 188, level0)).toThrow(
      'it holds 187 leaves, not 188',
    );
    expect(() => checkedBundleLeaves(encodeEntryBundle(leaves).subarray(0, 50), 188, level0)).toThrow(
      RangeError,
    );
  });

  it('lists the tiles a proof reads, so fetching only those gives the same proof', () => {
    for (const [size, old] of [
      [700, 40],
      [700, 256],
      [66_000, 65_536],
      [66_000, 1],
      [257, 256],
    ] as const) {
      const prove = (reader: HashReader) => proveTree(size, old, reader);
      const tiles = tilesRead(size, prove);
      const listed = new Set(tiles.map((t) => `${t.level}/${t.index}`));
      const proof = prove(
        tileHashReader(size, (level, index, width) => {
          expect(listed, `${size} from ${old}`).toContain(`${level}/${index}`);
          return tileAt(level, index, width);
        }),
      );
      expect(proof).toEqual(proveTree(size, old, store));
    }
  });
});
