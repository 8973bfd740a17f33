import type { Statement } from 'better-sqlite3';
import type { CatalogDescription } from '../../domain/directory/catalog-description.js';
import { type CatalogMetadata, withMetadataDefaults } from '../../domain/directory/catalog-metadata.js';
import type { DatasetMediaType } from '../../domain/directory/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import { FacetIndex } from './catalog-facet-index.js';
import type { Facet } from './catalog-facets.js';
import { CATALOG_TABLES, DROP_CATALOG_TABLES } from './catalog-schema.js';
import { CatalogWriter } from './catalog-writer.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey } from './position-key.js';
import type { Projection } from './projection.js';

// Search, the routes and the presenters name the facets through the read model.
export { FACETS, type Facet } from './catalog-facets.js';

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

/** The catalog's own description, as the authority last stated it. */
export interface CatalogDescriptionView {
  readonly revision: number;
  readonly description: CatalogDescription;
  readonly describedAt: string;
  readonly describedBy: string;
}

/** When the catalog first had an entry and when anything in it last changed (dct:issued, dct:modified). */
export interface CatalogDates {
  readonly issued: string | null;
  readonly modified: string | null;
}

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

/**
 * Catalog entries, their metadata history and dataset versions, with an FTS5
 * index (title, description, keywords, themes, publisher) and facet rows for
 * search. Only published entries are in the index and the facet counts;
 * withdrawn ones stay readable by id. Rebuildable from the event feed.
 * The tables are in catalog-schema.ts and catalog-writer.ts applies the
 * events to them; this class is the projection and what it answers.
 */
export class CatalogReadModel implements Projection {
  readonly name = 'catalog';
  private writer!: CatalogWriter;
  private s!: Record<'getEntry' | 'getVersion' | 'latestVersion' | 'versions' | 'historyOf', Statement>;

  /** directory_facets in memory for search (catalog-facet-index.ts); null until the first search loads it. */
  private facets: FacetIndex | null = null;

  constructor(private readonly db: NodeDatabase) {}

  migrate(db: NodeDatabase): void {
    db.exec(CATALOG_TABLES);
    this.writer = new CatalogWriter(db, () => this.facets);
    this.s = {
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
    db.exec(DROP_CATALOG_TABLES);
  }

  apply(event: RecordedEvent): void {
    this.writer.apply(event);
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
      metadata: withMetadataDefaults(JSON.parse(r.metadata) as CatalogMetadata),
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

  /** The themes of published entries, each once, in text order (the catalog's own theme scheme). */
  themes(): string[] {
    const rows = this.db
      .prepare("SELECT value FROM directory_facet_counts WHERE facet = 'theme' AND n > 0 ORDER BY value")
      .all() as { value: string }[];
    return rows.map((r) => r.value);
  }

  /** The catalog's description, or null until the authority gives one. */
  description(): CatalogDescriptionView | null {
    const row = this.db.prepare('SELECT * FROM directory_catalog WHERE id = 1').get() as
      | { revision: number; description: string; described_at: string; described_by: string }
      | undefined;
    if (row === undefined) return null;
    return {
      revision: row.revision,
      description: JSON.parse(row.description) as CatalogDescription,
      describedAt: row.described_at,
      describedBy: row.described_by,
    };
  }

  /**
   * dct:issued is the first publication of an entry; dct:modified the last
   * change to an entry or to the catalog's description. Compared as instants
   * (the *_ms columns): signed times may carry any RFC 3339 offset.
   */
  dates(): CatalogDates {
    const first = this.db
      .prepare('SELECT published_at AS at FROM directory_entries ORDER BY published_ms LIMIT 1')
      .get() as { at: string } | undefined;
    const last = this.db
      .prepare('SELECT modified_at AS at FROM directory_entries ORDER BY modified_ms DESC LIMIT 1')
      .get() as { at: string } | undefined;
    const described = this.description()?.describedAt;
    let modified = last?.at ?? null;
    if (described !== undefined && (modified === null || Date.parse(described) > Date.parse(modified)))
      modified = described;
    return { issued: first?.at ?? null, modified };
  }

  private toView(row: EntryRow): CatalogEntryView {
    const latest = this.s.latestVersion.get(row.entry_id) as VersionRow | undefined;
    return {
      entryId: row.entry_id,
      publisherId: row.publisher_id,
      status: row.status,
      metadataVersion: row.metadata_version,
      metadata: withMetadataDefaults(JSON.parse(row.metadata) as CatalogMetadata),
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
