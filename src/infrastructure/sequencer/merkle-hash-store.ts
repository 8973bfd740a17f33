/**
 * The Merkle log on disk, in the node's SQLite file: leaf bytes by leaf index
 * (with the event position they came from) and the RFC 6962 hashes in the
 * tlog stored-hash layout (src/domain/log/stored-hashes.ts). Appending writes
 * the leaf and 1 + trailingZeros(n + 1) hashes (2 on average); a root or proof
 * reads O(log n) hashes through point lookups on the primary key. Each full
 * level-0 tlog tile (256 leaf hashes, 8 KiB) is also kept as one row: a
 * tile GET then reads one row, where gathering its hashes from ~511
 * interleaved slots took some 600 µs, twice a whole static-file GET
 * (bench/tiles.bench.ts); 32 more bytes per leaf. Nothing here holds the tree
 * or the log in memory: only the leaf count and the leaf hashes of the tile
 * being filled.
 */

import type { Statement } from 'better-sqlite3';
import {
  type HashReader,
  hashesEqual,
  LogProofError,
  proveRecord,
  proveTree,
  RootAccumulator,
  storedHashCount,
  storedHashes,
  storedHashIndex,
  type TreeHasher,
  treeHash,
} from '../../domain/log/index.js';
import { NODE_TREE_HASHER } from '../crypto/node-hashes.js';
import type { NodeDatabase } from '../projections/node-database.js';
import { positionFromKey, positionKey } from '../projections/position-key.js';
import type { LogEntryRecord } from './log-reader.js';

interface LeafRow {
  leaf_index: number;
  position: string;
  leaf: Buffer;
}

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Leaves per full level-0 tile (C2SP tlog-tiles), its height in the tree, and bytes of their hashes. */
const TILE_LEAVES = 256;
const TILE_HEIGHT = 8;
const TILE_BYTES = TILE_LEAVES * 32;

/** A full tile's leaf hashes in node.db do not hash to the subtree hash stored when the tile was completed. */
export class LeafTileMismatchError extends Error {
  constructor(
    readonly tile: number,
    readonly slot: number,
  ) {
    super(
      `the leaf hashes of full tile ${tile} in node.db do not hash to its stored level-8 hash (slot ${slot}): ` +
        'the file is damaged; its row was not written (`chancery rebuild` rebuilds the log from the event store)',
    );
    this.name = 'LeafTileMismatchError';
  }
}

function toRecord(row: LeafRow): LogEntryRecord {
  return {
    leafIndex: row.leaf_index,
    position: positionFromKey(row.position),
    leaf: new Uint8Array(row.leaf),
  };
}

export class MerkleHashStore implements HashReader {
  private statements!: {
    readHash: Statement<[number], Buffer>;
    readHashRange: Statement<[number, number], Buffer>;
    insertHash: Statement<[number, Buffer]>;
    insertLeaf: Statement<[number, string, Buffer]>;
    leaf: Statement<[number], LeafRow>;
    leaves: Statement<[number, number], LeafRow>;
    byPosition: Statement<[string], number>;
    insertLeafTile: Statement<[number, Buffer]>;
    insertMissingLeafTile: Statement<[number, Buffer]>;
    leafTile: Statement<[number], Buffer>;
    leafTilesBetween: Statement<[number, number], number>;
  };
  private leafCount = 0;
  /** The leaf hashes of the level-0 tile being filled (leaves floor(size / 256) × 256 … size − 1). */
  private readonly fillingTile = Buffer.alloc(TILE_BYTES);
  /** Hashes read through readHashes since the store was opened: lets tests and benchmarks see O(log n). */
  hashReads = 0;

  constructor(
    private readonly db: NodeDatabase,
    /** Hashes of new leaves and the subtrees they complete; node:crypto's by default. */
    private readonly hasher: TreeHasher = NODE_TREE_HASHER,
  ) {}

