/**
 * The state map's tables in the node's SQLite file (docs/state-map.md §6).
 *
 *   state_changes   every set, in log order: the durable record of changes not
 *                   yet in pages, and the replay source for versions between
 *                   persisted ones. Appended at the right edge of its key.
 *   state_values_at (version of the change, key hash) → RFC 8785 value, one row
 *                   per persisted change. A leaf names the version of its
 *                   value (LEAF_AT, state-page.ts), so a value is read from
 *                   the tree's leaf and its row; rows are appended in version
 *                   order, where rows keyed by key hash went to a random
 *                   B-tree page each (about one 4 KiB WAL frame per new key).
 *   state_values    (key hash, version of the change) → value: the rows of
 *                   files written before state_values_at, read for leaves
 *                   without a version (LEAF); new rows no longer go there, old
 *                   ones are pruned as their keys change.
 *   state_pages     immutable tree pages by row id (state-page.ts).
 *   state_versions  persisted versions: root hash and root page.
 *   state_stale     per persisted version, what it made unnecessary for every
 *                   later version: page ids and (key hash, version) "older rows
 *                   of this key"; pruned once no answerable version needs them.
 *   state_dead      ids of pages no answerable version uses, not yet deleted:
 *                   state_pages rows die at random (a page lives until a
 *                   change under it), so deleting each as it dies dirtied a
 *                   random 4 KiB B-tree page, one WAL frame, per dead page.
 *                   They are deleted a segment of ids at a time, densest
 *                   segment first, whenever dead rows outnumber a share of
 *                   the live ones (state-map-store.ts): several rows per
 *                   B-tree page.
 *   state_meta      the current version, the release floor, the rows of state_pages.
 */

import type { Statement } from 'better-sqlite3';
import type { NodeDatabase } from '../projections/node-database.js';
import { LimitedStatements } from '../sqlite/limited-statements.js';

const TABLES = [
  'state_changes',
  'state_values',
  'state_values_at',
  'state_pages',
  'state_versions',
  'state_stale',
  'state_dead',
  'state_meta',
];

/**
 * Pages per multi-row INSERT: a version writes a few thousand pages, and one
 * statement per page paid the per-call overhead (bind, step, reset) for each.
 * 2 × 64 parameters stays far below SQLite's limit.
 */
export const PAGE_INSERT_ROWS = 64;

