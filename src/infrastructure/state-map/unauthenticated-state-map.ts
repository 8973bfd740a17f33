/**
 * The ordered state machine's records in a plain SQLite key-value table, with
 * no Merkle tree, no versions and no proofs. It exists for one purpose: the
 * `state` benchmark's baseline (bench/state.bench.ts), a node that judges
 * writes in log order exactly as a real one does but pays nothing for the
 * authenticated map, so that "certify/s with the map" is compared with
 * "certify/s without it" in the same run. A node never runs it otherwise:
 * its checkpoints would carry no map root.
 */

import type { Statement } from 'better-sqlite3';
import type { JsonObject } from '../../domain/shared/json.js';
import type { ProvenState } from '../../domain/state-map/index.js';
import type { NodeDatabase } from '../projections/node-database.js';

const NO_PROOFS = 'an unauthenticated state map (benchmark baseline) has no roots and no proofs';

// Shaped as StateMapPort (infrastructure/log-state), which it is used as; not imported, as log-state imports this folder.
export class UnauthenticatedStateMap {
  private current = 0;
  private readonly values = new Map<string, string>();
  private upsert!: Statement<[string, string, number]>;

  constructor(private readonly db: NodeDatabase) {}

  migrate(): void {
    // Same durability as the real map: each change is written in the projector's transaction.
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS bench_plain_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, set_at INTEGER NOT NULL)',
    );
    for (const row of this.db.prepare('SELECT key, value FROM bench_plain_state').iterate() as Iterable<{
      key: string;
      value: string;
    }>)
      this.values.set(row.key, row.value);
    this.upsert = this.db.prepare(
      'INSERT INTO bench_plain_state (key, value, set_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, set_at = excluded.set_at',
    );
  }

  reset(): void {
    this.db.exec('DROP TABLE IF EXISTS bench_plain_state');
    this.values.clear();
    this.current = 0;
    this.migrate();
  }

  get(key: string): JsonObject | null {
    const text = this.values.get(key);
    return text === undefined ? null : (JSON.parse(text) as JsonObject);
  }

  set(key: string, value: JsonObject, leafIndex: number): void {
    const text = JSON.stringify(value);
    this.values.set(key, text);
    this.upsert.run(key, text, leafIndex);
  }

  advanceTo(treeSize: number): void {
    this.current = Math.max(this.current, treeSize);
  }

  currentVersion(): number {
    return this.current;
  }

  oldestVersion(): number {
    return this.current;
  }

  rootAt(): Uint8Array {
    throw new Error(NO_PROOFS);
  }

  retainVersion(): void {}

  proveAt(): ProvenState {
    throw new Error(NO_PROOFS);
  }

  releaseBefore(): void {}
}
