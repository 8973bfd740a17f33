/**
 * Alerts: a witness refused a log-signed checkpoint that contradicts one it
 * cosigned, or a mirror refused entries or a checkpoint that do not add up.
 * Each alert keeps its evidence (the signed notes involved) in
 * federation.db, so it survives restarts and can be handed to whoever must
 * act on it; GET /v1/federation/alerts and /metrics expose them.
 */

import type { Statement } from 'better-sqlite3';
import { LimitedStatements } from '../sqlite/limited-statements.js';
import type { FederationDatabase } from './federation-database.js';

export type AlertSource = 'witness' | 'mirror';

export type AlertKind =
  /** Two log-signed checkpoints of one size with different roots. */
  | 'split-view'
  /** A log-signed checkpoint that is not consistent with an earlier one. */
  | 'inconsistent'
  /** Entries whose recomputed tree does not match the log-signed root. */
  | 'root-mismatch'
  /** An entry the mirror could not re-verify (signature, key state or decider). */
  | 'entry-rejected'
  /** A log-signed state map root that differs from the one this node recomputed from the same entries. */
  | 'map-root-mismatch';

export interface NewAlert {
  readonly source: AlertSource;
  readonly kind: AlertKind;
  readonly origin: string;
  readonly detail: string;
  /** The signed note this node had accepted or cosigned, when there is one. */
  readonly cosigned: string | null;
  /** The contradicting signed note, when there is one. */
  readonly submitted: string | null;
  /** A consistency proof that came with it (base64), or other hashes involved. */
  readonly proof: readonly string[];
}

export interface Alert extends NewAlert {
  readonly id: number;
  readonly recordedAt: string;
}

interface AlertRow {
  id: number;
  source: AlertSource;
  kind: AlertKind;
  origin: string;
  detail: string;
  cosigned: string | null;
  submitted: string | null;
  proof: string;
  recorded_at: string;
}

function fromRow(row: AlertRow): Alert {
  return {
    id: row.id,
    source: row.source,
    kind: row.kind,
    origin: row.origin,
    detail: row.detail,
    cosigned: row.cosigned,
    submitted: row.submitted,
    proof: JSON.parse(row.proof) as string[],
    recordedAt: row.recorded_at,
  };
}

export class FederationAlerts {
  private readonly insert: Statement;
  private readonly latest: LimitedStatements<[], AlertRow>;
  private readonly last: Statement<[], AlertRow>;
  private readonly counts: Statement<[], { source: AlertSource; kind: AlertKind; n: number }>;
  private readonly listeners: ((alert: Alert) => void)[] = [];

  constructor(
    private readonly db: FederationDatabase,
    private readonly clock: () => number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO federation_alerts (source, kind, origin, detail, cosigned, submitted, proof, recorded_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.latest = new LimitedStatements(
      db,
      (limit) => `SELECT * FROM federation_alerts ORDER BY id DESC LIMIT ${limit}`,
    );
    this.last = db.prepare<[], AlertRow>('SELECT * FROM federation_alerts ORDER BY id DESC LIMIT 1');
    this.counts = db.prepare(
      'SELECT source, kind, count(*) AS n FROM federation_alerts GROUP BY source, kind ORDER BY source, kind',
    );
  }

  /**
   * Records an alert durably (call inside the caller's transaction when the
   * alert must commit with other state). The same alert twice in a row (a
   * mirror retrying the same bad page after a restart) is recorded once.
   */
  record(alert: NewAlert): Alert {
    const previous = this.last.get();
    if (
      previous !== undefined &&
      previous.source === alert.source &&
      previous.kind === alert.kind &&
      previous.detail === alert.detail &&
      previous.submitted === alert.submitted
    ) {
      return fromRow(previous);
    }
    const recordedAt = new Date(this.clock()).toISOString();
    const result = this.insert.run(
      alert.source,
      alert.kind,
      alert.origin,
      alert.detail,
      alert.cosigned,
      alert.submitted,
      JSON.stringify(alert.proof),
      recordedAt,
    );
    const recorded: Alert = { ...alert, id: Number(result.lastInsertRowid), recordedAt };
    for (const listener of this.listeners) listener(recorded);
    return recorded;
  }

  /** Told after each new alert (for logs). Must not throw. */
  onAlert(listener: (alert: Alert) => void): void {
    this.listeners.push(listener);
  }

  /** The newest alerts first. */
  list(limit = 100): Alert[] {
    const n = Number.isFinite(limit) ? Math.max(1, Math.min(Math.floor(limit), 1000)) : 100;
    return this.latest.get(n).all().map(fromRow);
  }

  /** Alert counts by source and kind, for /metrics. */
  countsByKind(): { source: AlertSource; kind: AlertKind; count: number }[] {
    return this.counts.all().map((r) => ({ source: r.source, kind: r.kind, count: r.n }));
  }

  total(): number {
    return this.db.prepare('SELECT count(*) FROM federation_alerts').pluck().get() as number;
  }
}
