/**
 * The mirror's reader over C2SP tlog-tiles (the default): the entries come
 * from entry bundles, the consistency proof is computed here from hash tiles
 * (proveTree over tileHashReader, as Go's tlog.ProveTree over a
 * TileHashReader), and no byte is used before it is tied to the signed
 * checkpoint: the right-edge tiles must give its root, a full tile must hash
 * to its entry in the tile above, a bundle's leaves to their level-0 hashes.
 * A tile or bundle that does not is refused with a root-mismatch halt.
 */

import { encodeBase64, hashesEqual, proveTree } from '../../domain/log/index.js';
import {
  checkedBundleLeaves,
  fullTileMatchesParent,
  leafInLevel0,
  rightEdgeTiles,
  rootFromRightEdge,
  tileParent,
  tilesRead,
} from '../../domain/log/tiles-check.js';
import { tileHashReader, tileWidthIn } from '../../domain/log/tiles-hash-reader.js';
import { formatTileName, TILE_WIDTH, type TileName } from '../../domain/log/tiles-path.js';
import {
  BundleUnframableError,
  bundleLeafEntry,
  type UpstreamClient,
  UpstreamError,
} from '../../infrastructure/federation/upstream-client.js';
import type { UpstreamEntry } from '../replay/entry-replay.js';
import { MirrorHalt } from './mirror-halt.js';
import type { UpstreamReader } from './upstream-reader.js';
import { leafHashOf, type UpstreamCheckpoint } from './upstream-verifier.js';

export class TilesReader implements UpstreamReader {
  requests = 0;
  /** Checked tiles above level 0 and on the right edge: few, and read again for every full tile below. */
  private readonly checked = new Map<string, Uint8Array>();
  private rightEdge: Promise<void> | null = null;
  /** Where this reader's first page started: entries before it were pulled under another checkpoint. */
  private firstPage: number | null = null;

  constructor(
    private readonly client: UpstreamClient,
    private readonly upstream: UpstreamCheckpoint,
    /** The note of the checkpoint the mirror accepted last, as evidence beside upstream's. */
    private readonly acceptedNote: () => string | null,
  ) {}

  private get treeSize(): number {
    return this.upstream.checkpoint.treeSize;
  }

  async consistencyProof(oldSize: number): Promise<Uint8Array[]> {
    const prove = (reader: Parameters<typeof proveTree>[2]) => proveTree(this.treeSize, oldSize, reader);
    const tiles = new Map<string, Uint8Array>();
    for (const tile of tilesRead(this.treeSize, prove))
      tiles.set(`${tile.level}/${tile.index}`, await this.hashTile(tile.level, tile.index));
    return prove(tileHashReader(this.treeSize, (level, index) => tiles.get(`${level}/${index}`)!));
  }

  async page(start: number, unapplied: readonly UpstreamEntry[]): Promise<UpstreamEntry[]> {
    // Entries from this reader's own pages were checked against this tree already.
    this.firstPage ??= start;
    const first = this.firstPage;
    await this.checkUnapplied(unapplied.filter((entry) => entry.leafIndex < first));
    const index = Math.floor(start / TILE_WIDTH);
    const width = tileWidthIn(0, index, this.treeSize);
    const level0 = await this.hashTile(0, index);
    const bundle: TileName = { kind: 'entries', level: 0, index, width };
    let bytes: Uint8Array;
    try {
      bytes = await this.fetch(bundle);
    } catch (error) {
      if (!(error instanceof BundleUnframableError)) throw error;
      return this.unframablePage(start, index * TILE_WIDTH + width, level0);
    }
    let leaves: Uint8Array[];
    try {
      leaves = checkedBundleLeaves(bytes, width, level0);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw this.mismatch(
        `entry bundle ${formatTileName(bundle)} does not match the signed tree: ${error.message}`,
      );
    }
    return leaves.slice(start - index * TILE_WIDTH).map((leaf, i) => this.entryOf(leaf, start + i));
  }

  /**
   * A bundle holding an entry longer than the spec's uint16 prefix can frame (a catalog entry with a
   * large JSON Schema) is not served; its entries come from /v1/log/entries instead, and each must
   * hash to its slot of the level-0 tile already checked against the signed tree, like a bundle's.
   */
  private async unframablePage(start: number, end: number, level0: Uint8Array): Promise<UpstreamEntry[]> {
    this.requests++;
    const entries = (await this.client.entries(start, end)).slice(0, end - start);
    for (const entry of entries) {
      if (!leafInLevel0(leafHashOf(entry), entry.leafIndex, level0))
        throw this.mismatch(
          `entry ${entry.leafIndex} from /v1/log/entries does not hash to its level-0 tile`,
        );
    }
    return entries;
  }

