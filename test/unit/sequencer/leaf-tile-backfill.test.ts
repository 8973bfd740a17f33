/**
 * A node.db written before full level-0 tiles were kept as one row each (or
 * appended to by an older binary) gets those rows in the background: the
 * same bytes as the append writes, for every full tile that lacks one,
 * wherever the gaps are, without touching tiles that have theirs.
 */
import { describe, expect, it } from 'vitest';
import { storedHashIndex } from '../../../src/domain/log/index.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { LeafTileBackfill } from '../../../src/infrastructure/sequencer/leaf-tile-backfill.js';
import {
  LeafTileMismatchError,
  MerkleHashStore,
} from '../../../src/infrastructure/sequencer/merkle-hash-store.js';
import { TilesSource } from '../../../src/infrastructure/sequencer/tiles-source.js';
import { referenceLeafHash } from '../log/reference-merkle.js';

const leafBytes = (i: number) => new TextEncoder().encode(`{"leaf":${i}}`);

function expectedTile(tile: number): Buffer {
  return Buffer.concat(
    Array.from({ length: 256 }, (_, i) => Buffer.from(referenceLeafHash(leafBytes(tile * 256 + i)))),
  );
}

/** A log of `leaves` leaves whose rows for `without` were never written. */
function storeWithout(leaves: number, without: readonly number[]) {
  const db = openNodeDatabase(':memory:');
  const store = new MerkleHashStore(db);
  store.migrate();
  for (let i = 0; i < leaves; i++) store.append(BigInt(i + 1), leafBytes(i));
  for (const tile of without) db.prepare('DELETE FROM log_leaf_tiles WHERE tile = ?').run(tile);
  const rows = () => db.prepare('SELECT tile FROM log_leaf_tiles ORDER BY tile').pluck().all() as number[];
  return { db, store, rows };
}

function runToEnd(backfill: LeafTileBackfill): number {
  let steps = 0;
  while (backfill.step()) steps++;
  return steps;
}

