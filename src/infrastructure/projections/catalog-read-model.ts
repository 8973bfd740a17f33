import type { Statement } from 'better-sqlite3';
import type { CatalogMetadata } from '../../domain/directory/catalog-metadata.js';
import type { CatalogEntryEvent, DatasetMediaType } from '../../domain/directory/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import { FacetIndex } from './catalog-facet-index.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import type { Projection } from './projection.js';

export interface DatasetVersionView {
  readonly version: number;
  readonly digest: string;
  readonly mediaType: DatasetMediaType;
  readonly recordCount: number;
  readonly byteCount: number;
  readonly schemaDigest: string;
  readonly publishedAt: string;
  readonly publishedBy: string;
  readonly position: bigint;
}

export interface CatalogEntryView {
  readonly entryId: string;
  readonly publisherId: string;
  readonly status: 'published' | 'withdrawn';
  readonly metadataVersion: number;
  readonly metadata: CatalogMetadata;
  readonly schemaDigest: string;
  readonly publishedAt: string;
  readonly modifiedAt: string;
  readonly withdrawnAt: string | null;
  readonly withdrawalReason: string | null;
  readonly latestVersion: DatasetVersionView | null;
  /** Position of the entry's last metadata or status change. */
  readonly position: bigint;
}

export interface MetadataVersionView {
  readonly metadataVersion: number;
  readonly event: 'CatalogEntryPublished' | 'CatalogEntryUpdated';
  readonly metadata: CatalogMetadata;
  readonly schemaDigest: string;
  readonly at: string;
  readonly by: string;
  readonly position: bigint;
}

/** The facets search counts, and the field of the metadata each one reads. */
export const FACETS = ['publisher', 'theme', 'keyword', 'accessRights', 'license', 'format'] as const;
export type Facet = (typeof FACETS)[number];

interface EntryRow {
  seq: number;
  entry_id: string;
  publisher_id: string;
  status: 'published' | 'withdrawn';
  metadata_version: number;
  metadata: string;
  schema_digest: string;
  published_at: string;
  modified_at: string;
  withdrawn_at: string | null;
  withdrawal_reason: string | null;
  position: string;
}

interface HistoryRow {
  metadata_version: number;
  event: MetadataVersionView['event'];
  metadata: string;
  schema_digest: string;
  at: string;
  by: string;
  position: string;
}

interface VersionRow {
  entry_id: string;
  version: number;
  digest: string;
  media_type: DatasetMediaType;
  record_count: number;
  byte_count: number;
  schema_digest: string;
  published_at: string;
  published_by: string;
  position: string;
}

/** The facet values one entry contributes; formats and licences are upper-cased so CSV and csv count once. */
export function facetValues(publisherId: string, metadata: CatalogMetadata): [Facet, string][] {
  const pairs: [Facet, string][] = [
    ['publisher', publisherId],
    ['accessRights', metadata.accessRights],
    ['license', metadata.license],
  ];
  for (const theme of new Set(metadata.themes)) pairs.push(['theme', theme]);
  for (const keyword of new Set(metadata.keywords.map((k) => k.toLowerCase())))
    pairs.push(['keyword', keyword]);
  for (const format of new Set(metadata.distributions.map((d) => d.format.toUpperCase())))
    pairs.push(['format', format]);
  return pairs;
}

/**
 * Catalog entries, their metadata history and dataset versions, with an FTS5
 * index (title, description, keywords, themes, publisher) and facet rows for
 * search. Only published entries are in the index and the facet counts;
 * withdrawn ones stay readable by id. Rebuildable from the event feed.
 */
export class CatalogReadModel implements Projection {
  readonly name = 'catalog';
  private s!: Record<
    | 'insertEntry'
    | 'updateEntry'
    | 'withdrawEntry'
    | 'seqOf'
    | 'history'
    | 'insertVersion'
    | 'ftsInsert'
    | 'ftsDelete'
    | 'facetInsert'
    | 'facetsOf'
    | 'facetDelete'
    | 'countAdd'
    | 'countPrune'
    | 'getEntry'
    | 'getVersion'
    | 'latestVersion'
    | 'versions'
    | 'historyOf',
    Statement
  >;

