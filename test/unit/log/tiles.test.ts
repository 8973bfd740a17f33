import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proveRecord, treeHash } from '../../../src/domain/log/index.js';
import { decodeEntryBundle, encodeEntryBundle } from '../../../src/domain/log/tiles-bundle.js';
import { fullTileHash, tileHashReader } from '../../../src/domain/log/tiles-hash-reader.js';
import {
  partialTileWidth,
  tileHashSlots,
  tileInTree,
  tilesOfTree,
} from '../../../src/domain/log/tiles-layout.js';
import {
  formatTileIndex,
  formatTileName,
  parseTileName,
  type TileName,
  TilePathError,
} from '../../../src/domain/log/tiles-path.js';
import { MemoryHashStore } from './memory-hash-store.js';

describe('tlog-tiles names', () => {
  it('writes N in x-prefixed three-digit groups, as the spec’s example', () => {
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(999)).toBe('999');
    expect(formatTileIndex(1000)).toBe('x001/000');
    expect(formatTileName({ kind: 'hashes', level: 1, index: 1, width: 17 })).toBe('tile/1/001.p/17');
    expect(formatTileName({ kind: 'entries', level: 0, index: 273, width: 256 })).toBe('tile/entries/273');
  });

  it('parses exactly what it formats, for any tile', () => {
    const tile = fc.record({
      kind: fc.constantFrom('hashes' as const, 'entries' as const),
      level: fc.integer({ min: 0, max: 63 }),
      index: fc.maxSafeNat(),
      width: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(tile, (t) => {
        const name: TileName = t.kind === 'entries' ? { ...t, level: 0 } : t;
        expect(parseTileName(formatTileName(name).slice('tile/'.length))).toEqual(name);
      }),
    );
  });

  it('refuses every other spelling', () => {
    for (const bad of [
      '0/1',
      '0/0001',
      '0/x1/000',
      '0/x000/000',
      '01/000',
      '0/000.p/',
      '0/000.p/256',
      '0/000.q/1',
      'e/000',
    ]) {
      expect(() => parseTileName(bad), bad).toThrow(TilePathError);
    }
  });
});

describe('tlog-tiles layout', () => {
  it('a tree of 70,000 has the tiles the spec lists', () => {
    const tiles = [...tilesOfTree(70_000)].filter((t) => t.kind === 'hashes');
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(tiles.filter((t) => t.width < 256)).toEqual([
      { kind: 'hashes', level: 0, index: 273, width: 112 },
      { kind: 'hashes', level: 1, index: 1, width: 17 },
      { kind: 'hashes', level: 2, index: 0, width: 1 },
    ]);
    expect(tiles.filter((t) => t.level === 1 && t.width === 256)).toHaveLength(1);
    expect(partialTileWidth(1, 256)).toBe(1);
    expect(tileInTree({ kind: 'hashes', level: 1, index: 0, width: 1 }, 256)).toBe(true);
    expect(tileInTree({ kind: 'hashes', level: 0, index: 1, width: 1 }, 256)).toBe(false);
  });

  it('tilesOfTree(n, from) skips only full tiles already complete at `from`', () => {
    const names = (n: number, from = 0) => [...tilesOfTree(n, from)].map(formatTileName);
    const fresh = names(70_000, 65_536);
    expect(fresh).toContain('tile/0/256');
    expect(fresh).not.toContain('tile/0/255');
    // Complete at 65,536 leaves: written by the pass that exported that tree.
    expect(fresh).not.toContain('tile/1/000');
    const before = new Set(names(65_536));
    for (const name of names(70_000)) if (!fresh.includes(name)) expect(before, name).toContain(name);
  });

  it('tiles built from stored hashes give back every root and proof (the tile hash reader)', () => {
    const store = new MemoryHashStore();
    for (let i = 0; i < 66_000; i++) store.appendLeaf(new TextEncoder().encode(`leaf-${i}`));
    const tileAt = (level: number, index: number, width: number) => {
      const hashes = store.readHashes(tileHashSlots({ kind: 'hashes', level, index, width }));
      const out = new Uint8Array(width * 32);
      hashes.forEach((h, i) => {
        out.set(h, i * 32);
      });
      return out;
    };
    for (const size of [1, 255, 256, 257, 65_535, 65_536, 65_537, 66_000]) {
      const reader = tileHashReader(size, tileAt);
      expect(treeHash(size, reader), `root ${size}`).toEqual(treeHash(size, store));
      for (const index of [0, size - 1, Math.floor(size / 3)]) {
        expect(proveRecord(size, index, reader)).toEqual(proveRecord(size, index, store));
      }
    }
    expect(fullTileHash(tileAt(0, 0, 256))).toEqual(tileAt(1, 0, 1).subarray(0, 32));
  });
});

describe('entry bundles', () => {
  it('frame leaves with big-endian uint16 lengths and decode back', () => {
    const leaves = [new Uint8Array(0), Uint8Array.of(7), new Uint8Array(300).fill(9), new Uint8Array(0xffff)];
    const bundle = encodeEntryBundle(leaves);
    expect([...bundle.subarray(0, 5)]).toEqual([0, 0, 0, 1, 7]);
    expect([...bundle.subarray(5, 7)]).toEqual([1, 44]);
    expect(decodeEntryBundle(bundle)).toEqual(leaves);
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(RangeError);
    expect(() => decodeEntryBundle(Uint8Array.of(0, 5, 1))).toThrow('bundle entry at byte 0 is truncated');
  });
});