  /** Creates the tables if missing and loads the leaf count; call before anything else. */
  migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log_leaves (
        leaf_index INTEGER PRIMARY KEY,
        position TEXT NOT NULL UNIQUE,
        leaf BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS log_hashes (
        slot INTEGER PRIMARY KEY,
        hash BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS log_leaf_tiles (
        tile INTEGER PRIMARY KEY,
        hashes BLOB NOT NULL
      );
    `);
    this.statements = {
      readHash: this.db.prepare<[number], Buffer>('SELECT hash FROM log_hashes WHERE slot = ?').pluck(),
      readHashRange: this.db
        .prepare<[number, number], Buffer>(
          'SELECT hash FROM log_hashes WHERE slot BETWEEN ? AND ? ORDER BY slot',
        )
        .pluck(),
      insertHash: this.db.prepare<[number, Buffer]>('INSERT INTO log_hashes (slot, hash) VALUES (?, ?)'),
      insertLeaf: this.db.prepare<[number, string, Buffer]>(
        'INSERT INTO log_leaves (leaf_index, position, leaf) VALUES (?, ?, ?)',
      ),
      leaf: this.db.prepare<[number], LeafRow>('SELECT * FROM log_leaves WHERE leaf_index = ?'),
      // No LIMIT: leaf indexes are dense, so the range itself is cut to the limit. A bound `LIMIT ?` made
      // SQLite prepare the statement again at every run (src/infrastructure/sqlite/limited-statements.ts).
      leaves: this.db.prepare<[number, number], LeafRow>(
        'SELECT * FROM log_leaves WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index',
      ),
      byPosition: this.db
        .prepare<[string], number>('SELECT leaf_index FROM log_leaves WHERE position = ?')
        .pluck(),
      insertLeafTile: this.db.prepare<[number, Buffer]>(
        'INSERT INTO log_leaf_tiles (tile, hashes) VALUES (?, ?)',
      ),
      insertMissingLeafTile: this.db.prepare<[number, Buffer]>(
        'INSERT OR IGNORE INTO log_leaf_tiles (tile, hashes) VALUES (?, ?)',
      ),
      leafTile: this.db.prepare<[number], Buffer>('SELECT hashes FROM log_leaf_tiles WHERE tile = ?').pluck(),
      leafTilesBetween: this.db
        .prepare<[number, number], number>(
          'SELECT tile FROM log_leaf_tiles WHERE tile BETWEEN ? AND ? ORDER BY tile',
        )
        .pluck(),
    };
    const size = this.db
      .prepare('SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log_leaves')
      .pluck()
      .get() as number;
    const slots = this.db
      .prepare('SELECT COALESCE(MAX(slot) + 1, 0) FROM log_hashes')
      .pluck()
      .get() as number;
    // Leaves and hashes are written in one transaction; disagreement means the file was edited or corrupted.
    if (slots !== storedHashCount(size)) {
      throw new Error(
        `log hash store holds ${slots} hashes for ${size} leaves, expected ${storedHashCount(size)}`,
      );
    }
    this.leafCount = size;
    const filled = size % TILE_LEAVES;
    this.fillingTile.fill(0);
    this.readLeafHashes(size - filled, filled).forEach((hash, i) => {
      this.fillingTile.set(hash, i * 32);
    });
  }

  reset(): void {
    this.db.exec(
      'DROP TABLE IF EXISTS log_leaves; DROP TABLE IF EXISTS log_hashes; DROP TABLE IF EXISTS log_leaf_tiles;',
    );
    this.leafCount = 0;
  }

  /** Number of leaves stored. */
  get size(): number {
    return this.leafCount;
  }

  /** Number of hash rows, for checking the layout (equals storedHashCount(size)). */
  storedHashRows(): number {
    return this.db.prepare('SELECT count(*) FROM log_hashes').pluck().get() as number;
  }

  readHashes(indexes: readonly number[]): Uint8Array[] {
    this.hashReads += indexes.length;
    return indexes.map((slot) => {
      const hash = this.statements.readHash.get(slot);
      // A missing slot means a proof was asked beyond what is stored; callers bound sizes first.
      if (hash === undefined) throw new LogProofError('HASH_READER', `no stored hash in slot ${slot}`);
      return hash;
    });
  }

  /**
   * The leaf hashes of leaves [firstLeaf, firstLeaf + count), in order, from
   * one range scan of the slots between theirs: leaf hashes are interleaved
   * with the subtree hashes each leaf completes, so a level-0 tile's 256 lie
   * in about 511 consecutive slots, and one scan beats 256 point reads (a
   * tile GET without its row, tiles-source.ts; the backfill of those rows;
   * the tile being filled, reloaded on open).
   */
  readLeafHashes(firstLeaf: number, count: number): Buffer[] {
    if (count === 0) return [];
    const first = storedHashIndex(0, firstLeaf);
    const last = storedHashIndex(0, firstLeaf + count - 1);
    const scanned = this.statements.readHashRange.all(first, last);
    this.hashReads += scanned.length;
    if (scanned.length !== last - first + 1) {
      throw new LogProofError('HASH_READER', `slots ${first}..${last} hold ${scanned.length} hashes`);
    }
    return Array.from({ length: count }, (_, i) => scanned[storedHashIndex(0, firstLeaf + i) - first]!);
  }

  /**
   * The 256 leaf hashes of full level-0 tile `tile` as one 8 KiB row, or
   * undefined when the file has no row for it yet (a tile completed before
   * node.db kept these rows, until LeafTileBackfill writes it: read it from
   * the slots, readLeafHashes).
   */
  readLeafTile(tile: number): Uint8Array | undefined {
    return this.statements.leafTile.get(tile);
  }

  /** Full level-0 tiles: those whose 256 leaves are all stored. */
  fullLeafTiles(): number {
    return Math.floor(this.leafCount / TILE_LEAVES);
  }

  /**
   * The full level-0 tiles in [from, to) that have no row, in order: tiles
   * completed before node.db kept these rows, or appended while an older
   * binary ran (LeafTileBackfill writes them).
   */
  leafTilesWithoutRow(from: number, to: number): number[] {
    const end = Math.min(to, this.fullLeafTiles());
    if (end <= from) return [];
    const held = this.statements.leafTilesBetween.all(from, end - 1);
    const missing: number[] = [];
    let next = 0;
    for (let tile = from; tile < end; tile++) {
      if (held[next] === tile) next++;
      else missing.push(tile);
    }
    return missing;
  }

  /**
   * Writes the row of full level-0 tile `tile` from the leaf hashes in its
   * stored-hash slots (one range scan), unless it has one; true when written.
   * The slots are what every proof is read from, so the row says nothing
   * they do not.
   *
   * The row is served with immutable caching headers, so a wrong one would
   * stay in every cache in front of the node. Before writing it, the 256
   * hashes are hashed up to their subtree's root and compared with the
   * level-8 hash that the append completing the tile stored: a slot damaged
   * since (a disk or an edit of node.db) throws LeafTileMismatchError, and
   * nothing is written.
   */
  writeLeafTileFromSlots(tile: number): boolean {
    if (!Number.isSafeInteger(tile) || tile < 0 || tile >= this.fullLeafTiles()) {
      throw new RangeError(`tile ${tile} is not one of the ${this.fullLeafTiles()} full level-0 tiles`);
    }
    const leaves = this.readLeafHashes(tile * TILE_LEAVES, TILE_LEAVES);
    const slot = storedHashIndex(TILE_HEIGHT, tile);
    const stored = this.statements.readHash.get(slot);
    // 256 leaves are one perfect subtree: its RFC 6962 root is the level-8 stored hash.
    const root = new RootAccumulator(this.hasher);
    for (const leaf of leaves) root.add(leaf);
    if (stored === undefined || !hashesEqual(root.root(), stored)) {
      throw new LeafTileMismatchError(tile, slot);
    }
    return this.statements.insertMissingLeafTile.run(tile, Buffer.concat(leaves, TILE_BYTES)).changes > 0;
  }

  /**
   * Appends one leaf made from the event at `position` and returns its leaf
   * index. Run it inside a transaction with whatever records the position as
   * applied, so leaf, hashes and feed position commit together.
   */
  append(position: bigint, leaf: Uint8Array): number {
    const n = this.leafCount;
    const hashes = storedHashes(n, this.hasher.leafHash(leaf), this, this.hasher);
    const first = storedHashIndex(0, n);
    this.statements.insertLeaf.run(n, positionKey(position), blob(leaf));
    hashes.forEach((hash, i) => {
      this.statements.insertHash.run(first + i, blob(hash));
    });
    this.fillingTile.set(hashes[0]!, (n % TILE_LEAVES) * 32);
    if ((n + 1) % TILE_LEAVES === 0) {
      this.statements.insertLeafTile.run((n + 1) / TILE_LEAVES - 1, this.fillingTile);
    }
    this.leafCount = n + 1;
    return n;
  }

  leafHashAt(leafIndex: number): Uint8Array {
    this.checkIndex(leafIndex, this.leafCount);
    return this.readHashes([storedHashIndex(0, leafIndex)])[0]!;
  }

  entry(leafIndex: number): LogEntryRecord | null {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.leafCount) return null;
    const row = this.statements.leaf.get(leafIndex);
    return row === undefined ? null : toRecord(row);
  }

  entries(start: number, end: number, limit: number): LogEntryRecord[] {
    if (!(limit > 0) || start >= end) return [];
    return this.statements.leaves.all(start, Math.min(end, start + Math.floor(limit))).map(toRecord);
  }

  leafIndexForPosition(position: bigint): number | null {
    if (position < 0n) return null;
    return this.statements.byPosition.get(positionKey(position)) ?? null;
  }

  /** RFC 6962 root of the first treeSize leaves (treeSize ≤ size). */
  root(treeSize: number): Uint8Array {
    this.checkSize(treeSize);
    return treeHash(treeSize, this);
  }

  inclusionProof(leafIndex: number, treeSize: number): Uint8Array[] {
    this.checkSize(treeSize);
    this.checkIndex(leafIndex, treeSize);
    return proveRecord(treeSize, leafIndex, this);
  }

  consistencyProof(from: number, to: number): Uint8Array[] {
    this.checkSize(to);
    if (!Number.isSafeInteger(from) || from < 0 || from > to) {
      throw new LogProofError('SIZE_OUT_OF_RANGE', `old size ${from} is not between 0 and new size ${to}`);
    }
    return proveTree(to, from, this);
  }

  private checkSize(treeSize: number): void {
    // Beyond the stored leaves the layout has no hashes yet; refuse before reading a missing slot.
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > this.leafCount) {
      throw new LogProofError(
        'SIZE_OUT_OF_RANGE',
        `tree size ${treeSize} is not between 0 and the ${this.leafCount} sequenced leaves`,
      );
    }
  }

  private checkIndex(leafIndex: number, treeSize: number): void {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new LogProofError(
        'INDEX_OUT_OF_RANGE',
        `leaf index ${leafIndex} is not in a tree of size ${treeSize}`,
      );
    }
  }
}
