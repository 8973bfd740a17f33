/**
 * The log read as C2SP tlog-tiles: tiles are point reads of the stored
 * hashes (src/domain/log/tiles-layout.ts), entry bundles one range read of
 * the leaves. Memory is bounded by the size of one tile or bundle plus a
 * small cache of full tiles, which never change once the tree holds them.
 */

import type { HashReader } from '../../domain/log/stored-hashes.js';
import { encodeEntryBundle, MAX_BUNDLE_ENTRY_BYTES } from '../../domain/log/tiles-bundle.js';
import { tileHashSlots } from '../../domain/log/tiles-layout.js';
import { formatTileName, TILE_WIDTH, type TileName } from '../../domain/log/tiles-path.js';
import { LruCache } from '../state-map/lru-cache.js';
import type { LogEntryRecord } from './log-reader.js';

/** 1,024 full tiles of 8 KiB: 8 MiB holds the hot upper levels and the newest level-0 tiles. */
const FULL_TILE_CACHE = 1024;

/** Consecutive leaf hashes from one scan of their stored-hash slots (MerkleHashStore.readLeafHashes). */
export interface LeafHashRangeReader {
  readLeafHashes(firstLeaf: number, count: number): Uint8Array[];
}

/** Full level-0 tiles kept whole (MerkleHashStore.readLeafTile): undefined for one the store does not hold. */
export interface LeafTileReader {
  readLeafTile(tile: number): Uint8Array | undefined;
}

export interface TileLeaves {
  /** Entries [start, end), at most `limit`, in leaf order. */
  entries(start: number, end: number, limit: number): LogEntryRecord[];
}

/** A leaf longer than the uint16 length prefix of an entry bundle allows. */
export class BundleEntryTooLarge extends Error {
  constructor(
    readonly leafIndex: number,
    readonly bytes: number,
  ) {
    super(`leaf ${leafIndex} is ${bytes} bytes; entry bundles frame at most ${MAX_BUNDLE_ENTRY_BYTES}`);
  }
}

export class TilesSource {
  private readonly fullTiles = new LruCache<string, Uint8Array>(FULL_TILE_CACHE);

  constructor(
    private readonly hashes: HashReader & Partial<LeafHashRangeReader> & Partial<LeafTileReader>,
    private readonly leaves: TileLeaves,
  ) {}

  /**
   * The bytes of a tile or bundle. The caller has checked the tree holds it
   * (tileInTree); a full one is cached, as its bytes can never change.
   */
  read(tile: TileName): Uint8Array {
    const full = tile.width === TILE_WIDTH;
    const key = full ? formatTileName(tile) : '';
    const cached = full ? this.fullTiles.get(key) : undefined;
    if (cached !== undefined) return cached;
    const bytes = tile.kind === 'entries' ? this.bundle(tile) : this.hashTile(tile);
    if (full) this.fullTiles.set(key, bytes);
    return bytes;
  }

  private hashTile(tile: TileName): Uint8Array {
    if (tile.level === 0 && tile.width === TILE_WIDTH) {
      const whole = this.hashes.readLeafTile?.(tile.index);
      if (whole !== undefined) return whole;
    }
    const hashes =
      tile.level === 0 && this.hashes.readLeafHashes !== undefined
        ? this.hashes.readLeafHashes(tile.index * TILE_WIDTH, tile.width)
        : this.hashes.readHashes(tileHashSlots(tile));
    const out = new Uint8Array(hashes.length * 32);
    hashes.forEach((hash, i) => {
      out.set(hash, i * 32);
    });
    return out;
  }

  private bundle(tile: TileName): Uint8Array {
    const start = tile.index * TILE_WIDTH;
    const records = this.leaves.entries(start, start + tile.width, tile.width);
    if (records.length !== tile.width) {
      throw new Error(`entries ${start}..${start + tile.width} returned ${records.length} leaves`);
    }
    const tooLarge = records.find((record) => record.leaf.length > MAX_BUNDLE_ENTRY_BYTES);
    if (tooLarge !== undefined) throw new BundleEntryTooLarge(tooLarge.leafIndex, tooLarge.leaf.length);
    return encodeEntryBundle(records.map((record) => record.leaf));
  }
}
