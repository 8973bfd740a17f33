/**
 * Certifications over time from the node's read model: counts per time bucket
 * by record type, issuer and status change, grouped in SQL over the window
 * asked for, each dimension cut to its top keys plus "other" so the answer
 * stays small whatever the number of issuers or types. Record times are the
 * log's own (certifiedAt, a status change's `at`), not the node's clock.
 */

import type { Statement } from 'better-sqlite3';
import {
  BUCKET_SECONDS,
  type BucketName,
  type CertificationSeries,
  type CountSeries,
  OTHER_KEY,
} from '../../protocol/certification-series.js';
import type { NodeDatabase } from './node-database.js';

export interface SeriesQuery {
  readonly bucket: BucketName;
  /** How many buckets, the last one holding `nowSeconds`. */
  readonly buckets: number;
  /** Keys kept per dimension; the rest are summed as "other". */
  readonly top: number;
  readonly nowSeconds: number;
}

interface Row {
  bucket: number;
  key: string;
  n: number;
}

const bucketOf = (column: string) => `CAST(strftime('%s', ${column}) / @size AS INTEGER) * @size`;

const SQL = {
  // Single certifications and batches (each counting its records), by a key column of either table.
  certified: (key: 'record_type' | 'issuer_id') => `
    SELECT bucket, key, sum(n) AS n FROM (
      SELECT ${bucketOf('certified_at')} AS bucket, ${key} AS key, count(*) AS n
        FROM certifications WHERE certified_at >= @sinceText GROUP BY 1, 2
      UNION ALL
      SELECT ${bucketOf('certified_at')} AS bucket, ${key} AS key, sum(count) AS n
        FROM certification_batches WHERE certified_at >= @sinceText GROUP BY 1, 2
    ) GROUP BY bucket, key`,
  // Certifications from their own rows; the history holds the later changes, where 'active' is a
  // reinstatement. A history row at a certification's own position (node databases built before the
  // history left certifications out) is that certification, already counted.
  status: `
    SELECT bucket, key, sum(n) AS n FROM (
      SELECT ${bucketOf('certified_at')} AS bucket, 'certified' AS key, count(*) AS n
        FROM certifications WHERE certified_at >= @sinceText GROUP BY 1
      UNION ALL
      SELECT ${bucketOf('h.at')} AS bucket,
             CASE WHEN h.status = 'active' THEN 'reinstated' ELSE h.status END AS key,
             count(*) AS n
        FROM certification_status_history h
        LEFT JOIN certifications c ON c.certification_id = h.certification_id AND c.position = h.position
       WHERE h.at >= @sinceText AND c.position IS NULL GROUP BY 1, 2
      UNION ALL
      SELECT ${bucketOf('certified_at')} AS bucket, 'certified' AS key, sum(count) AS n
        FROM certification_batches WHERE certified_at >= @sinceText GROUP BY 1
    ) GROUP BY bucket, key`,
};

/** Rows to one series per key over the buckets, the top keys by total first, the rest as "other". */
export function topSeries(rows: readonly Row[], buckets: readonly number[], top: number): CountSeries[] {
  const index = new Map(buckets.map((b, i) => [b, i]));
  const byKey = new Map<string, number[]>();
  for (const row of rows) {
    const i = index.get(row.bucket);
    if (i === undefined) continue;
    const counts = byKey.get(row.key) ?? buckets.map(() => 0);
    counts[i]! += row.n;
    byKey.set(row.key, counts);
  }
  const all = [...byKey].map(([key, counts]) => ({ key, counts, total: counts.reduce((a, b) => a + b, 0) }));
  all.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const kept = all.slice(0, top);
  const rest = all.slice(top);
  if (rest.length === 0) return kept;
  const other = buckets.map((_, i) => rest.reduce((sum, s) => sum + s.counts[i]!, 0));
  return [...kept, { key: OTHER_KEY, counts: other, total: other.reduce((a, b) => a + b, 0) }];
}

export class CertificationSeriesQuery {
  private statements: { byType: Statement; byIssuer: Statement; byStatus: Statement } | null = null;

  constructor(private readonly db: NodeDatabase) {}

  /** Prepared on first use (the read models' tables exist by then), then reused by every request. */
  private prepared() {
    this.statements ??= {
      byType: this.db.prepare(SQL.certified('record_type')),
      byIssuer: this.db.prepare(SQL.certified('issuer_id')),
      byStatus: this.db.prepare(SQL.status),
    };
    return this.statements;
  }

  series(query: SeriesQuery): CertificationSeries {
    const size = BUCKET_SECONDS[query.bucket];
    const last = Math.floor(query.nowSeconds / size) * size;
    const buckets = Array.from({ length: query.buckets }, (_, i) => last - (query.buckets - 1 - i) * size);
    // Times are stored as RFC 3339 UTC text ending in Z, so the window is a text range the time indexes
    // serve: '…:24.000Z' sorts after every instant of the second before and before none of its own.
    const params = { size, sinceText: new Date(buckets[0]! * 1000).toISOString() };
    const statements = this.prepared();
    const run = (statement: Statement) => statement.all(params) as Row[];
    return {
      bucket: query.bucket,
      bucketSeconds: size,
      buckets,
      byType: topSeries(run(statements.byType), buckets, query.top),
      byIssuer: topSeries(run(statements.byIssuer), buckets, query.top),
      byStatus: topSeries(run(statements.byStatus), buckets, query.top),
    };
  }
}
