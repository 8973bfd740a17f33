import type { Statement } from 'better-sqlite3';
import type { AccessEvent, DatasetFetched, GrantScope } from '../../domain/directory/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import type { Projection } from './projection.js';

export type RequestStatus = 'pending' | 'granted' | 'denied' | 'revoked';

export interface AccessRequestView {
  readonly requestId: string;
  readonly entryId: string;
  readonly ownerId: string;
  readonly requesterId: string;
  readonly purpose: string;
  readonly durationSeconds: number;
  readonly requestedAt: string;
  readonly status: RequestStatus;
  readonly grantId: string | null;
  readonly scope: GrantScope | null;
  readonly expiresAt: string | null;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly denialReason: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revocationReason: string | null;
  /** Position of the request's last event. */
  readonly position: bigint;
  /** Position of the AccessRequested event: the order and cursor of lists. */
  readonly createdPosition: bigint;
  /** Positions of the AccessGranted and AccessRevoked events, whose log leaves prove the grant and its end. */
  readonly grantedPosition: bigint | null;
  readonly revokedPosition: bigint | null;
}

export interface FetchRecordView {
  readonly entryId: string;
  readonly version: number;
  readonly digest: string;
  readonly consumerId: string;
  readonly grantId: string | null;
  readonly fetchedAt: string;
  readonly position: bigint;
}

export interface RequestFilter {
  readonly entryId?: string;
  readonly ownerId?: string;
  readonly requesterId?: string;
  /** Requests this department is a party to, as the owner or as the requester. */
  readonly partyId?: string;
  readonly status?: RequestStatus;
}

interface RequestRow {
  request_id: string;
  entry_id: string;
  owner_id: string;
  requester_id: string;
  purpose: string;
  duration_seconds: number;
  requested_at: string;
  status: RequestStatus;
  grant_id: string | null;
  scope: string | null;
  expires_at: string | null;
  decided_at: string | null;
  decided_by: string | null;
  denial_reason: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revocation_reason: string | null;
  position: string;
  created_position: string;
  granted_position: string | null;
  revoked_position: string | null;
}

interface FetchRow {
  position: string;
  entry_id: string;
  version: number;
  digest: string;
  consumer_id: string;
  grant_id: string | null;
  fetched_at: string;
}

/** Access requests with their grants, and the fetch audit trail, projected from the directory events. */
export class SharingReadModel implements Projection {
  readonly name = 'sharing';
  private s!: Record<
    'insert' | 'grant' | 'deny' | 'revoke' | 'fetch' | 'get' | 'byGrant' | 'grantsFor',
    Statement
  >;

  constructor(private readonly db: NodeDatabase) {}