  /**
   * A leaf that hashes into the signed tree but is not a Chancery entry was committed by the log-key
   * holder, not garbled on the way: no other upstream can serve another leaf there, so trying them
   * (as for a bad answer) would loop for ever. The mirror halts with the leaf as evidence.
   */
  private entryOf(leaf: Uint8Array, leafIndex: number): UpstreamEntry {
    try {
      return bundleLeafEntry(leaf, leafIndex);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      throw new MirrorHalt(
        'entry-rejected',
        `entry ${leafIndex} is in the tree the log signed (size ${this.treeSize}) but is not a Chancery log entry: ` +
          `${error.message}`,
        this.acceptedNote(),
        this.upstream.note,
      );
    }
  }

  /**
   * Entries pulled under an earlier checkpoint and held back (a write it cut) must be in this tree
   * too, before anything is appended to them: each must hash to its leaf hash in this tree's tiles.
   */
  private async checkUnapplied(unapplied: readonly UpstreamEntry[]): Promise<void> {
    for (const entry of unapplied) {
      const index = Math.floor(entry.leafIndex / TILE_WIDTH);
      const tile = await this.hashTile(0, index);
      if (!leafInLevel0(leafHashOf(entry), entry.leafIndex, tile))
        throw this.mismatch(
          `entry ${entry.leafIndex}, pulled under an earlier checkpoint, is not in this tree`,
        );
    }
  }

  /** Hash tile `index` at `level` of the checkpoint's tree, checked before it is returned. */
  private async hashTile(level: number, index: number): Promise<Uint8Array> {
    const tile: TileName = { kind: 'hashes', level, index, width: tileWidthIn(level, index, this.treeSize) };
    const key = formatTileName(tile);
    const known = this.checked.get(key);
    if (known !== undefined) return known;
    if (tile.width < TILE_WIDTH) {
      this.rightEdge ??= this.checkRightEdge();
      await this.rightEdge;
      return this.checked.get(key)!;
    }
    const parent = tileParent(tile, this.treeSize);
    const above = await this.hashTile(parent.level, parent.index);
    const bytes = await this.fetch(tile);
    if (!fullTileMatchesParent(tile, bytes, above))
      throw this.mismatch(`tile ${key} does not hash to its entry in tile ${formatTileName(parent)}`);
    // Level-0 tiles are read once each (one per bundle): keeping them would hold 8 KiB per 256 entries.
    if (level > 0) this.checked.set(key, bytes);
    return bytes;
  }

  /** The partial tile of each level, fetched together: the root they give must be the signed one. */
  private async checkRightEdge(): Promise<void> {
    const edge = new Map<string, Uint8Array>();
    for (const tile of rightEdgeTiles(this.treeSize))
      edge.set(`${tile.level}/${tile.index}`, await this.fetch(tile));
    const root = rootFromRightEdge(this.treeSize, (level, index) => {
      const bytes = edge.get(`${level}/${index}`);
      // The root reads only the right edge; anything else is a bug here, not a bad upstream.
      if (bytes === undefined) throw new Error(`the root read tile ${level}/${index}, not on the right edge`);
      return bytes;
    });
    const signed = this.upstream.checkpoint.rootHash;
    if (!hashesEqual(root, signed)) {
      const names = rightEdgeTiles(this.treeSize).map(formatTileName).join(', ');
      throw this.mismatch(
        `the right-edge tiles ${names} give the root ${encodeBase64(root)}, the log signed ${encodeBase64(signed)}`,
      );
    }
    for (const tile of rightEdgeTiles(this.treeSize))
      this.checked.set(formatTileName(tile), edge.get(`${tile.level}/${tile.index}`)!);
  }

  private fetch(tile: TileName): Promise<Uint8Array> {
    this.requests++;
    return this.client.tile(tile);
  }

  private mismatch(what: string): MirrorHalt {
    return new MirrorHalt(
      'root-mismatch',
      `${what} (tree size ${this.treeSize}): upstream serves tiles the log's checkpoint does not commit to`,
      this.acceptedNote(),
      this.upstream.note,
    );
  }
}
