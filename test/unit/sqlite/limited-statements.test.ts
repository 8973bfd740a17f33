import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGE, type RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { SqliteEventStore } from '../../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { FederationAlerts } from '../../../src/infrastructure/federation/federation-alerts.js';
import { openFederationDatabase } from '../../../src/infrastructure/federation/federation-database.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../../../src/infrastructure/sequencer/merkle-hash-store.js';
import { LimitedStatements } from '../../../src/infrastructure/sqlite/limited-statements.js';
import { StateMapStore } from '../../../src/infrastructure/state-map/state-map-store.js';

/**
 * The sqlite event store's reads write their LIMIT into the SQL. SQLite 3.53
 * (bundled by better-sqlite3) plans a bound `LIMIT ?` with the value bound at
 * prepare time and expires the statement whenever that parameter is bound
 * again, so each read page was parsed and planned anew (sqlite3Reprepare, seen
 * under #readPage in profiles; measured with gdb on sqlite3Reprepare over 50
 * certifications on a test node: 118 re-prepares of the store's reads before,
 * none after). better-sqlite3 does not expose sqlite3_stmt_status, so this
 * test watches what the store asks SQLite to prepare (better-sqlite3's own
 * prepare, wrapped): no bound LIMIT, and each read prepared once however often
 * it runs.
 */

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chancery-sqlite-limit-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every SQL text prepared on any better-sqlite3 connection while `run` runs. */
async function preparedDuring(run: () => Promise<void>): Promise<string[]> {
  const prepared: string[] = [];
  const original = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    prepared.push(source);
    return original.call(this, source);
  } as typeof original;
  try {
    await run();
  } finally {
    Database.prototype.prepare = original;
  }
  return prepared;
}

describe('SqliteEventStore reads', () => {
  it('prepare no bound LIMIT, and each read statement once however often it runs', async () => {
    const prepared = await preparedDuring(async () => {
      const store = new SqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
      try {
        for (let i = 0; i < 3; i++)
          await store.append(`s-${i}`, [{ type: 'Happened', data: { i } }], 'no_stream');
        for (let i = 0; i < 3; i++) {
          expect(await store.readAll()).toHaveLength(3);
          expect(await store.readAll({ after: BigInt(i), maxCount: 1 })).toHaveLength(1);
          expect(await store.readStream('s-1', { maxCount: 10 })).toHaveLength(1);
        }
        const delivered: RecordedEvent[] = [];
        const subscription = store.subscribe(async (e) => {
          delivered.push(e);
        });
        await store.append('s-3', [{ type: 'Happened', data: { i: 3 } }], 'no_stream');
        while (delivered.length < 4) await new Promise((r) => setTimeout(r, 5));
        await subscription.close();
      } finally {
        await store.close();
      }
    });
    const reads = prepared.filter((sql) => sql.startsWith('SELECT') && sql.includes('FROM events'));
    expect(reads.filter((sql) => /LIMIT\s+[?@:$]/.test(sql))).toEqual([]);
    expect(reads.length).toBe(new Set(reads).size);
    expect(reads.filter((sql) => sql.endsWith(`LIMIT ${MAX_PAGE}`)).length).toBeGreaterThan(0);
  });
});

describe('LimitedStatements', () => {
  it('prepares one statement per LIMIT, written as a literal, and refuses a LIMIT that is not a positive integer', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
      const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
      for (let n = 1; n <= 10; n++) insert.run(n);
      const statements = new LimitedStatements<[number], { n: number }>(
        db,
        (limit) => `SELECT n FROM t WHERE n > ? ORDER BY n LIMIT ${limit}`,
      );
      expect(
        statements
          .get(3)
          .all(4)
          .map((r) => r.n),
      ).toEqual([5, 6, 7]);
      expect(statements.get(3)).toBe(statements.get(3));
      expect(statements.get(2).source).toBe('SELECT n FROM t WHERE n > ? ORDER BY n LIMIT 2');
      for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => statements.get(bad)).toThrow(RangeError);
    } finally {
      db.close();
    }
  });
});

describe('the node database’s repeated reads', () => {
  it('the log’s leaves, the federation alerts and the state map’s prune prepare no bound LIMIT, and page as before', async () => {
    let leaves: number[][] = [];
    let alerts: number[] = [];
    const prepared = await preparedDuring(async () => {
      const db = openNodeDatabase(':memory:');
      const federationDb = openFederationDatabase(join(dir, 'federation.db'));
      try {
        const hashes = new MerkleHashStore(db);
        hashes.migrate();
        for (let i = 0; i < 10; i++) hashes.append(BigInt(i + 1), new TextEncoder().encode(`leaf ${i}`));
        leaves = [hashes.entries(2, 9, 3), hashes.entries(2, 4, 100), hashes.entries(8, 20, 100)].map(
          (page) => page.map((e) => e.leafIndex),
        );

        const found = new FederationAlerts(federationDb, () => 0);
        for (let i = 0; i < 5; i++) {
          found.record({
            source: 'witness',
            kind: 'split-view',
            origin: 'o',
            detail: `alert ${i}`,
            cosigned: null,
            submitted: null,
            proof: [],
          });
        }
        alerts = [found.list(2).length, found.list(100).length, found.list(Number.NaN).length];

        const map = new StateMapStore(db, { persistAfterChanges: 1, pruneBatch: 4 });
        map.migrate();
        for (let v = 0; v < 20; v++) {
          map.set(`certification/c${v % 3}`, { v }, v);
          map.retainVersion(v + 1);
          if (v > 2) map.releaseBefore(v - 1);
        }
      } finally {
        db.close();
        federationDb.close();
      }
    });
    expect(prepared.filter((sql) => /LIMIT\s+[?@:$]/.test(sql))).toEqual([]);
    expect(leaves).toEqual([
      [2, 3, 4],
      [2, 3],
      [8, 9],
    ]);
    expect(alerts).toEqual([2, 5, 5]);
  });
});
