/**
 * The catalog's tables in node.db: one row per entry (with the keys search
 * sorts by), each entry's metadata history and dataset versions, and for
 * search the FTS5 index, one row per facet value of an entry and the count of
 * entries per facet value. Only published entries are in the last three.
 * directory_catalog holds the catalog's own description (one row).
 */
export const CATALOG_TABLES = `
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
  CREATE TABLE IF NOT EXISTS directory_catalog (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL,
    description TEXT NOT NULL,
    described_at TEXT NOT NULL,
    described_by TEXT NOT NULL,
    position TEXT NOT NULL
  );
`;

export const DROP_CATALOG_TABLES = `DROP TABLE IF EXISTS directory_catalog; DROP TABLE IF EXISTS directory_versions; DROP TABLE IF EXISTS directory_entry_history;
  DROP TABLE IF EXISTS directory_facet_counts; DROP TABLE IF EXISTS directory_facets;
  DROP TABLE IF EXISTS directory_fts; DROP TABLE IF EXISTS directory_entries;`;