describe('LeafTileBackfill', () => {
  it('writes the missing rows before, between and after the rows a file has, with the bytes an append writes', () => {
    // Six full tiles and a partial one: rows missing at the start (0, 1), in the middle (3) and at the end (5).
    const { db, store, rows } = storeWithout(6 * 256 + 100, [0, 1, 3, 5]);
    expect(store.leafTilesWithoutRow(0, 100)).toEqual([0, 1, 3, 5]);
    const backfill = new LeafTileBackfill(db, store, { tilesPerStep: 3 });
    expect(runToEnd(backfill)).toBe(2);
    expect(backfill.written).toBe(4);
    expect(rows()).toEqual([0, 1, 2, 3, 4, 5]);
    const tiles = new TilesSource(store, store);
    const before = store.hashReads;
    for (let tile = 0; tile < 6; tile++) {
      const bytes = tiles.read({ kind: 'hashes', level: 0, index: tile, width: 256 });
      expect(Buffer.from(bytes).equals(expectedTile(tile)), `tile ${tile}`).toBe(true);
    }
    // Every tile now comes from its row: no stored-hash slot is read.
    expect(store.hashReads).toBe(before);
    // The partial tile gets its row from the append that fills it, as before.
    for (let i = 6 * 256 + 100; i < 7 * 256; i++) store.append(BigInt(i + 1), leafBytes(i));
    expect(rows()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads no stored hash, writes nothing and says nothing on a file that has every row', () => {
    const { db, store, rows } = storeWithout(3 * 256, []);
    const before = store.hashReads;
    let found = 0;
    const backfill = new LeafTileBackfill(db, store, { onFound: () => found++ });
    expect(backfill.step()).toBe(false);
    expect(backfill.written).toBe(0);
    expect(store.hashReads).toBe(before);
    expect(found).toBe(0);
    expect(rows()).toEqual([0, 1, 2]);
  });

  it('looks at one chunk of rows per step, so a large file that has them all never holds the event loop long', () => {
    const { db, store, rows } = storeWithout(6 * 256, [5]);
    const backfill = new LeafTileBackfill(db, store, { tilesPerScan: 2 });
    const reads: number[] = [];
    let before = store.hashReads;
    while (backfill.step()) {
      reads.push(store.hashReads - before);
      before = store.hashReads;
    }
    // Tiles 0–1 and 2–3 have their rows: two steps read nothing; the third finds tile 5 and writes it.
    expect(reads.map((n) => n > 0)).toEqual([false, false, true]);
    expect(rows()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('writes nothing while another transaction is open, and carries on after it', () => {
    const { db, store, rows } = storeWithout(2 * 256, [0, 1]);
    const backfill = new LeafTileBackfill(db, store);
    db.exec('BEGIN');
    expect(backfill.step()).toBe(true);
    db.exec('ROLLBACK');
    expect(rows()).toEqual([]);
    expect(runToEnd(backfill)).toBe(1);
    expect(rows()).toEqual([0, 1]);
  });

  it('refuses a tile that is not full', () => {
    const { store } = storeWithout(256 + 10, []);
    expect(() => store.writeLeafTileFromSlots(1)).toThrow(
      new RangeError('tile 1 is not one of the 1 full level-0 tiles'),
    );
    expect(() => store.writeLeafTileFromSlots(-1)).toThrow(RangeError);
  });

  it('runs in the background until done, says once that it found tiles to write, and how many it wrote', async () => {
    const { db, store, rows } = storeWithout(5 * 256, [0, 1, 2, 3, 4]);
    let found = 0;
    const written = await new Promise<number>((resolve, reject) => {
      new LeafTileBackfill(db, store, {
        tilesPerStep: 2,
        intervalMs: 1,
        onFound: () => found++,
        onDone: resolve,
        onError: reject,
      }).start();
    });
    expect(found).toBe(1);
    expect(written).toBe(5);
    expect(rows()).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes nothing more once stopped', async () => {
    const { db, store, rows } = storeWithout(4 * 256, [0, 1, 2, 3]);
    const backfill = new LeafTileBackfill(db, store, { tilesPerStep: 1, intervalMs: 1 });
    backfill.start();
    backfill.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(rows()).toEqual([]);
  });

  it('stops and reports the error when the log is reset under it, leaving the file as the reset left it', async () => {
    const { db, store, rows } = storeWithout(4 * 256, [0, 1, 2, 3]);
    let reported: (error: Error) => void = () => {};
    const error = new Promise<Error>((resolve) => {
      reported = resolve;
    });
    const backfill = new LeafTileBackfill(db, store, { tilesPerStep: 1, intervalMs: 1, onError: reported });
    expect(backfill.step()).toBe(true);
    store.reset();
    store.migrate();
    backfill.start();
    expect(await error).toEqual(new RangeError('tile 1 is not one of the 0 full level-0 tiles'));
    expect(rows()).toEqual([]);
  });

  // The adversary here is the disk, or whoever edited node.db: a row written from a damaged slot would be
  // served as immutable and kept by every cache in front of the node.
  it('writes no row from leaf hashes that do not hash to the stored level-8 hash, and says why', async () => {
    const { db, store, rows } = storeWithout(3 * 256, [0, 1, 2]);
    const damage = (slot: number) =>
      db.prepare('UPDATE log_hashes SET hash = ? WHERE slot = ?').run(Buffer.alloc(32, 7), slot);
    damage(storedHashIndex(0, 256 + 17));
    damage(storedHashIndex(8, 2));
    const mismatch = (tile: number) => new LeafTileMismatchError(tile, storedHashIndex(8, tile));
    expect(() => store.writeLeafTileFromSlots(1)).toThrow(mismatch(1));
    expect(() => store.writeLeafTileFromSlots(2)).toThrow(mismatch(2));
    expect(mismatch(1).message).toBe(
      `the leaf hashes of full tile 1 in node.db do not hash to its stored level-8 hash (slot ${storedHashIndex(8, 1)}): ` +
        'the file is damaged; its row was not written (`chancery rebuild` rebuilds the log from the event store)',
    );
    expect(rows()).toEqual([]);
    // In the background: the step that meets tile 1 writes nothing (tile 0 goes back with it), reports, and stops.
    const reported = await new Promise<Error>((resolve, reject) => {
      new LeafTileBackfill(db, store, {
        intervalMs: 1,
        onError: resolve,
        onDone: () => reject(new Error('done')),
      }).start();
    });
    expect(reported).toEqual(mismatch(1));
    expect(rows()).toEqual([]);
    expect(store.writeLeafTileFromSlots(0)).toBe(true);
    expect(rows()).toEqual([0]);
  });
});
