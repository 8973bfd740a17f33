/**
 * Records certified in batches, in the node's SQLite file: one row per batch,
 * one per record (its id, index and digest), and each batch's RFC 6962 tree in
 * the tlog stored-hash layout, so a record's batch path costs O(log n) point
 * reads instead of rehashing the batch. Everything here is derived from the
 * BatchCertified and BatchDigestsRecorded events and rebuilt with the other
 * read models; the batch root recomputed from the digests must equal the
 * signed one, or the projection stops rather than serve paths to nowhere.
 */

import type { Statement } from 'better-sqlite3';
import { batchRecordIdFor } from '../../domain/certification/certification-id.js';
import type { BatchEvent } from '../../domain/certification/events.js';
import { toHex } from '../../domain/crypto/hex.js';
import {
  type HashReader,
  proveRecord,
  storedHashes,
  storedHashIndex,
  treeHash,
} from '../../domain/log/index.js';
import { NODE_TREE_HASHER } from '../crypto/node-hashes.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import { eventMetadata } from './projection.js';

export interface BatchView {
  readonly batchId: string;
  readonly issuerId: string;
  readonly recordType: string;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly metadata: Record<string, string | number | boolean> | null;
  /** Hex RFC 6962 root the issuer signed. */
  readonly batchRoot: string;
  readonly count: number;
  readonly certifiedAt: string;
  readonly keyId: string;
  /** Position of the BatchCertified event: the batch's log entry. */
  readonly position: bigint;
}

export interface BatchRecordView {
  readonly certificationId: string;
  readonly index: number;
  readonly recordDigest: string;
  readonly batch: BatchView;
}

/** A record's path in its batch tree, ready for the proof bundle. */
export interface BatchRecordPath {
  readonly root: Uint8Array;
  readonly count: number;
  readonly path: Uint8Array[];
}

interface BatchRow {
  batch_id: string;
  seq: number;
  issuer_id: string;
  record_type: string;
  valid_from: string;
  valid_until: string | null;
  metadata: string | null;
  batch_root: string;
  count: number;
  certified_at: string;
  key_id: string;
  position: string;
  recorded: number;
}

interface RecordRow {
  certification_id: string;
  batch_seq: number;
  batch_index: number;
  record_digest: string;
}

/** The projection's own failure: the events say something a correct node never writes. */
class BatchProjectionError extends Error {
  constructor(message: string) {
    super(`batch read model: ${message}`);
    this.name = 'BatchProjectionError';
  }
}