export function createStateTables(db: NodeDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS state_changes (
      version INTEGER NOT NULL,
      ord INTEGER NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (version, ord)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS state_values (
      key_hash BLOB NOT NULL,
      version INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (key_hash, version)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS state_values_at (
      version INTEGER NOT NULL,
      key_hash BLOB NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (version, key_hash)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS state_pages (
      id INTEGER PRIMARY KEY,
      body BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS state_versions (
      version INTEGER PRIMARY KEY,
      root BLOB NOT NULL,
      root_page INTEGER
    );
    CREATE TABLE IF NOT EXISTS state_stale (
      since INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      pages BLOB NOT NULL,
      keys BLOB NOT NULL,
      PRIMARY KEY (since, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS state_dead (
      id INTEGER PRIMARY KEY
    );
    CREATE TABLE IF NOT EXISTS state_meta (
      name TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    );
  `);
}

export function dropStateTables(db: NodeDatabase): void {
  db.exec(TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n'));
}

export interface VersionRow {
  version: number;
  root: Buffer;
  root_page: number | null;
}

export interface ChangeRow {
  version: number;
  key: string;
  value: string;
}

export interface StaleRow {
  since: number;
  seq: number;
  pages: Buffer;
  keys: Buffer;
}

export interface StateStatements {
  readonly insertChange: Statement<[number, number, string, string]>;
  readonly changesBetween: Statement<[number, number], ChangeRow>;
  readonly lastChangeVersion: Statement<[], number | null>;
  /** The value a key was set to at a version (its last set there). */
  readonly changeValue: Statement<[number, string], string>;
  readonly deleteChangesUpTo: Statement<[{ limit: number; chunk: number }]>;
  readonly insertValue: Statement<[number, Buffer, string]>;
  /** The value row a LEAF_AT names: (version, key hash). */
  readonly valueRow: Statement<[number, Uint8Array], string>;
  readonly deleteValueRow: Statement<[number, Uint8Array]>;
  /** state_values, for LEAF entries: the newest row of a key at or before a version. */
  readonly legacyValueAt: Statement<[Uint8Array, number], string>;
  readonly deleteLegacyValuesBefore: Statement<[Uint8Array, number]>;
  readonly insertPage: Statement<[number, Buffer]>;
  /** PAGE_INSERT_ROWS pages in one statement: (id, body) pairs, flattened. */
  readonly insertPages: Statement<(number | Buffer)[]>;
  readonly page: Statement<[number], Buffer>;
  /** The largest page id in [from, to), or from − 1 (parameters: from, from, to). */
  readonly maxPageId: Statement<[number, number, number], number>;
  readonly insertVersion: Statement<[number, Buffer, number | null]>;
  readonly versionAtOrBefore: Statement<[number], VersionRow>;
  readonly versionAfter: Statement<[number], VersionRow>;
  readonly newestVersion: Statement<[], VersionRow>;
  readonly deleteVersionsBefore: Statement<[number]>;
  readonly insertStale: Statement<[number, number, Buffer, Buffer]>;
  readonly nextStaleSeq: Statement<[number], number>;
  /** By LIMIT (the prune batch), written into the SQL: a bound LIMIT is prepared again at every run. */
  readonly staleUpTo: LimitedStatements<[number], StaleRow>;
  readonly deleteStale: Statement<[number, number]>;
  /** Adds the page ids a JSON array lists to state_dead. */
  readonly insertDead: Statement<[string]>;
  /** Dead ids per segment of `size` ids: (segment number, count). */
  readonly deadBySegment: Statement<[number], { segment: number; dead: number }>;
  /** Deletes the dead pages with ids in [from, to), then their state_dead rows. */
  readonly deleteDeadPages: Statement<[number, number]>;
  readonly deleteDead: Statement<[number, number]>;
  readonly countPages: Statement<[], number>;
  readonly readMeta: Statement<[string], number>;
  readonly writeMeta: Statement<[string, number]>;
}

export function prepareStateStatements(db: NodeDatabase): StateStatements {
  const p = <A extends unknown[], R = unknown>(sql: string) => db.prepare<A, R>(sql);
  return {
    insertChange: p('INSERT INTO state_changes (version, ord, key, value) VALUES (?, ?, ?, ?)'),
    changesBetween: p(
      'SELECT version, key, value FROM state_changes WHERE version > ? AND version <= ? ORDER BY version, ord',
    ),
    lastChangeVersion: p<[], number | null>('SELECT MAX(version) FROM state_changes').pluck(),
    // A version's few rows are adjacent under the primary key: no index on the key is needed.
    changeValue: p<[number, string], string>(
      'SELECT value FROM state_changes WHERE version = ? AND key = ? ORDER BY ord DESC LIMIT 1',
    ).pluck(),
    // The changes of at most `chunk` versions per run (a leaf sets a few keys at most), only those up to
    // `limit`. Bounded by the oldest version through the primary key: an OFFSET would step over every row.
    deleteChangesUpTo: p(
      `DELETE FROM state_changes WHERE version <= MIN(@limit, (SELECT MIN(version) FROM state_changes) + @chunk)`,
    ),
    insertValue: p('INSERT OR IGNORE INTO state_values_at (version, key_hash, value) VALUES (?, ?, ?)'),
    valueRow: p<[number, Uint8Array], string>(
      'SELECT value FROM state_values_at WHERE version = ? AND key_hash = ?',
    ).pluck(),
    deleteValueRow: p('DELETE FROM state_values_at WHERE version = ? AND key_hash = ?'),
    legacyValueAt: p<[Uint8Array, number], string>(
      'SELECT value FROM state_values WHERE key_hash = ? AND version <= ? ORDER BY version DESC LIMIT 1',
    ).pluck(),
    deleteLegacyValuesBefore: p('DELETE FROM state_values WHERE key_hash = ? AND version < ?'),
    insertPage: p('INSERT INTO state_pages (id, body) VALUES (?, ?)'),
    insertPages: p(
      `INSERT INTO state_pages (id, body) VALUES ${Array.from({ length: PAGE_INSERT_ROWS }, () => '(?, ?)').join(', ')}`,
    ),
    page: p<[number], Buffer>('SELECT body FROM state_pages WHERE id = ?').pluck(),
    maxPageId: p<[number, number], number>(
      'SELECT COALESCE(MAX(id), ? - 1) FROM state_pages WHERE id >= ? AND id < ?',
    ).pluck(),
    insertVersion: p('INSERT INTO state_versions (version, root, root_page) VALUES (?, ?, ?)'),
    versionAtOrBefore: p('SELECT * FROM state_versions WHERE version <= ? ORDER BY version DESC LIMIT 1'),
    versionAfter: p('SELECT * FROM state_versions WHERE version > ? ORDER BY version LIMIT 1'),
    newestVersion: p('SELECT * FROM state_versions ORDER BY version DESC LIMIT 1'),
    deleteVersionsBefore: p('DELETE FROM state_versions WHERE version < ?'),
    insertStale: p('INSERT INTO state_stale (since, seq, pages, keys) VALUES (?, ?, ?, ?)'),
    nextStaleSeq: p<[number], number>(
      'SELECT COALESCE(MAX(seq) + 1, 0) FROM state_stale WHERE since = ?',
    ).pluck(),
    staleUpTo: new LimitedStatements(
      db,
      (limit) => `SELECT * FROM state_stale WHERE since <= ? ORDER BY since, seq LIMIT ${limit}`,
    ),
    deleteStale: p('DELETE FROM state_stale WHERE since = ? AND seq = ?'),
    insertDead: p('INSERT OR IGNORE INTO state_dead (id) SELECT value FROM json_each(?)'),
    deadBySegment: p('SELECT id / ? AS segment, count(*) AS dead FROM state_dead GROUP BY segment'),
    deleteDeadPages: p(
      'DELETE FROM state_pages WHERE id IN (SELECT id FROM state_dead WHERE id >= ? AND id < ?)',
    ),
    deleteDead: p('DELETE FROM state_dead WHERE id >= ? AND id < ?'),
    countPages: p<[], number>('SELECT count(*) FROM state_pages').pluck(),
    readMeta: p<[string], number>('SELECT value FROM state_meta WHERE name = ?').pluck(),
    writeMeta: p(
      'INSERT INTO state_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
    ),
  } as StateStatements;
}
