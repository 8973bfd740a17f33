import type { Statement } from 'better-sqlite3';
import type { CertificationEvent, CertificationStatus } from '../../domain/certification/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import { type BatchRecordPath, BatchRecords, type BatchRecordView, type BatchView } from './batch-records.js';
import { BatchTreeHandoff, type OfferedTree } from './batch-tree-handoff.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import { eventMetadata, type Projection } from './projection.js';

export interface StatusEntry {
  readonly status: CertificationStatus;
  readonly reason: string | null;
  readonly at: string;
  readonly by: string;
  readonly position: bigint;
}

export interface CertificationView {
  readonly certificationId: string;
  readonly issuerId: string;
  readonly recordDigest: string;
  readonly recordType: string;
  readonly subjectRef: string | null;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly metadata: Record<string, string | number | boolean> | null;
  readonly status: CertificationStatus;
  readonly certifiedAt: string;
  readonly keyId: string;
  readonly statusHistory: StatusEntry[];
  /** Position of the certifying event: RecordCertified, or the batch's BatchCertified. */
  readonly position: bigint;
  /** For a record certified in a batch: which batch, and its index in the batch tree. */
  readonly batch?: { readonly batchId: string; readonly index: number };
}

interface CertificationRow {
  certification_id: string;
  issuer_id: string;
  record_digest: string;
  record_type: string;
  subject_ref: string | null;
  valid_from: string;
  valid_until: string | null;
  metadata: string | null;
  status: CertificationStatus;
  certified_at: string;
  key_id: string;
  position: string;
}

interface HistoryRow {
  status: CertificationStatus;
  reason: string | null;
  at: string;
  by: string;
  position: string;
}

const STATUS_AFTER: Record<Exclude<CertificationEvent['type'], 'RecordCertified'>, CertificationStatus> = {
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
};

export interface CertificationFilter {
  readonly issuerId?: string;
  readonly recordDigest?: string;
  readonly recordType?: string;
  readonly status?: CertificationStatus;
}

/**
 * Certifications, single and bulk. A record certified in a batch has no row
 * of its own in `certifications`: it is read from the batch tables, and its
 * status history (own stream, own events) shares the single records' table.
 * list() pages by event position and covers single certifications only; a
 * batch's records all share one position.
 */
export class CertificationReadModel implements Projection {
  readonly name = 'certifications';
  private statements!: {
    insert: Statement;
    setStatus: Statement;
    history: Statement;
    byId: Statement;
    historyOf: Statement;
    count: Statement;
    latestOfRecord: Statement;
  };
  private readonly batches: BatchRecords;

  private readonly trees = new BatchTreeHandoff();

  constructor(private readonly db: NodeDatabase) {
    this.batches = new BatchRecords(db, this.trees);
  }

  /**
   * Offers the tree an upload computed for the batch with this root, until the returned function is
   * called: projecting that batch then stores its hashes instead of computing them again.
   */
  offerBatchTree(root: string, tree: OfferedTree): () => void {
    return this.trees.offer(root, tree);
  }