  migrate(db: NodeDatabase): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS directory_requests (
        request_id TEXT PRIMARY KEY,
        entry_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        purpose TEXT NOT NULL,
        duration_seconds INTEGER NOT NULL,
        requested_at TEXT NOT NULL,
        status TEXT NOT NULL,
        grant_id TEXT UNIQUE,
        scope TEXT,
        expires_at TEXT,
        decided_at TEXT,
        decided_by TEXT,
        denial_reason TEXT,
        revoked_at TEXT,
        revoked_by TEXT,
        revocation_reason TEXT,
        position TEXT NOT NULL,
        created_position TEXT NOT NULL,
        granted_position TEXT,
        revoked_position TEXT
      );
      CREATE INDEX IF NOT EXISTS directory_requests_by_entry ON directory_requests(entry_id, created_position);
      CREATE INDEX IF NOT EXISTS directory_requests_by_owner ON directory_requests(owner_id, created_position);
      CREATE INDEX IF NOT EXISTS directory_requests_by_requester ON directory_requests(requester_id, created_position);
      CREATE TABLE IF NOT EXISTS directory_fetches (
        position TEXT PRIMARY KEY,
        entry_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        digest TEXT NOT NULL,
        consumer_id TEXT NOT NULL,
        grant_id TEXT,
        fetched_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS directory_fetches_by_entry ON directory_fetches(entry_id, position);
    `);
    this.s = {
      insert:
        db.prepare(`INSERT INTO directory_requests (request_id, entry_id, owner_id, requester_id, purpose,
        duration_seconds, requested_at, status, position, created_position)
        VALUES (@requestId, @entryId, @ownerId, @requesterId, @purpose, @durationSeconds, @requestedAt, 'pending',
        @position, @position)`),
      grant:
        db.prepare(`UPDATE directory_requests SET status = 'granted', grant_id = @grantId, scope = @scope,
        expires_at = @expiresAt, decided_at = @grantedAt, decided_by = @grantedBy, position = @position, granted_position = @position
        WHERE request_id = @requestId`),
      deny: db.prepare(`UPDATE directory_requests SET status = 'denied', decided_at = @deniedAt,
        decided_by = @deniedBy, denial_reason = @reason, position = @position WHERE request_id = @requestId`),
      revoke: db.prepare(`UPDATE directory_requests SET status = 'revoked', revoked_at = @revokedAt,
        revoked_by = @revokedBy, revocation_reason = @reason, position = @position, revoked_position = @position WHERE request_id = @requestId`),
      fetch:
        db.prepare(`INSERT OR IGNORE INTO directory_fetches VALUES (@position, @entryId, @version, @digest,
        @consumerId, @grantId, @fetchedAt)`),
      get: db.prepare('SELECT * FROM directory_requests WHERE request_id = ?'),
      byGrant: db.prepare('SELECT * FROM directory_requests WHERE grant_id = ?'),
      grantsFor: db.prepare(`SELECT grant_id FROM directory_requests WHERE entry_id = ? AND requester_id = ?
        AND status IN ('granted', 'revoked') ORDER BY status = 'granted' DESC, expires_at DESC, created_position DESC LIMIT 8`),
    };
  }

  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS directory_fetches; DROP TABLE IF EXISTS directory_requests;');
  }

  apply(event: RecordedEvent): void {
    const e = { type: event.type, data: event.data } as AccessEvent | DatasetFetched;
    const position = positionKey(event.position);
    switch (e.type) {
      case 'AccessRequested':
        this.s.insert.run({ ...e.data, position });
        return;
      case 'AccessGranted':
        this.s.grant.run({ ...e.data, scope: JSON.stringify(e.data.scope), position });
        return;
      case 'AccessDenied':
        this.s.deny.run({ ...e.data, position });
        return;
      case 'AccessRevoked':
        this.s.revoke.run({ ...e.data, position });
        return;
      case 'DatasetFetched':
        this.s.fetch.run({ ...e.data, position });
        return;
    }
  }

  get(requestId: string): AccessRequestView | undefined {
    const row = this.s.get.get(requestId) as RequestRow | undefined;
    return row === undefined ? undefined : toView(row);
  }

  byGrant(grantId: string): AccessRequestView | undefined {
    const row = this.s.byGrant.get(grantId) as RequestRow | undefined;
    return row === undefined ? undefined : toView(row);
  }

  /** Grants a department holds for an entry, unrevoked and latest expiry first; the caller checks them. */
  grantCandidates(entryId: string, requesterId: string): string[] {
    return (this.s.grantsFor.all(entryId, requesterId) as { grant_id: string }[]).map((r) => r.grant_id);
  }

  /** Requests in the order they were made, after an exclusive cursor. */
  list(filter: RequestFilter, after: bigint | null, limit: number): AccessRequestView[] {
    const where = ['created_position > @after'];
    if (filter.entryId !== undefined) where.push('entry_id = @entryId');
    if (filter.ownerId !== undefined) where.push('owner_id = @ownerId');
    if (filter.requesterId !== undefined) where.push('requester_id = @requesterId');
    if (filter.partyId !== undefined) where.push('(owner_id = @partyId OR requester_id = @partyId)');
    if (filter.status !== undefined) where.push('status = @status');
    const rows = this.db
      .prepare(
        `SELECT * FROM directory_requests WHERE ${where.join(' AND ')} ORDER BY created_position LIMIT @limit`,
      )
      .all({ ...filter, after: after === null ? '' : positionKey(after), limit }) as RequestRow[];
    return rows.map(toView);
  }

  /** Who fetched what from an entry, oldest first, after an exclusive cursor. */
  fetches(entryId: string, after: bigint | null, limit: number): FetchRecordView[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM directory_fetches WHERE entry_id = ? AND position > ? ORDER BY position LIMIT ?',
      )
      .all(entryId, after === null ? '' : positionKey(after), limit) as FetchRow[];
    return rows.map((r) => ({
      entryId: r.entry_id,
      version: r.version,
      digest: r.digest,
      consumerId: r.consumer_id,
      grantId: r.grant_id,
      fetchedAt: r.fetched_at,
      position: positionFromKey(r.position),
    }));
  }
}

function toView(row: RequestRow): AccessRequestView {
  return {
    requestId: row.request_id,
    entryId: row.entry_id,
    ownerId: row.owner_id,
    requesterId: row.requester_id,
    purpose: row.purpose,
    durationSeconds: row.duration_seconds,
    requestedAt: row.requested_at,
    status: row.status,
    grantId: row.grant_id,
    scope: row.scope === null ? null : (JSON.parse(row.scope) as GrantScope),
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    denialReason: row.denial_reason,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revocationReason: row.revocation_reason,
    position: positionFromKey(row.position),
    createdPosition: positionFromKey(row.created_position),
    grantedPosition: row.granted_position === null ? null : positionFromKey(row.granted_position),
    revokedPosition: row.revoked_position === null ? null : positionFromKey(row.revoked_position),
  };
}
