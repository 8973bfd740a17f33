import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeSlice } from '../../../src/domain/certification/batch-slice.js';
import { batchRecordIdFor } from '../../../src/domain/certification/certification-id.js';
import {
  BATCH_DIGESTS_PER_EVENT,
  type BatchSliceEncoding,
} from '../../../src/domain/certification/events.js';
import { batchRoot, verifyBatchPath } from '../../../src/domain/log/index.js';
import { StoredHashBuilder } from '../../../src/domain/log/stored-hash-builder.js';
import { NODE_TREE_HASHER } from '../../../src/infrastructure/crypto/node-hashes.js';
import type { RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { recordKeyOfId } from '../../../src/infrastructure/projections/batch-record-key.js';
import { BatchRecords } from '../../../src/infrastructure/projections/batch-records.js';
import {
  BatchTreeHandoff,
  type OfferedTree,
} from '../../../src/infrastructure/projections/batch-tree-handoff.js';
import {
  LARGE_WRITE_CACHE_KIB,
  type NodeDatabase,
  openNodeDatabase,
  PAGE_CACHE_KIB,
} from '../../../src/infrastructure/projections/node-database.js';

/**
 * The batch read model keeps digests and tree hashes as runs (one blob per
 * slice) and a row per record only for the id lookup. These tests pin what it
 * serves against the pure domain's root and path verification, across slice
 * boundaries, a restart between slices, and a read model in the layout before
 * the runs (a row per digest and per slot).
 */

const BATCH_ID = 'bat_aaaaaaaaaaaaaaaaaaaaaaaa';
const digestOf = (i: number) => createHash('sha256').update(`record ${i}`).digest();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function events(
  count: number,
  root = hex(batchRoot(Array.from({ length: count }, (_, i) => digestOf(i)))),
  encoding: BatchSliceEncoding = 'base64',
) {
  const out: RecordedEvent[] = [];
  const event = (type: string, data: RecordedEvent['data']): RecordedEvent => ({
    stream: `batch-${BATCH_ID}`,
    revision: BigInt(out.length),
    position: 10n + BigInt(out.length),
    type,
    data,
    metadata: { keyId: 'key-1' },
    recordedAt: '2026-12-02T00:00:00Z',
  });
  out.push(
    event('BatchCertified', {
      batchId: BATCH_ID,
      issuerId: 'UNI',
      recordType: 'diploma',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: null,
      metadata: null,
      batchRoot: root,
      count,
      certifiedAt: '2026-12-02T00:00:00Z',
    }),
  );
  for (let from = 0; from < count; from += BATCH_DIGESTS_PER_EVENT) {
    const to = Math.min(count, from + BATCH_DIGESTS_PER_EVENT);
    const packed = Buffer.concat(Array.from({ length: to - from }, (_, k) => digestOf(from + k)));
    out.push(
      event('BatchDigestsRecorded', encodeSlice(BATCH_ID, from, packed, encoding) as RecordedEvent['data']),
    );
  }
  return out;
}

function open(): { db: NodeDatabase; records: BatchRecords } {
  const db = openNodeDatabase(':memory:');
  const records = new BatchRecords(db);
  records.migrate(db);
  return { db, records };
}

/** Every record's digest and path verify against the signed root; spot-checks a large batch. */
function expectServes(records: BatchRecords, count: number): void {
  const root = batchRoot(Array.from({ length: count }, (_, i) => digestOf(i)));
  const indexes =
    count <= 40
      ? Array.from({ length: count }, (_, i) => i)
      : [0, 1, 511, 512, 513, count - 1].filter((i) => i < count);
  for (const index of indexes) {
    const view = records.record(batchRecordIdFor(BATCH_ID, index));
    expect(view?.index).toBe(index);
    expect(view?.recordDigest).toBe(hex(digestOf(index)));
    const path = records.path(BATCH_ID, index)!;
    expect(hex(path.root)).toBe(hex(root));
    expect(() => verifyBatchPath(digestOf(index), index, count, path.path, root)).not.toThrow();
  }
}

/** Every record of the batch is found by its certification id, and the index holds one row each. */
function expectEveryRecordFound(db: NodeDatabase, records: BatchRecords, count: number): void {
  for (let index = 0; index < count; index++)
    expect(records.record(batchRecordIdFor(BATCH_ID, index))?.index).toBe(index);
  expect(db.prepare('SELECT count(*) FROM batch_record_keys').pluck().get()).toBe(count);
}

describe('batch records read model (runs of digests and tree hashes)', () => {
  it.each([1, 2, 3, 7, 8, 9, 511, 512, 513, 1024, 1025, 2049])('serves a batch of %i', (count) => {
    const { db, records } = open();
    for (const e of events(count)) records.apply(e);
    expectServes(records, count);
    expect(db.prepare('SELECT count(*) FROM batch_record_keys').pluck().get()).toBe(count);
    // Every digest stored once, 32 bytes each, in runs that fit a page (no overflow chains).
    expect(db.prepare('SELECT sum(length(bytes)) FROM batch_digest_runs').pluck().get()).toBe(count * 32);
    expect(db.prepare('SELECT max(length(bytes)) FROM batch_tree_runs').pluck().get()).toBeLessThanOrEqual(
      1920,
    );
  });

  it('continues a batch after a restart between slices, its right edge read back from SQLite', () => {
    const { db } = open();
    const all = events(1537);
    // A fresh instance per event: nothing carried over in memory, as after a crash between transactions.
    for (const e of all) {
      const records = new BatchRecords(db);
      records.migrate(db);
      records.apply(e);
    }
    const records = new BatchRecords(db);
    records.migrate(db);
    expectServes(records, 1537);
    expectEveryRecordFound(db, records, 1537);
  });

  it('puts the keys into the index in key order over the second half of the slices, none left for the last', () => {
    // Inserting a million keys at the last slice held the event loop for about a second.
    const { db, records } = open();
    const count = 6 * BATCH_DIGESTS_PER_EVENT;
    const all = events(count);
    records.apply(all[0]!);
    const keyed = db.prepare<[], number>('SELECT key FROM batch_record_keys ORDER BY key').pluck();
    const inserted: number[] = [];
    let before = 0;
    for (let slice = 1; slice < all.length; slice++) {
      records.apply(all[slice]!);
      const recorded = Math.min(count, slice * BATCH_DIGESTS_PER_EVENT);
      const keys = keyed.all();
      inserted.push(keys.length - before);
      before = keys.length;
      expect(keys.length).toBe(Math.max(0, Math.min(count, 2 * recorded - count)));
      // The smallest keys of the batch first: an ordered pass through the index, split up.
      const every = Array.from({ length: count }, (_, i) => recordKeyOfId(batchRecordIdFor(BATCH_ID, i))!);
      every.sort((a, b) => a - b);
      expect(keys).toEqual(every.slice(0, keys.length));
    }
    expect(inserted).toEqual([0, 0, 0, 1024, 1024, 1024]);
    expectEveryRecordFound(db, records, count);
  });

  it('indexes every record of a batch resumed in its second half by a node that had inserted no keys', () => {
    // The code before inserted every key at the last slice: a node upgraded in the middle of a batch.
    const { db } = open();
    const count = 6 * BATCH_DIGESTS_PER_EVENT;
    const all = events(count);
    let records = new BatchRecords(db);
    records.migrate(db);
    for (const e of all.slice(0, 5)) records.apply(e);
    db.exec('DELETE FROM batch_record_keys');
    records = new BatchRecords(db);
    records.migrate(db);
    for (const e of all.slice(5)) records.apply(e);
    expectEveryRecordFound(db, records, count);
  });

  it('serves a batch logged with hex slices (logs written before base64 slices) the same', () => {
    const { db, records } = open();
    for (const e of events(1025, undefined, 'hex')) records.apply(e);
    expectServes(records, 1025);
    expect(db.prepare('SELECT sum(length(bytes)) FROM batch_digest_runs').pluck().get()).toBe(1025 * 32);
  });

  it('tells apart records whose ids share a lookup key, by recomputing each candidate id', () => {
    const { db, records } = open();
    for (const e of events(40)) records.apply(e);
    // Every other record of the batch made to collide with record 7: rows under 7's key, listed before 7's own.
    const collide = db.prepare(
      'INSERT OR IGNORE INTO batch_record_keys (key, batch_seq, batch_index) VALUES (?, 0, ?)',
    );
    const key = recordKeyOfId(batchRecordIdFor(BATCH_ID, 7))!;
    for (let i = 0; i < 40; i++) collide.run(key, i);
    expect(db.prepare('SELECT count(*) FROM batch_record_keys WHERE key = ?').pluck().get(key)).toBe(40);
    expectServes(records, 40);
    // An id that is no record of the batch, under a key that every record of it shares, finds nothing.
    const stranger = batchRecordIdFor('bat_bbbbbbbbbbbbbbbbbbbbbbbb', 0);
    for (let i = 0; i < 40; i++) collide.run(recordKeyOfId(stranger), i);
    expect(records.record(stranger)).toBeUndefined();
    expect(records.record('crt_not-an-id')).toBeUndefined();
  });

  it.each([
    ['base64 that is not canonical (a stray character)', (d: string) => `${d.slice(0, 4)}*${d.slice(4)}`],
    [
      'base64 of a partial digest',
      (d: string) => Buffer.from(d, 'base64').subarray(0, 40).toString('base64'),
    ],
    ['an empty slice', () => ''],
  ])('stops on a slice that is %s, and serves nothing of that batch', (_, mangle) => {
    const { db, records } = open();
    const all = events(3);
    const slice = all[1]!.data as { digestsBase64: string };
    all[1] = { ...all[1]!, data: { ...slice, digestsBase64: mangle(slice.digestsBase64) } };
    expect(() =>
      db.transaction(() => {
        for (const e of all) records.apply(e);
      })(),
    ).toThrow(
      'batch read model: batch bat_aaaaaaaaaaaaaaaaaaaaaaaa: the slice from 0 is not a list of SHA-256 digests',
    );
    expect(records.batch(BATCH_ID)).toBeUndefined();
  });

  it('stops on digests that do not hash to the signed root, and serves nothing of that batch', () => {
    const { db, records } = open();
    const bad = events(600, '00'.repeat(32));
    // Inside a transaction, as the projector applies events: the failure rolls the batch back.
    expect(() =>
      db.transaction(() => {
        for (const e of bad) records.apply(e);
      })(),
    ).toThrow(/not to the signed root/);
    expect(records.batch(BATCH_ID)).toBeUndefined();
  });

  it('converts a read model written a row per digest and per slot, and serves it unchanged', () => {
    const count = 1030;
    const { db: fresh, records: reference } = open();
    for (const e of events(count)) reference.apply(e);

    const db = openNodeDatabase(':memory:');
    // The old layout, filled from the reference's runs: a row per digest and per stored hash.
    const batchRow = fresh.prepare('SELECT * FROM certification_batches').get() as Record<string, unknown>;
    // The batch row is the same in both layouts.
    new BatchRecords(db).migrate(db);
    db.prepare(
      `INSERT INTO certification_batches VALUES (@batch_id, @seq, @issuer_id, @record_type, @valid_from,
        @valid_until, @metadata, @batch_root, @count, @certified_at, @key_id, @position, @recorded)`,
    ).run(batchRow);
    db.exec(`
      CREATE TABLE batch_records (certification_id TEXT PRIMARY KEY, batch_seq INTEGER NOT NULL,
        batch_index INTEGER NOT NULL, record_digest TEXT NOT NULL);
      CREATE TABLE batch_tree_hashes (batch_seq INTEGER NOT NULL, slot INTEGER NOT NULL, hash BLOB NOT NULL,
        PRIMARY KEY (batch_seq, slot)) WITHOUT ROWID;
    `);
    const insertRecord = db.prepare('INSERT INTO batch_records VALUES (?, ?, ?, ?)');
    for (let i = 0; i < count; i++) insertRecord.run(batchRecordIdFor(BATCH_ID, i), 0, i, hex(digestOf(i)));
    const insertHash = db.prepare('INSERT INTO batch_tree_hashes VALUES (?, ?, ?)');
    for (const run of fresh.prepare('SELECT first, bytes FROM batch_tree_runs').all() as {
      first: number;
      bytes: Buffer;
    }[]) {
      for (let k = 0; k < run.bytes.length / 32; k++)
        insertHash.run(0, run.first + k, run.bytes.subarray(k * 32, k * 32 + 32));
    }

    const upgraded = new BatchRecords(db);
    upgraded.migrate(db);
    expectServes(upgraded, count);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('batch_records');
    expect(tables).not.toContain('batch_tree_hashes');
  });

  it('converts a read model that kept record ids as text, and serves it unchanged', () => {
    const count = 700;
    const { db, records } = open();
    for (const e of events(count)) records.apply(e);
    // The layout before integer keys: the id itself as the key of batch_record_ids.
    db.exec(`
      CREATE TABLE batch_record_ids (certification_id TEXT PRIMARY KEY, batch_seq INTEGER NOT NULL,
        batch_index INTEGER NOT NULL) WITHOUT ROWID;
      DELETE FROM batch_record_keys;
    `);
    const insert = db.prepare('INSERT INTO batch_record_ids VALUES (?, 0, ?)');
    for (let i = 0; i < count; i++) insert.run(batchRecordIdFor(BATCH_ID, i), i);

    const upgraded = new BatchRecords(db);
    upgraded.migrate(db);
    expectServes(upgraded, count);
    expect(db.prepare('SELECT count(*) FROM batch_record_keys').pluck().get()).toBe(count);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('batch_record_ids');
  });
});

describe('the tree an upload hands over (BatchTreeHandoff)', () => {
  const COUNT = 1537;
  const packedOf = (count: number) => Buffer.concat(Array.from({ length: count }, (_, i) => digestOf(i)));

  function offeredTree(count: number): OfferedTree {
    const builder = new StoredHashBuilder(count, NODE_TREE_HASHER);
    for (let i = 0; i < count; i++) builder.add(NODE_TREE_HASHER.leafHash(digestOf(i)));
    return { packed: packedOf(count), storedHashes: builder.hashes };
  }

  const tables = (db: NodeDatabase) =>
    ['batch_digest_runs', 'batch_tree_runs', 'batch_record_keys'].map((t) =>
      db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all(),
    );

  it('stores the offered tree slot for slot what hashing the digests again would have stored', () => {
    const root = hex(batchRoot(Array.from({ length: COUNT }, (_, i) => digestOf(i))));
    const plain = open();
    for (const e of events(COUNT)) plain.records.apply(e);
    const handoff = new BatchTreeHandoff();
    const db = openNodeDatabase(':memory:');
    const records = new BatchRecords(db, handoff);
    records.migrate(db);
    const withdraw = handoff.offer(root, offeredTree(COUNT));
    for (const e of events(COUNT)) records.apply(e);
    withdraw();
    expect(handoff.takenSlices).toBe(Math.ceil(COUNT / BATCH_DIGESTS_PER_EVENT));
    expect(tables(db)).toEqual(tables(plain.db));
    expectServes(records, COUNT);
  });

  it('takes no hashes that depend on a digest other than the log holds: it hashes those itself', () => {
    const root = hex(batchRoot(Array.from({ length: COUNT }, (_, i) => digestOf(i))));
    const handoff = new BatchTreeHandoff();
    // An offer under the log's root whose list differs at record 700 (slice 2 of 4), its hashes
    // computed from that list: slice 1 is the log's byte for byte, and so are slices 3 and 4, but
    // their right edge holds the subtree of records 0–1023, which record 700 changed.
    const tampered = packedOf(COUNT);
    tampered[700 * 32] = tampered[700 * 32]! ^ 1;
    const builder = new StoredHashBuilder(COUNT, NODE_TREE_HASHER);
    for (let i = 0; i < COUNT; i++)
      builder.add(NODE_TREE_HASHER.leafHash(tampered.subarray(i * 32, i * 32 + 32)));
    const withdraw = handoff.offer(root, { packed: tampered, storedHashes: builder.hashes });
    const plain = open();
    for (const e of events(COUNT)) plain.records.apply(e);
    const db = openNodeDatabase(':memory:');
    const records = new BatchRecords(db, handoff);
    records.migrate(db);
    for (const e of events(COUNT)) records.apply(e);
    withdraw();
    expect(handoff.takenSlices).toBe(1);
    expect(tables(db)).toEqual(tables(plain.db));
    expectServes(records, COUNT);
    // Withdrawn: nothing is offered any more.
    expect(handoff.take(root, 0, packedOf(COUNT).subarray(0, 32), null)).toBeNull();
  });
});

describe('the page cache a large batch raises', () => {
  it('is 64 MiB while its slices are projected and back to 2 MB, its pages freed, after the commit', () => {
    const { db, records } = open();
    const cacheKib = () => -Number(db.pragma('cache_size', { simple: true }));
    expect(cacheKib()).toBe(PAGE_CACHE_KIB);
    db.exec('BEGIN');
    for (const event of events(1200)) records.apply(event);
    expect(cacheKib()).toBe(LARGE_WRITE_CACHE_KIB);
    db.exec('COMMIT');
    records.afterCommit();
    expect(cacheKib()).toBe(PAGE_CACHE_KIB);
    expectServes(records, 1200);
    db.close();
  });
});
