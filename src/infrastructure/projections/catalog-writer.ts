import type { Statement } from 'better-sqlite3';
import type { CatalogMetadata } from '../../domain/directory/catalog-metadata.js';
import type {
  CatalogDescribed,
  CatalogEntryEvent,
  CatalogEntryPublished,
  CatalogEntryUpdated,
  CatalogEntryWithdrawn,
} from '../../domain/directory/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { FacetIndex } from './catalog-facet-index.js';
import { facetValues } from './catalog-facets.js';
import type { NodeDatabase } from './node-database.js';
import { positionKey } from './position-key.js';

type Statements = Record<
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
  | 'describe',
  Statement
>;

function prepare(db: NodeDatabase): Statements {
  return {
    insertEntry: db.prepare(`INSERT INTO directory_entries (entry_id, publisher_id, status, metadata_version,
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
    insertVersion: db.prepare(`INSERT INTO directory_versions VALUES (@entryId, @version, @digest, @mediaType,
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
    describe: db.prepare(`INSERT OR REPLACE INTO directory_catalog
      (id, revision, description, described_at, described_by, position)
      VALUES (1, @revision, @description, @describedAt, @describedBy, @position)`),
  };
}

interface EntrySeq {
  seq: number;
  publisher_id: string;
  status: 'published' | 'withdrawn';
}

/**
 * Applies catalog events to the catalog's tables (catalog-schema.ts): the
 * entry rows and their history, dataset versions, and for published entries
 * the FTS5 index, the facet rows and counts, and the in-memory facet index
 * once search has loaded it.
 */
export class CatalogWriter {
  private readonly s: Statements;

  constructor(
    db: NodeDatabase,
    /** The in-memory facet index to keep in step, or null while nothing has loaded it. */
    private readonly loadedFacets: () => FacetIndex | null,
  ) {
    this.s = prepare(db);
  }

  apply(event: RecordedEvent): void {
    const e = { type: event.type, data: event.data } as CatalogEntryEvent | CatalogDescribed;
    const position = positionKey(event.position);
    switch (e.type) {
      case 'CatalogEntryPublished':
        this.published(e.data, position);
        return;
      case 'CatalogEntryUpdated':
        this.updated(e.data, position);
        return;
      case 'CatalogEntryWithdrawn':
        this.withdrawn(e.data, position);
        return;
      case 'DatasetVersionPublished':
        this.s.insertVersion.run({ ...e.data, position });
        return;
      case 'CatalogDescribed':
        this.s.describe.run({ ...e.data, description: JSON.stringify(e.data.description), position });
        return;
    }
  }

  private published(d: CatalogEntryPublished['data'], position: string): void {
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
      'CatalogEntryPublished',
      JSON.stringify(d.metadata),
      d.schemaDigest,
      d.publishedAt,
      d.publisherId,
      position,
    );
    this.index(Number(info.lastInsertRowid), d.publisherId, d.metadata);
  }

  private updated(d: CatalogEntryUpdated['data'], position: string): void {
    const row = this.s.seqOf.get(d.entryId) as EntrySeq | undefined;
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
      'CatalogEntryUpdated',
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
  }

  private withdrawn(d: CatalogEntryWithdrawn['data'], position: string): void {
    const row = this.s.seqOf.get(d.entryId) as EntrySeq | undefined;
    if (row === undefined) return;
    this.s.withdrawEntry.run({
      entryId: d.entryId,
      at: d.withdrawnAt,
      ms: Date.parse(d.withdrawnAt),
      reason: d.reason,
      position,
    });
    this.unindex(row.seq);
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
    this.loadedFacets()?.set(seq, pairs);
  }

  private unindex(seq: number): void {
    this.loadedFacets()?.delete(seq);
    this.s.ftsDelete.run(seq);
    for (const { facet, value } of this.s.facetsOf.all(seq) as { facet: string; value: string }[]) {
      this.s.countAdd.run(facet, value, -1);
      this.s.countPrune.run(facet, value);
    }
    this.s.facetDelete.run(seq);
  }
}
