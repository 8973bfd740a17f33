/**
 * The projector when the store drops its feed: it keeps what it applied,
 * resubscribes after its own stored position, and delivers everything written
 * meanwhile exactly once, in order. A read model that throws is not a lost
 * connection and is never retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RecordedEvent, StoreUnavailableError } from '../../../src/infrastructure/eventstore/port.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import type { Projection } from '../../../src/infrastructure/projections/projection.js';
import { FeedLagError, Projector } from '../../../src/infrastructure/projections/projector.js';
import { openEventStore } from '../../../src/node/open-event-store.js';
import { SeverableStore } from '../../support/severable-store.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A read model that remembers what it saw, in a table, so a reopened database shows it too. */
class SeenEvents implements Projection {
  readonly name = 'seen';
  failOn: number | null = null;
  migrate(db: NodeDatabase): void {
    db.exec('CREATE TABLE IF NOT EXISTS seen (position TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    this.db = db;
  }
  private db!: NodeDatabase;
  apply(event: RecordedEvent): void {
    const n = (event.data as { n: number }).n;
    if (n === this.failOn) throw new Error(`read model failed on ${n}`);
    // PRIMARY KEY: applying an event twice would throw here rather than pass unnoticed.
    this.db.prepare('INSERT INTO seen (position, n) VALUES (?, ?)').run(event.position.toString(), n);
  }
  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS seen');
  }
  numbers(): number[] {
    return (
      this.db.prepare('SELECT n FROM seen ORDER BY CAST(position AS INTEGER)').all() as { n: number }[]
    ).map((r) => r.n);
  }
}

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-projector-'));
  const inner = await openEventStore({ kind: 'sqlite', path: join(dir, 'events.db'), pollIntervalMs: 10 });
  const store = new SeverableStore(inner);
  const db = openNodeDatabase(join(dir, 'node.db'));
  const seen = new SeenEvents();
  const projector = new Projector(store, db, [seen]);
  const changes: (string | null)[] = [];
  projector.onConnectionChange((lost) => changes.push(lost === null ? null : lost.message));
  cleanups.push(async () => {
    await projector.stop();
    await inner.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  const write = async (count: number) => {
    let last = 0n;
    for (let i = 0; i < count; i++) {
      last = (await inner.append(`s-${n % 3}`, [{ type: 'Numbered', data: { n } }], 'any')).position;
      n++;
    }
    return last;
  };
  return { store, projector, seen, changes, write, written: () => n };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await sleep(10);
  }
}

describe('Projector when the store drops the feed', () => {
  it('resubscribes after its position and applies what was written meanwhile exactly once', async () => {
    const { store, projector, seen, changes, write, written } = await setUp();
    projector.start();
    await projector.waitFor(await write(20));

    store.sever('leader lost');
    await until(
      () => projector.disconnected !== null,
      () => 'not disconnected',
    );
    expect(projector.disconnected).toBeInstanceOf(StoreUnavailableError);
    expect(projector.error).toBeNull();
    // Other nodes keep writing while this one is cut off; it retries meanwhile.
    const last = await write(30);
    await sleep(500);
    expect(store.subscriptions).toBeGreaterThanOrEqual(2);
    expect(seen.numbers()).toEqual([...Array(20).keys()]);

    store.restore();
    await projector.waitFor(last);
    await write(5).then((p) => projector.waitFor(p));
    expect(seen.numbers()).toEqual([...Array(written()).keys()]);
    expect(projector.disconnected).toBeNull();
    expect(changes).toEqual(['leader lost', null]);
  });

  it('reports connected again on a quiet log once the store answers', async () => {
    const { store, projector, changes, write } = await setUp();
    projector.start();
    await projector.waitFor(await write(3));
    store.sever();
    await until(
      () => projector.disconnected !== null,
      () => 'not disconnected',
    );
    store.restore();
    await until(
      () => projector.disconnected === null,
      () => 'still disconnected',
    );
    expect(changes).toEqual(['connection to the event store lost', null]);
  });

  it('answers waitFor with FeedLagError, a StoreUnavailableError, while cut off', async () => {
    const { store, projector, write } = await setUp();
    projector.start();
    await projector.waitFor(await write(2));
    store.sever();
    const position = await write(1);
    const error = await projector.waitFor(position, 150).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedLagError);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe(
      `the read models did not reach position ${position} within 150 ms; retry the same command`,
    );
  });

  it('stops for good, without resubscribing, when a read model throws', async () => {
    const { store, projector, seen, write } = await setUp();
    seen.failOn = 4;
    projector.start();
    const last = await write(8);
    await expect(projector.waitFor(last)).rejects.toThrow('read model failed on 4');
    await sleep(400);
    expect(store.subscriptions).toBe(1);
    expect(projector.error?.message).toBe('read model failed on 4');
    expect(projector.disconnected).toBeNull();
  });
});
