/**
 * The node's federation file, DATA/federation.db: what this node cosigned as
 * a witness, the evidence behind every alert, and the log-signed trust policy
 * versions (a primary's sequence must never go back; a mirror must not forget
 * which version it follows, or a replayed older one would pass after a restart). Unlike node.db this is not
 * derived state: a witness that forgets what it cosigned could be led to
 * cosign a fork, and evidence is the one record of a log's misbehaviour. So
 * it is a small database of its own with synchronous=FULL (every commit is
 * fsynced before the witness answers), never rebuilt and never dropped by
 * `chancery rebuild`.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type FederationDatabase = Database.Database;

export function openFederationDatabase(file: string): FederationDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  // A cosignature must never be answered before the state it rests on is on disk.
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS witness_checkpoints (
      origin TEXT PRIMARY KEY,
      tree_size INTEGER NOT NULL,
      root_hash BLOB NOT NULL,
      note TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS federation_alerts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      source TEXT NOT NULL,
      kind TEXT NOT NULL,
      origin TEXT NOT NULL,
      detail TEXT NOT NULL,
      cosigned TEXT,
      submitted TEXT,
      proof TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS policy_notes (
      sequence INTEGER PRIMARY KEY,
      policy TEXT NOT NULL,
      note TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    );
  `);
  return db;
}
