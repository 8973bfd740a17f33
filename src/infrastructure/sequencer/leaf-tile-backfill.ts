/**
 * Writes the one-row copy (MerkleHashStore.writeLeafTileFromSlots) of every
 * full level-0 tile that lacks it: tiles completed before node.db kept these
 * rows, or appended while an older binary ran. Until then such a tile is
 * gathered from ~511 stored-hash slots on every cache miss, about 600 µs, so
 * an upgraded node served its old tiles at a third of a static file's rate
 * until `chancery rebuild` (bench/tiles.bench.ts).
 *
 * It runs in the background, a few tiles per step in a transaction of its
 * own, so the event loop is never held for more than a few milliseconds. It
 * checks every full tile that existed when it started, a chunk of rows at a
 * time: on a file that already has them all, that is a few index scans. Tiles
 * completed later get their row from the append itself. A tile whose slots do
 * not hash to the subtree hash stored with them (a damaged file) gets no row:
 * the step fails with LeafTileMismatchError, and the backfill stops and says so.
 */

import type { NodeDatabase } from '../projections/node-database.js';
import type { MerkleHashStore } from './merkle-hash-store.js';

export interface LeafTileBackfillOptions {
  /** Rows written per step, one transaction (default 4: 2.0 ms of the event loop at the median, 4.5 ms at p99, in a 1M-leaf log). */
  readonly tilesPerStep?: number;
  /** Tiles whose rows one step looks up while searching for missing ones (default 4096: a few ms). */
  readonly tilesPerScan?: number;
  /** Pause between steps (default 10 ms): some 330 tiles, 85,000 leaves, a second. */
  readonly intervalMs?: number;
  /** Called once, when the first tile without its row is found: from then on until onDone, some tiles are slower. */
  readonly onFound?: () => void;
  /** Called once every tile has its row, with the number this backfill wrote. */
  readonly onDone?: (written: number) => void;
  /** Called if a step fails (the file changed under it, e.g. a reset); the backfill stops. */
  readonly onError?: (error: Error) => void;
}

export class LeafTileBackfill {
  private readonly tilesPerStep: number;
  private readonly intervalMs: number;
  private readonly tilesPerScan: number;
  /** Full tiles when the first step ran; later ones are written by append. */
  private end: number | null = null;
  /** Tiles below this have been looked at. */
  private scanned = 0;
  private missing: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private found = false;
  /** Rows written so far. */
  written = 0;

  constructor(
    private readonly db: NodeDatabase,
    private readonly store: MerkleHashStore,
    private readonly options: LeafTileBackfillOptions = {},
  ) {
    this.tilesPerStep = options.tilesPerStep ?? 4;
    this.intervalMs = options.intervalMs ?? 10;
    this.tilesPerScan = options.tilesPerScan ?? 4096;
    if (!Number.isInteger(this.tilesPerStep) || this.tilesPerStep < 1) {
      throw new RangeError('tilesPerStep must be a positive integer');
    }
    if (!Number.isInteger(this.tilesPerScan) || this.tilesPerScan < 1) {
      throw new RangeError('tilesPerScan must be a positive integer');
    }
  }

  /**
   * Writes up to tilesPerStep missing rows; false once every full tile that
   * existed at the first step has its row. A step that finds a transaction
   * open (another part holds one across an await) writes nothing and returns
   * true: its writes would commit or roll back with someone else's.
   */
  step(): boolean {
    if (this.db.inTransaction) return true;
    this.end ??= this.store.fullLeafTiles();
    if (this.missing.length === 0) {
      if (this.scanned >= this.end) return false;
      // One chunk per step: on a 10M-entry file that has every row, the whole look is some ten steps.
      const to = Math.min(this.end, this.scanned + this.tilesPerScan);
      this.missing = this.store.leafTilesWithoutRow(this.scanned, to);
      this.scanned = to;
      if (this.missing.length === 0) return this.scanned < this.end;
    }
    if (!this.found) {
      this.found = true;
      this.options.onFound?.();
    }
    const tiles = this.missing.splice(0, this.tilesPerStep);
    this.db.transaction(() => {
      for (const tile of tiles) if (this.store.writeLeafTileFromSlots(tile)) this.written++;
    })();
    return true;
  }

  /** Runs step() every intervalMs until done or stopped; the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    const tick = () => {
      this.timer = null;
      if (this.stopped || !this.db.open) return;
      let more: boolean;
      try {
        more = this.step();
      } catch (error) {
        this.stopped = true;
        this.options.onError?.(error as Error);
        return;
      }
      if (!more) {
        this.stopped = true;
        this.options.onDone?.(this.written);
        return;
      }
      this.timer = setTimeout(tick, this.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