  /** directory_facets in memory for search (catalog-facet-index.ts); null until the first search loads it. */
  private facets: FacetIndex | null = null;

  constructor(private readonly db: NodeDatabase) {}

  migrate(db: NodeDatabase): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS directory_entries (
        seq INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL UNIQUE,
        publisher_id TEXT NOT NULL,
        status TEXT NOT NULL,
        metadata_version INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        schema_digest TEXT NOT NULL,
        title_sort TEXT NOT NULL,
        published_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        modified_ms INTEGER NOT NULL,
        published_ms INTEGER NOT NULL,
        withdrawn_at TEXT,
        withdrawal_reason TEXT,
        position TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS directory_entries_by_title ON directory_entries(status, title_sort, seq);
      CREATE INDEX IF NOT EXISTS directory_entries_by_modified ON directory_entries(status, modified_ms, seq);
      CREATE INDEX IF NOT EXISTS directory_entries_by_published ON directory_entries(status, published_ms, seq);
      CREATE VIRTUAL TABLE IF NOT EXISTS directory_fts USING fts5(
        title, description, keywords, themes, publisher, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TABLE IF NOT EXISTS directory_facets (
        seq INTEGER NOT NULL,
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (seq, facet, value)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS directory_facets_by_value ON directory_facets(facet, value, seq);
      CREATE TABLE IF NOT EXISTS directory_facet_counts (
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (facet, value)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS directory_entry_history (
        entry_id TEXT NOT NULL,
        metadata_version INTEGER NOT NULL,
        event TEXT NOT NULL,
        metadata TEXT NOT NULL,
        schema_digest TEXT NOT NULL,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        position TEXT NOT NULL,
        PRIMARY KEY (entry_id, metadata_version)
      );
      CREATE TABLE IF NOT EXISTS directory_versions (
        entry_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        digest TEXT NOT NULL,
        media_type TEXT NOT NULL,
        record_count INTEGER NOT NULL,
        byte_count INTEGER NOT NULL,
        schema_digest TEXT NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        position TEXT NOT NULL,
        PRIMARY KEY (entry_id, version)
      );
    `);
    this.s = {
      insertEntry:
        db.prepare(`INSERT INTO directory_entries (entry_id, publisher_id, status, metadata_version,
        metadata, schema_digest, title_sort, published_at, modified_at, modified_ms, published_ms, position)
        VALUES (@entryId, @publisherId, 'published', 1, @metadata, @schemaDigest, @titleSort, @at, @at, @ms, @ms, @position)`),
      updateEntry:
        db.prepare(`UPDATE directory_entries SET metadata_version = @metadataVersion, metadata = @metadata,
        schema_digest = @schemaDigest, title_sort = @titleSort, modified_at = @at, modified_ms = @ms, position = @position
        WHERE entry_id = @entryId`),
      withdrawEntry: db.prepare(`UPDATE directory_entries SET status = 'withdrawn', withdrawn_at = @at,
        withdrawal_reason = @reason, modified_at = @at, modified_ms = @ms, position = @position WHERE entry_id = @entryId`),
      seqOf: db.prepare('SELECT seq, publisher_id, status FROM directory_entries WHERE entry_id = ?'),
      history: db.prepare('INSERT INTO directory_entry_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertVersion:
        db.prepare(`INSERT INTO directory_versions VALUES (@entryId, @version, @digest, @mediaType,
        @recordCount, @byteCount, @schemaDigest, @publishedAt, @publishedBy, @position)`),
      ftsInsert: db.prepare(
        'INSERT INTO directory_fts (rowid, title, description, keywords, themes, publisher) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      ftsDelete: db.prepare('DELETE FROM directory_fts WHERE rowid = ?'),
      facetInsert: db.prepare('INSERT OR IGNORE INTO directory_facets (seq, facet, value) VALUES (?, ?, ?)'),
      facetsOf: db.prepare('SELECT facet, value FROM directory_facets WHERE seq = ?'),
      facetDelete: db.prepare('DELETE FROM directory_facets WHERE seq = ?'),
      countAdd: db.prepare(`INSERT INTO directory_facet_counts (facet, value, n) VALUES (?, ?, ?)
        ON CONFLICT(facet, value) DO UPDATE SET n = n + excluded.n`),
      countPrune: db.prepare('DELETE FROM directory_facet_counts WHERE facet = ? AND value = ? AND n <= 0'),
      getEntry: db.prepare('SELECT * FROM directory_entries WHERE entry_id = ?'),
      getVersion: db.prepare('SELECT * FROM directory_versions WHERE entry_id = ? AND version = ?'),
      latestVersion: db.prepare(
        'SELECT * FROM directory_versions WHERE entry_id = ? ORDER BY version DESC LIMIT 1',
      ),
      versions: db.prepare('SELECT * FROM directory_versions WHERE entry_id = ? ORDER BY version'),
      historyOf: db.prepare(
        'SELECT * FROM directory_entry_history WHERE entry_id = ? ORDER BY metadata_version',
      ),
    };
  }

  reset(db: NodeDatabase): void {
    this.facets = null;
    db.exec(`DROP TABLE IF EXISTS directory_versions; DROP TABLE IF EXISTS directory_entry_history;
      DROP TABLE IF EXISTS directory_facet_counts; DROP TABLE IF EXISTS directory_facets;
      DROP TABLE IF EXISTS directory_fts; DROP TABLE IF EXISTS directory_entries;`);
  }

  apply(event: RecordedEvent): void {
    const e = { type: event.type, data: event.data } as CatalogEntryEvent;
    const position = positionKey(event.position);
    switch (e.type) {
      case 'CatalogEntryPublished': {
        const d = e.data;
        const info = this.s.insertEntry.run({
          entryId: d.entryId,
          publisherId: d.publisherId,
          metadata: JSON.stringify(d.metadata),
          schemaDigest: d.schemaDigest,
          titleSort: d.metadata.title.toLowerCase(),
          at: d.publishedAt,
          ms: Date.parse(d.publishedAt),
          position,
        });
        this.s.history.run(
          d.entryId,
          1,
          e.type,
          JSON.stringify(d.metadata),
          d.schemaDigest,
          d.publishedAt,
          d.publisherId,
          position,
        );
        this.index(Number(info.lastInsertRowid), d.publisherId, d.metadata);
        return;
      }
      case 'CatalogEntryUpdated': {
        const d = e.data;
        const row = this.s.seqOf.get(d.entryId) as
          | { seq: number; publisher_id: string; status: 'published' | 'withdrawn' }
          | undefined;
        if (row === undefined) return;
        this.s.updateEntry.run({
          entryId: d.entryId,
          metadataVersion: d.metadataVersion,
          metadata: JSON.stringify(d.metadata),
          schemaDigest: d.schemaDigest,
          titleSort: d.metadata.title.toLowerCase(),
          at: d.updatedAt,
          ms: Date.parse(d.updatedAt),
          position,
        });
        this.s.history.run(
          d.entryId,
          d.metadataVersion,
          e.type,
          JSON.stringify(d.metadata),
          d.schemaDigest,
          d.updatedAt,
          d.updatedBy,
          position,
        );
        // Only published entries are searchable (the decider refuses updates to withdrawn ones anyway).
        if (row.status === 'published') {
          this.unindex(row.seq);
          this.index(row.seq, row.publisher_id, d.metadata);
        }
        return;
      }
      case 'CatalogEntryWithdrawn': {
        const d = e.data;
        const row = this.s.seqOf.get(d.entryId) as { seq: number } | undefined;
        if (row === undefined) return;
        this.s.withdrawEntry.run({
          entryId: d.entryId,
          at: d.withdrawnAt,
          ms: Date.parse(d.withdrawnAt),
          reason: d.reason,
          position,
        });
        this.unindex(row.seq);
        return;
      }
      case 'DatasetVersionPublished':
        this.s.insertVersion.run({ ...e.data, position });
        return;
    }
  }

  private index(seq: number, publisherId: string, metadata: CatalogMetadata): void {
    this.s.ftsInsert.run(
      seq,
      metadata.title,
      metadata.description,
      metadata.keywords.join(' '),
      metadata.themes.join(' '),
      publisherId,
    );
    const pairs = facetValues(publisherId, metadata);
    for (const [facet, value] of pairs) {
      if (this.s.facetInsert.run(seq, facet, value).changes > 0) this.s.countAdd.run(facet, value, 1);
    }
    this.facets?.set(seq, pairs);
  }

  private unindex(seq: number): void {
    this.facets?.delete(seq);
    this.s.ftsDelete.run(seq);
    for (const { facet, value } of this.s.facetsOf.all(seq) as { facet: string; value: string }[]) {
      this.s.countAdd.run(facet, value, -1);
      this.s.countPrune.run(facet, value);
    }
    this.s.facetDelete.run(seq);
  }

  /** The facet values of every published entry, in memory; loaded from directory_facets on first use. */
  facetIndex(): FacetIndex {
    if (this.facets !== null) return this.facets;
    const index = new FacetIndex();
    // One row per entry (a JSON array of "facet:value") reads several times faster than one per value.
    const rows = this.db
      .prepare("SELECT seq, json_group_array(facet || ':' || value) FROM directory_facets GROUP BY seq")
      .raw()
      .iterate() as IterableIterator<[number, string]>;
    for (const [seq, json] of rows) {
      const pairs = (JSON.parse(json) as string[]).map((pair) => {
        const colon = pair.indexOf(':');
        return [pair.slice(0, colon) as Facet, pair.slice(colon + 1)] as const;
      });
      index.set(seq, pairs);
    }
    this.facets = index;
    return index;
  }

  get(entryId: string): CatalogEntryView | undefined {
    const row = this.s.getEntry.get(entryId) as EntryRow | undefined;
    return row === undefined ? undefined : this.toView(row);
  }

  /** Rows by seq, in the order given (search results). */
  bySeq(seqs: readonly number[]): CatalogEntryView[] {
    if (seqs.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM directory_entries WHERE seq IN (${seqs.map(() => '?').join(',')})`)
      .all(...seqs) as EntryRow[];
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return seqs.map((s) => bySeq.get(s)).flatMap((r) => (r === undefined ? [] : [this.toView(r)]));
  }

  history(entryId: string): MetadataVersionView[] {
    return (this.s.historyOf.all(entryId) as HistoryRow[]).map((r) => ({
      metadataVersion: r.metadata_version,
      event: r.event,
      metadata: JSON.parse(r.metadata) as CatalogMetadata,
      schemaDigest: r.schema_digest,
      at: r.at,
      by: r.by,
      position: positionFromKey(r.position),
    }));
  }

  versions(entryId: string): DatasetVersionView[] {
    return (this.s.versions.all(entryId) as VersionRow[]).map(toVersion);
  }

  version(entryId: string, version: number): DatasetVersionView | undefined {
    const row = this.s.getVersion.get(entryId, version) as VersionRow | undefined;
    return row === undefined ? undefined : toVersion(row);
  }

  /** Published entries in publication order (the DCAT catalog pages). */
  list(offset: number, limit: number): CatalogEntryView[] {
    const rows = this.db
      .prepare("SELECT * FROM directory_entries WHERE status = 'published' ORDER BY seq LIMIT ? OFFSET ?")
      .all(limit, offset) as EntryRow[];
    return rows.map((r) => this.toView(r));
  }

  count(): number {
    return (
      this.db.prepare("SELECT count(*) AS n FROM directory_entries WHERE status = 'published'").get() as {
        n: number;
      }
    ).n;
  }

  private toView(row: EntryRow): CatalogEntryView {
    const latest = this.s.latestVersion.get(row.entry_id) as VersionRow | undefined;
    return {
      entryId: row.entry_id,
      publisherId: row.publisher_id,
      status: row.status,
      metadataVersion: row.metadata_version,
      metadata: JSON.parse(row.metadata) as CatalogMetadata,
      schemaDigest: row.schema_digest,
      publishedAt: row.published_at,
      modifiedAt: row.modified_at,
      withdrawnAt: row.withdrawn_at,
      withdrawalReason: row.withdrawal_reason,
      latestVersion: latest === undefined ? null : toVersion(latest),
      position: positionFromKey(row.position),
    };
  }
}

function toVersion(row: VersionRow): DatasetVersionView {
  return {
    version: row.version,
    digest: row.digest,
    mediaType: row.media_type,
    recordCount: row.record_count,
    byteCount: row.byte_count,
    schemaDigest: row.schema_digest,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    position: positionFromKey(row.position),
  };
}