  migrate(db: NodeDatabase): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS certifications (
        certification_id TEXT PRIMARY KEY,
        issuer_id TEXT NOT NULL,
        record_digest TEXT NOT NULL,
        record_type TEXT NOT NULL,
        subject_ref TEXT,
        valid_from TEXT NOT NULL,
        valid_until TEXT,
        metadata TEXT,
        status TEXT NOT NULL,
        certified_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        position TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS certifications_by_position ON certifications(position);
      CREATE INDEX IF NOT EXISTS certifications_by_issuer ON certifications(issuer_id, position);
      CREATE INDEX IF NOT EXISTS certifications_by_digest ON certifications(record_digest, position);
      CREATE INDEX IF NOT EXISTS certifications_by_time ON certifications(certified_at);
      CREATE TABLE IF NOT EXISTS certification_status_history (
        certification_id TEXT NOT NULL,
        position TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        PRIMARY KEY (certification_id, position)
      );
      CREATE INDEX IF NOT EXISTS certification_status_history_by_time ON certification_status_history(at);
    `);
    this.statements = {
      // Positional: binds without building an object of named parameters for every certification.
      insert: db.prepare(`INSERT INTO certifications VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`),
      setStatus: db.prepare('UPDATE certifications SET status = ? WHERE certification_id = ?'),
      history: db.prepare('INSERT INTO certification_status_history VALUES (?, ?, ?, ?, ?, ?)'),
      // Reads too are prepared once: every proof fetch and citizen page goes through get().
      byId: db.prepare('SELECT * FROM certifications WHERE certification_id = ?'),
      historyOf: db.prepare(
        'SELECT status, reason, at, by, position FROM certification_status_history WHERE certification_id = ? ORDER BY position',
      ),
      count: db.prepare('SELECT count(*) AS n FROM certifications'),
      // certifications_by_digest narrows to the few rows of one digest; issuer and type filter those.
      latestOfRecord: db.prepare(
        'SELECT certification_id, status FROM certifications WHERE record_digest = ? AND issuer_id = ? AND record_type = ? ORDER BY position DESC LIMIT 1',
      ),
    };
    this.batches.migrate(db);
  }

  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS certification_status_history; DROP TABLE IF EXISTS certifications;');
    this.batches.reset(db);
  }

  afterCommit(): void {
    this.batches.afterCommit();
  }

  apply(event: RecordedEvent): void {
    if (event.type === 'BatchCertified' || event.type === 'BatchDigestsRecorded') {
      this.batches.apply(event);
      return;
    }
    const e = { type: event.type, data: event.data } as CertificationEvent;
    const position = positionKey(event.position);
    if (e.type === 'RecordCertified') {
      const d = e.data;
      this.statements.insert.run(
        d.certificationId,
        d.issuerId,
        d.recordDigest,
        d.recordType,
        d.subjectRef,
        d.validFrom,
        d.validUntil,
        d.metadata === null ? null : JSON.stringify(d.metadata),
        d.certifiedAt,
        eventMetadata(event)?.keyId ?? '',
        position,
      );
      // No status history row: the certification's own entry is its row in `certifications` (toView).
      return;
    }
    const status = STATUS_AFTER[e.type];
    if (status === undefined) return;
    this.statements.setStatus.run(status, e.data.certificationId);
    this.statements.history.run(
      e.data.certificationId,
      position,
      status,
      e.data.reason,
      e.data.at,
      e.data.by,
    );
  }

  get(certificationId: string): CertificationView | undefined {
    const row = this.statements.byId.get(certificationId) as CertificationRow | undefined;
    if (row !== undefined) return this.toView(row);
    const record = this.batches.record(certificationId);
    return record === undefined ? undefined : this.toBatchRecordView(record);
  }

  /** A fully recorded batch, or undefined. */
  batch(batchId: string): BatchView | undefined {
    return this.batches.batch(batchId);
  }

  /** The path of a record in its batch tree and the root it leads to, for its proof bundle. */
  batchPath(batchId: string, index: number): BatchRecordPath | undefined {
    return this.batches.path(batchId, index);
  }

  /** Single certifications plus the records of every batch. */
  count(): number {
    const singles = (this.statements.count.get() as { n: number }).n;
    return singles + this.batches.recordCount();
  }

  /** The issuer's latest single certification of a record (digest, record type), or null: the duplicate check. */
  latestOfRecord(
    issuerId: string,
    recordType: string,
    recordDigest: string,
  ): { certificationId: string; status: CertificationStatus } | null {
    const row = this.statements.latestOfRecord.get(recordDigest, issuerId, recordType) as
      | { certification_id: string; status: CertificationStatus }
      | undefined;
    return row === undefined ? null : { certificationId: row.certification_id, status: row.status };
  }

  list(filter: CertificationFilter, after: bigint | null, limit: number): CertificationView[] {
    const where: string[] = ['position > @after'];
    if (filter.issuerId !== undefined) where.push('issuer_id = @issuerId');
    if (filter.recordDigest !== undefined) where.push('record_digest = @recordDigest');
    if (filter.recordType !== undefined) where.push('record_type = @recordType');
    if (filter.status !== undefined) where.push('status = @status');
    const rows = this.db
      .prepare(`SELECT * FROM certifications WHERE ${where.join(' AND ')} ORDER BY position LIMIT @limit`)
      .all({ ...filter, after: after === null ? '' : positionKey(after), limit }) as CertificationRow[];
    return rows.map((r) => this.toView(r));
  }

  /** The status changes after a certification (suspended, reinstated, revoked), in log order. */
  private history(certificationId: string): StatusEntry[] {
    const rows = this.statements.historyOf.all(certificationId) as HistoryRow[];
    return rows.map((h) => ({ ...h, position: positionFromKey(h.position) }));
  }

  private toBatchRecordView(record: BatchRecordView): CertificationView {
    const { batch } = record;
    // Certified by the batch entry; any later change is on the record's own stream.
    const statusHistory: StatusEntry[] = [
      { status: 'active', reason: null, at: batch.certifiedAt, by: batch.issuerId, position: batch.position },
      ...this.history(record.certificationId),
    ];
    return {
      certificationId: record.certificationId,
      issuerId: batch.issuerId,
      recordDigest: record.recordDigest,
      recordType: batch.recordType,
      subjectRef: null,
      validFrom: batch.validFrom,
      validUntil: batch.validUntil,
      metadata: batch.metadata,
      status: statusHistory[statusHistory.length - 1]!.status,
      certifiedAt: batch.certifiedAt,
      keyId: batch.keyId,
      statusHistory,
      position: batch.position,
      batch: { batchId: batch.batchId, index: record.index },
    };
  }

  /**
   * A single certification's history: its certification, read from its own row (the projection writes
   * no history row for it: one INSERT and three B-tree entries fewer per certification), then its
   * status changes. A node database built before that still holds a row at the certification's own
   * position; it is the same entry, and is not repeated.
   */
  private singleHistory(row: CertificationRow): StatusEntry[] {
    const certified: StatusEntry = {
      status: 'active',
      reason: null,
      at: row.certified_at,
      by: row.issuer_id,
      position: positionFromKey(row.position),
    };
    const changes = this.history(row.certification_id).filter((h) => h.position !== certified.position);
    return [certified, ...changes];
  }

  private toView(row: CertificationRow): CertificationView {
    return {
      certificationId: row.certification_id,
      issuerId: row.issuer_id,
      recordDigest: row.record_digest,
      recordType: row.record_type,
      subjectRef: row.subject_ref,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as CertificationView['metadata']),
      status: row.status,
      certifiedAt: row.certified_at,
      keyId: row.key_id,
      statusHistory: this.singleHistory(row),
      position: positionFromKey(row.position),
    };
  }
}
