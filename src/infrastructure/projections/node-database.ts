import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type NodeDatabase = Database.Database;

/** SQLite's own threshold (pages in the WAL) for the automatic checkpoint. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * With the checkpointer running, SQLite's own checkpoint is only a backstop
 * that bounds the WAL should the checkpointer fall behind (~80 MB at 4 KiB pages).
 */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 20_000;
/** The WAL file is cut back to this size when the writer starts it over. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * Page cache, in KiB (SQLite's negative form): the most it may grow to, not an allocation. SQLite's
 * own default: read pages a busy node keeps cached count in its RSS (a 64 MiB cache grew a 10M-entry
 * node serving tiles from 188 to 243 MiB, past its 250 MB bound). A large batch raises it for its own
 * transaction (LARGE_WRITE_CACHE_KIB, batch-records.ts) and gives it back after.
 */
export const PAGE_CACHE_KIB = 2000;
/**
 * The cache while a large batch is projected. Its record index (batch_record_keys, batch-record-key.ts)
 * outgrows 2 MiB: when it held the ids themselves at random keys, 300,000 inserts in one transaction took
 * 5.4 s with 2 MiB and 1.4 s with 64 MiB, the rest being dirty pages spilled to the WAL mid-transaction
 * and read back (issue 14).
 */
export const LARGE_WRITE_CACHE_KIB = 64 * 1024;

export interface NodeDatabaseOptions {
  /** Checkpoint the WAL from a worker thread (default: true for a file, never for ':memory:'). */
  readonly walCheckpointer?: boolean;
}

/**
 * The node's own SQLite file for derived state: read models, the Merkle hash
 * store, indexes. Everything here can be rebuilt from the event store, so it
 * uses synchronous=NORMAL: WAL keeps it consistent across a crash, and a lost
 * tail is replayed from the store's feed on restart. Its WAL is checkpointed
 * off the event loop (wal-checkpointer.ts); closing the database stops that.
 */
export function openNodeDatabase(file: string, options: NodeDatabaseOptions = {}): NodeDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS projection_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )`);
  if (file !== ':memory:' && options.walCheckpointer !== false) checkpointOffThread(db, file);
  return db;
}

function checkpointOffThread(db: NodeDatabase, file: string): void {
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startWalCheckpointer(file, {
    // A quarter of the way to the backstop: what the backstop then copies on the event loop stays small.
    hurryAfterFrames: BACKSTOP_AUTOCHECKPOINT_PAGES / 4,
    // Without the worker, SQLite's own checkpoints keep the WAL small, as before.
    onFailure: () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    },
  });
  const close = db.close.bind(db);
  db.close = () => {
    checkpointer.stop();
    return close();
  };
}