/** A digest as the events store it: 64 lower-case hex characters. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

export class BatchRecords {
  private statements!: {
    insertBatch: Statement;
    setRecorded: Statement<[number, number]>;
    batch: Statement<[string], BatchRow>;
    batchBySeq: Statement<[number], BatchRow>;
    insertRecord: Statement<[string, number, number, string]>;
    record: Statement<[string], RecordRow>;
    readHash: Statement<[number, number], Buffer>;
    insertHash: Statement<[number, number, Buffer]>;
  };

  constructor(private readonly db: NodeDatabase) {}

  migrate(db: NodeDatabase): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS certification_batches (
        batch_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        issuer_id TEXT NOT NULL,
        record_type TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_until TEXT,
        metadata TEXT,
        batch_root TEXT NOT NULL,
        count INTEGER NOT NULL,
        certified_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        position TEXT NOT NULL,
        recorded INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS certification_batches_by_time ON certification_batches(certified_at);
      CREATE TABLE IF NOT EXISTS batch_records (
        certification_id TEXT PRIMARY KEY,
        batch_seq INTEGER NOT NULL,
        batch_index INTEGER NOT NULL,
        record_digest TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS batch_records_by_digest ON batch_records(record_digest);
      CREATE TABLE IF NOT EXISTS batch_tree_hashes (
        batch_seq INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (batch_seq, slot)
      ) WITHOUT ROWID;
    `);
    this.statements = {
      insertBatch: db.prepare(`INSERT INTO certification_batches VALUES (@batchId,
        (SELECT COALESCE(MAX(seq) + 1, 0) FROM certification_batches), @issuerId, @recordType, @validFrom,
        @validUntil, @metadata, @batchRoot, @count, @certifiedAt, @keyId, @position, 0)`),
      setRecorded: db.prepare<[number, number]>(
        'UPDATE certification_batches SET recorded = ? WHERE seq = ?',
      ),
      batch: db.prepare<[string], BatchRow>('SELECT * FROM certification_batches WHERE batch_id = ?'),
      batchBySeq: db.prepare<[number], BatchRow>('SELECT * FROM certification_batches WHERE seq = ?'),
      insertRecord: db.prepare<[string, number, number, string]>(
        'INSERT INTO batch_records (certification_id, batch_seq, batch_index, record_digest) VALUES (?, ?, ?, ?)',
      ),
      record: db.prepare<[string], RecordRow>('SELECT * FROM batch_records WHERE certification_id = ?'),
      readHash: db
        .prepare<[number, number], Buffer>(
          'SELECT hash FROM batch_tree_hashes WHERE batch_seq = ? AND slot = ?',
        )
        .pluck(),
      insertHash: db.prepare<[number, number, Buffer]>(
        'INSERT INTO batch_tree_hashes (batch_seq, slot, hash) VALUES (?, ?, ?)',
      ),
    };
  }

  reset(db: NodeDatabase): void {
    db.exec(
      'DROP TABLE IF EXISTS batch_tree_hashes; DROP TABLE IF EXISTS batch_records; DROP TABLE IF EXISTS certification_batches;',
    );
  }

  /** Applies a BatchCertified or BatchDigestsRecorded event; inside the projector's transaction. */
  apply(event: RecordedEvent): void {
    const e = { type: event.type, data: event.data } as BatchEvent;
    if (e.type === 'BatchCertified') {
      const d = e.data;
      this.statements.insertBatch.run({
        ...d,
        metadata: d.metadata === null ? null : JSON.stringify(d.metadata),
        keyId: eventMetadata(event)?.keyId ?? '',
        position: positionKey(event.position),
      });
      return;
    }
    const batch = this.statements.batch.get(e.data.batchId);
    if (batch === undefined) throw new BatchProjectionError(`digests for unknown batch ${e.data.batchId}`);
    // The decider writes the slices in order, right after the batch entry, in one append.
    if (e.data.from !== batch.recorded || batch.recorded + e.data.digests.length > batch.count) {
      throw new BatchProjectionError(
        `batch ${batch.batch_id}: digests from ${e.data.from} do not continue the ${batch.recorded} recorded of ${batch.count}`,
      );
    }
    // The slice's own hashes are read back from memory: a million-record batch would otherwise read its
    // frontier from SQLite once per record.
    const written = new Map<number, Uint8Array>();
    const reader = this.reader(batch.seq, written);
    let index = batch.recorded;
    for (const hex of e.data.digests) {
      if (!SHA256_HEX.test(hex)) {
        throw new BatchProjectionError(`batch ${batch.batch_id}: digest ${index} is not hex SHA-256`);
      }
      this.statements.insertRecord.run(batchRecordIdFor(batch.batch_id, index), batch.seq, index, hex);
      const leaf = NODE_TREE_HASHER.leafHash(Buffer.from(hex, 'hex'));
      const hashes = storedHashes(index, leaf, reader, NODE_TREE_HASHER);
      const first = storedHashIndex(0, index);
      hashes.forEach((hash, i) => {
        written.set(first + i, hash);
        this.statements.insertHash.run(batch.seq, first + i, hash as Buffer);
      });
      index++;
    }
    this.statements.setRecorded.run(index, batch.seq);
    if (index === batch.count) {
      const root = toHex(treeHash(batch.count, reader));
      if (root !== batch.batch_root) {
        throw new BatchProjectionError(
          `batch ${batch.batch_id}: its digests hash to ${root}, not to the signed root ${batch.batch_root}`,
        );
      }
    }
  }

  batch(batchId: string): BatchView | undefined {
    const row = this.statements.batch.get(batchId);
    return row === undefined || row.recorded !== row.count ? undefined : toBatchView(row);
  }

  /** A record of a fully recorded batch, by its certification id. */
  record(certificationId: string): BatchRecordView | undefined {
    const row = this.statements.record.get(certificationId);
    if (row === undefined) return undefined;
    const batch = this.statements.batchBySeq.get(row.batch_seq);
    // A batch's records become visible only once all of its digests are in (one append, so one transaction).
    if (batch === undefined || batch.recorded !== batch.count) return undefined;
    return {
      certificationId: row.certification_id,
      index: row.batch_index,
      recordDigest: row.record_digest,
      batch: toBatchView(batch),
    };
  }

  /** The path of record `index` in its batch tree, with the root it leads to; undefined for an unknown batch. */
  path(batchId: string, index: number): BatchRecordPath | undefined {
    const row = this.statements.batch.get(batchId);
    if (row === undefined || row.recorded !== row.count) return undefined;
    const reader = this.reader(row.seq);
    return {
      root: treeHash(row.count, reader),
      count: row.count,
      path: proveRecord(row.count, index, reader),
    };
  }

  /** Number of records in fully recorded batches. */
  recordCount(): number {
    return this.db
      .prepare('SELECT COALESCE(SUM(count), 0) FROM certification_batches WHERE recorded = count')
      .pluck()
      .get() as number;
  }

  private reader(seq: number, written?: ReadonlyMap<number, Uint8Array>): HashReader {
    return {
      readHashes: (slots) =>
        slots.map((slot) => {
          const known = written?.get(slot);
          if (known !== undefined) return known;
          const hash = this.statements.readHash.get(seq, slot);
          if (hash === undefined)
            throw new BatchProjectionError(`batch ${seq} has no tree hash at slot ${slot}`);
          return new Uint8Array(hash);
        }),
    };
  }
}

function toBatchView(row: BatchRow): BatchView {
  return {
    batchId: row.batch_id,
    issuerId: row.issuer_id,
    recordType: row.record_type,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as BatchView['metadata']),
    batchRoot: row.batch_root,
    count: row.count,
    certifiedAt: row.certified_at,
    keyId: row.key_id,
    position: positionFromKey(row.position),
  };
}
