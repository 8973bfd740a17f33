import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { startWalCheckpointer } from '../../../src/infrastructure/projections/wal-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'chancery-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Enough committed pages that the database file grows once they are checkpointed into it. */
function writeRows(db: ReturnType<typeof openNodeDatabase>, transactions: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  for (let t = 0; t < transactions; t++) {
    db.transaction(() => {
      for (let i = 0; i < 20; i++) insert.run(Buffer.alloc(2000, t));
    })();
  }
}

describe('the node database WAL checkpointer', () => {
  it('checkpoints from its worker while the node connection never does', async () => {
    const file = join(dir, 'worker.db');
    const db = openNodeDatabase(file);
    try {
      // SQLite's own checkpoint is only a backstop now: far above what this test writes.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
      expect(db.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
      const before = statSync(file).size;
      writeRows(db, 30);
      // Only a checkpoint moves committed pages from the WAL into the database file.
      await until(() => statSync(file).size > before + 1_000_000, 'the database file holds the rows');
      expect(db.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(600);
    } finally {
      db.close();
    }
  });

  it('keeps SQLite checkpointing itself when the worker is not wanted, and for in-memory databases', () => {
    const db = openNodeDatabase(join(dir, 'plain.db'), { walCheckpointer: false });
    const memory = openNodeDatabase(':memory:');
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(memory.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      db.close();
      memory.close();
    }
  });

  it('checkpoints again within milliseconds, not at its interval, while the WAL is past hurryAfterFrames', async () => {
    const file = join(dir, 'hurry.db');
    const db = openNodeDatabase(file, { walCheckpointer: false });
    // SQLite never checkpoints by itself here: only the worker moves pages into the database file.
    db.pragma('wal_autocheckpoint = 0');
    const checkpointer = startWalCheckpointer(file, { intervalMs: 2500, hurryAfterFrames: 10 });
    try {
      writeRows(db, 30);
      const first = statSync(file).size;
      await until(() => statSync(file).size > first, 'the first checkpoint, at the interval');
      // The WAL held ~300 frames then: the next checkpoints come every 10 ms. New rows are in the file
      // long before the interval's 2.5 s, whatever the machine's load.
      writeRows(db, 30);
      const second = statSync(file).size;
      const written = Date.now();
      await until(() => statSync(file).size > second, 'the rows written after it are checkpointed', 2000);
      expect(Date.now() - written).toBeLessThan(2000);
    } finally {
      checkpointer.stop();
      db.close();
    }
  });

  it('reports a worker that cannot work, so that the caller falls back', async () => {
    const failures: Error[] = [];
    startWalCheckpointer(join(dir, 'missing', 'nothing.db'), { onFailure: (error) => failures.push(error) });
    await until(() => failures.length > 0, 'the failure is reported');
    expect(failures).toHaveLength(1);
  });

  it('stops the worker on close: its connection closes too, the last one, which removes the WAL', async () => {
    const file = join(dir, 'closing.db');
    const db = openNodeDatabase(file);
    writeRows(db, 5);
    // The worker's connection is open once it has checkpointed something.
    await until(() => statSync(file).size > 100_000, 'the worker has checkpointed');
    db.close();
    await until(() => !existsSync(`${file}-wal`), 'the last connection is closed');
  });
});
