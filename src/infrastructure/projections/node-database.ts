import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type NodeDatabase = Database.Database;

/**
 * The node's own SQLite file for derived state: read models, the Merkle hash
 * store, indexes. Everything here can be rebuilt from the event store, so it
 * uses synchronous=NORMAL: WAL keeps it consistent across a crash, and a lost
 * tail is replayed from the store's feed on restart.
 */
export function openNodeDatabase(file: string): NodeDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS projection_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )`);
  return db;
}
