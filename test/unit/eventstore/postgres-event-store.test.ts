/**
 * What is specific to the PostgreSQL adapter, against the machine's real
 * server (the port's behaviour is the contract suite's): versioned
 * migrations, the gap-free global order under concurrent transactions from
 * several clients and from a writer outside Chancery, durability settings,
 * and how each kind of failure surfaces (server gone, statement timeout under
 * lock contention, a connection terminated mid-append, the LISTEN connection
 * cut, a writer that bypassed the sequencing lock).
 */

import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type EventStore,
  type RecordedEvent,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../../../src/infrastructure/eventstore/port.js';
import { batchStatements } from '../../../src/infrastructure/eventstore/postgres/append-batch.js';
import {
  maskPostgresPassword,
  SEQUENCING_LOCK_CLASS,
  schemaLockKey,
} from '../../../src/infrastructure/eventstore/postgres/connection-string.js';
import {
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from '../../../src/infrastructure/eventstore/postgres/postgres-event-store.js';
import { LATEST_SCHEMA_VERSION } from '../../../src/infrastructure/eventstore/postgres/schema-migrations.js';
import { largeEvents } from '../../contract/event-store-contract.js';
import { createTestDatabase, uniqueSchema } from '../../support/postgres-server.js';

const database = await createTestDatabase('adapter');
afterAll(() => database.drop());

const opened: EventStore[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((store) => store.close()));
  await Promise.allSettled(clients.splice(0).map((client) => client.end()));
});

function open(schema: string, options: Partial<PostgresEventStoreOptions> = {}): PostgresEventStore {
  const store = new PostgresEventStore({ url: database.url, schema, ...options });
  opened.push(store);
  return store;
}

/** A plain connection of the test's own: another writer, a DBA holding a lock. */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

const ev = (n: number) => ({ type: 'Numbered', data: { n } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

async function readAllEvents(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.position });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describe('schema migrations', () => {
  it('creates the schema at the latest version once, whoever opens it first, and records it', async () => {
    const schema = uniqueSchema('migrate');
    // Three nodes starting together on an empty database: they take turns, one migrates.
    const stores = [open(schema), open(schema), open(schema)];
    const positions = await Promise.all(
      stores.map((store, i) => store.append(`s-${i}`, [ev(i)], 'no_stream')),
    );
    expect(new Set(positions.map((p) => p.position)).size).toBe(3);
    const versions = await database.sql<{ version: number; name: string }>(
      `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
    );
    expect(versions.map((v) => v.version)).toEqual([1]);
    expect(LATEST_SCHEMA_VERSION).toBe(1);
    // Reopening applies nothing again.
    await open(schema).lastPosition();
    expect(await database.sql(`SELECT version FROM ${schema}.schema_migrations`)).toHaveLength(1);
  });

  it('refuses a schema newer than it knows, on every call, writing nothing', async () => {
    const schema = uniqueSchema('newer');
    await open(schema).lastPosition();
    await database.sql(
      `INSERT INTO ${schema}.schema_migrations (version, name) VALUES (99, 'from the future')`,
    );
    const old = open(schema);
    const message = `postgres ${maskPostgresPassword(database.url)}: migrate schema ${schema} failed: schema ${schema} is at version 99, newer than this Chancery knows (1): upgrade this node`;
    await expect(old.append('s', [ev(0)], 'no_stream')).rejects.toThrow(message);
    await expect(old.readAll()).rejects.toThrow(message);
    await expect(old.subscribe(() => undefined).done).rejects.toThrow(message);
    expect(await database.sql(`SELECT * FROM ${schema}.events`)).toEqual([]);
  });

  it('keeps the events append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const schema = uniqueSchema('append_only');
    const store = open(schema);
    await store.append('s', [ev(0)], 'no_stream');
    for (const statement of [
      `UPDATE ${schema}.events SET data = '{"n":1}'`,
      `DELETE FROM ${schema}.events`,
      `TRUNCATE ${schema}.events`,
    ]) {
      await expect(database.sql(statement)).rejects.toThrow(
        /chancery events are append-only: (UPDATE|DELETE|TRUNCATE) refused/,
      );
    }
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 0 }]);
  });
});

describe('the global order', () => {
  it('never lets a reader see a position before a smaller one commits: three writers and a watcher', async () => {
    const schema = uniqueSchema('order');
    const writers = [open(schema), open(schema), open(schema)];
    const watcherStore = open(schema);
    await watcherStore.lastPosition();
    // The watcher reads "everything after the last position I saw" as fast as it can while the three
    // write. If a position ever became visible before a smaller one, it would step over the smaller one.
    const watched: RecordedEvent[] = [];
    let writing = true;
    const watcher = (async () => {
      while (writing || watched.length < 3 * 200) {
        watched.push(...(await watcherStore.readAll({ after: watched.at(-1)?.position })));
        await sleep(0);
      }
    })();
    await Promise.all(
      writers.map(async (store, w) => {
        for (let round = 0; round < 20; round++) {
          await Promise.all(
            Array.from({ length: 10 }, (_, k) => store.append(`w${w}-${k}`, [ev(round)], 'any')),
          );
        }
      }),
    );
    writing = false;
    await watcher;
    const all = await readAllEvents(watcherStore);
    expect(all).toHaveLength(600);
    expect(watched.map((e) => e.position)).toEqual(all.map((e) => e.position));
  });

  it('makes a writer outside Chancery take the sequencing lock too: its row commits in order', async () => {
    const schema = uniqueSchema('outsider');
    const store = open(schema);
    await store.append('first', [ev(0)], 'no_stream');
    const received: RecordedEvent[] = [];
    const subscription = store.subscribe((event) => {
      received.push(event);
    });
    await until(() => received.length === 1, 'the first event');

    const outsider = await connect();
    await outsider.query('BEGIN');
    const [row] = (
      await outsider.query<{ position: string }>(
        `INSERT INTO ${schema}.events (stream, revision, type, data) VALUES ('outside', 0, 'Raw', '{}') RETURNING position`,
      )
    ).rows;
    // The adapter's next append waits for the outsider's transaction: it cannot draw a position meanwhile.
    let appended: bigint | undefined;
    const appending = store.append('second', [ev(1)], 'no_stream').then((r) => {
      appended = r.position;
    });
    await sleep(300);
    expect(appended).toBeUndefined();
    await outsider.query('COMMIT');
    await appending;
    expect(appended!).toBeGreaterThan(BigInt(row!.position));
    await until(() => received.length === 3, 'all three events');
    expect(received.map((e) => e.stream)).toEqual(['first', 'outside', 'second']);
    await subscription.close();
  });

  it('delivers live events through NOTIFY, with polling effectively off', async () => {
    const schema = uniqueSchema('notify');
    const reader = open(schema, { pollIntervalMs: 3_600_000 });
    const writer = open(schema);
    await writer.append('before', [ev(0)], 'no_stream');
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe((event) => {
      received.push(event);
    });
    await until(() => received.length === 1, 'the catch-up');
    for (let n = 1; n <= 5; n++) await writer.append('live', [ev(n)], 'any');
    await until(() => received.length === 6, 'five live events from another instance');
    expect(received.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
    await subscription.close();
  });
  it('closes a subscription at once, whenever close() lands, even with polling effectively off', async () => {
    const store = open(uniqueSchema('close'), { pollIntervalMs: 3_600_000 });
    await store.append('s', [ev(0)], 'no_stream');
    // close() at many moments: before the first read, during a read, while waiting for a notification.
    for (let delay = 0; delay < 30; delay += 1) {
      const subscription = store.subscribe(() => undefined);
      await sleep(delay % 10);
      const closing = Date.now();
      await subscription.close();
      expect(Date.now() - closing).toBeLessThan(5000);
    }
  });
});

describe('durability', () => {
  it("commits appends with synchronous_commit 'on' where the server's default is off, and keeps stronger settings", async () => {
    const schema = uniqueSchema('durable');
    const begin = batchStatements(schema, { sequencingLock: true }).begin;
    const inAppendTransaction = async () => {
      const client = await connect();
      await client.query(begin);
      const [row] = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows;
      await client.query('ROLLBACK');
      return row!.synchronous_commit;
    };
    try {
      await database.sql(`ALTER DATABASE ${database.name} SET synchronous_commit = off`);
      expect(await inAppendTransaction()).toBe('on');
      expect(await open(schema).durability()).toMatchObject({ fsync: 'on', synchronousCommit: 'on' });
      await database.sql(`ALTER DATABASE ${database.name} SET synchronous_commit = remote_apply`);
      expect(await inAppendTransaction()).toBe('remote_apply');
      expect(await open(schema).durability()).toMatchObject({ synchronousCommit: 'remote_apply' });
    } finally {
      await database.sql(`ALTER DATABASE ${database.name} RESET synchronous_commit`);
    }
  });

  it('tells an observer about every commit: how many appends it settled and how long it took', async () => {
    const commits: { batchSize: number; durationMs: number }[] = [];
    const store = open(uniqueSchema('observer'), {
      onCommit: (batchSize, durationMs) => commits.push({ batchSize, durationMs }),
    });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`s-${i}`, [ev(i)], 'no_stream')));
    await expect(store.append('s-0', [ev(0)], 'no_stream')).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(commits.reduce((sum, c) => sum + c.batchSize, 0)).toBe(201);
    expect(commits.length).toBeLessThan(201);
    for (const commit of commits) expect(commit.durationMs).toBeGreaterThan(0);
    expect(store.stats()).toEqual({ commits: commits.length, appends: 200, events: 200 });
  });
});

describe('failures', () => {
  it('answers StoreUnavailableError on every call when the server is unreachable, password masked', async () => {
    const port = await closedPort();
    const store = new PostgresEventStore({
      url: `postgres://chancery:s3cret@127.0.0.1:${port}/chancery`,
      connectTimeoutMs: 2000,
    });
    opened.push(store);
    const prefix = `postgres postgres://chancery:***@127.0.0.1:${port}/chancery: migrate schema chancery failed: connect ECONNREFUSED 127.0.0.1:${port}`;
    for (const call of [
      () => store.append('s', [ev(0)], 'no_stream'),
      () => store.readStream('s'),
      () => store.readAll(),
      () => store.lastPosition(),
    ]) {
      const error = await call().then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error!.message).toBe(prefix);
      expect(error!.message).not.toContain('s3cret');
    }
    const subscription = store.subscribe(() => undefined);
    await expect(subscription.done).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('fails a statement stuck behind a lock after statement_timeout, writes nothing, and resumes once it is free', async () => {
    const schema = uniqueSchema('timeout');
    const store = open(schema, { statementTimeoutMs: 300 });
    await store.append('s', [ev(0)], 'no_stream');
    const dba = await connect();
    await dba.query('BEGIN');
    await dba.query(`LOCK TABLE ${schema}.events IN ACCESS EXCLUSIVE MODE`);

    const append = store.append('s', [ev(1)], 0n);
    await expect(append).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(append).rejects.toThrow(/canceling statement due to statement timeout \(SQLSTATE 57014\)$/);
    await expect(store.readStream('s')).rejects.toThrow(/statement timeout \(SQLSTATE 57014\)$/);

    await dba.query('COMMIT');
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 0 }]);
    expect(await store.append('s', [ev(1)], 0n)).toMatchObject({ nextExpectedRevision: 1n });
  });

  it('rejects the appends of a transaction whose connection is terminated, writes none of them, and reconnects', async () => {
    const schema = uniqueSchema('terminated');
    const store = open(schema, { applicationName: `chancery-${schema}` });
    await store.append('s', [ev(0)], 'no_stream');
    // Another session holds the sequencing lock, so the adapter's next batch waits inside its transaction.
    const holder = await connect();
    await holder.query('SELECT pg_advisory_lock($1, $2)', [SEQUENCING_LOCK_CLASS, schemaLockKey(schema)]);
    // Settled from the start: the rejections land while the test is busy elsewhere.
    const batch = Promise.allSettled([
      store.append('s', [ev(1)], 0n),
      store.append('t', [ev(0)], 'no_stream'),
    ]);
    const waiting = async () =>
      (
        await holder.query(
          "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [`chancery-${schema}`],
        )
      ).rows as { pid: number }[];
    let blocked: { pid: number }[] = [];
    for (let i = 0; i < 500 && blocked.length !== 1; i++) {
      blocked = await waiting();
      if (blocked.length !== 1) await sleep(20);
    }
    expect(blocked).toHaveLength(1);
    await holder.query('SELECT pg_terminate_backend($1)', [blocked[0]!.pid]);
    for (const outcome of await batch) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(
        /terminating connection due to administrator command \(SQLSTATE 57P01\)$/,
      );
    }
    await holder.query('SELECT pg_advisory_unlock_all()');
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 0 }]);
    expect(await store.readStream('t')).toEqual([]);
    expect(await store.append('t', [ev(0)], 'no_stream')).toMatchObject({ nextExpectedRevision: 0n });
  });

  it('ends a subscription when its LISTEN connection is cut; resubscribing catches up without gaps or duplicates', async () => {
    const schema = uniqueSchema('relisten');
    const store = open(schema, { applicationName: `chancery-${schema}` });
    await store.append('s', [ev(0), ev(1)], 'no_stream');
    const received: RecordedEvent[] = [];
    const first = store.subscribe((event) => {
      received.push(event);
    });
    await until(() => received.length === 2, 'the first two');
    const dba = await connect();
    await dba.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
      [`chancery-${schema}`],
    );
    await expect(first.done).rejects.toThrow(/^postgres .*: the live feed failed: /);
    await store.append('s', [ev(2), ev(3)], 1n);
    const second = store.subscribe(
      (event) => {
        received.push(event);
      },
      { after: received.at(-1)!.position },
    );
    await until(() => received.length === 4, 'the events written while it was cut');
    await store.append('s', [ev(4)], 3n);
    await until(() => received.length === 5, 'a live event on the new connection');
    expect(received.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    await second.close();
  });

  it('refuses the whole batch when a writer bypassed the sequencing lock and took its revision', async () => {
    const schema = uniqueSchema('bypass');
    const store = open(schema);
    await store.lastPosition();
    // An adversary (or a careless migration) drops the trigger and writes outside the lock.
    await database.sql(`DROP TRIGGER events_take_sequencing_lock ON ${schema}.events`);
    const outsider = await connect();
    await outsider.query('BEGIN');
    await outsider.query(
      `INSERT INTO ${schema}.events (stream, revision, type, data) VALUES ('x', 0, 'Raw', '{}')`,
    );
    const batch = Promise.allSettled([
      store.append('x', [ev(0)], 'no_stream'),
      store.append('y', [ev(0)], 'no_stream'),
    ]);
    await sleep(200);
    await outsider.query('COMMIT');
    for (const outcome of await batch) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(
        /already taken by a writer that bypassed the sequencing lock/,
      );
    }
    expect((await store.readStream('x')).map((e) => e.type)).toEqual(['Raw']);
    expect(await store.readStream('y')).toEqual([]);
  });

  it('writes a large append in several INSERTs of one transaction, and none of it when a later one fails', async () => {
    const schema = uniqueSchema('large_parts');
    const store = open(schema);
    await store.lastPosition();
    // Counts the INSERT statements on the events table: the adapter's parts are visible only to the server.
    await database.sql(`CREATE TABLE ${schema}.inserts (n integer NOT NULL);
      CREATE FUNCTION ${schema}.count_insert() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO ${schema}.inserts VALUES (1); RETURN NULL; END $$;
      CREATE TRIGGER count_inserts AFTER INSERT ON ${schema}.events
        FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.count_insert()`);
    const inserts = async () =>
      Number((await database.sql<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.inserts`))[0]!.n);
    await store.append('small', [ev(0), ev(1)], 'no_stream');
    expect(await inserts()).toBe(1);

    // 90 events of 100 KiB (12 MB of JSON): parts of about 1 MiB each.
    const events = largeEvents(90, 100 * 1024);
    await store.append('large', events, 'no_stream');
    expect(await inserts()).toBeGreaterThanOrEqual(1 + 10);
    const written = await store.readStream('large');
    expect(written.map((e) => e.data)).toEqual(events.map((e) => e.data));
    for (let i = 1; i < written.length; i++) expect(written[i]!.position).toBe(written[i - 1]!.position + 1n);

    // A writer outside the lock takes a revision that only the append's last part writes: its earlier
    // parts are then already inserted, and must go with the rest.
    await database.sql(`DROP TRIGGER events_take_sequencing_lock ON ${schema}.events`);
    const outsider = await connect();
    await outsider.query('BEGIN');
    await outsider.query(
      `INSERT INTO ${schema}.events (stream, revision, type, data) VALUES ('taken', 88, 'Raw', '{}')`,
    );
    const before = (await readAllEvents(store)).length;
    const refused = store.append('taken', largeEvents(90, 100 * 1024), 'no_stream');
    refused.catch(() => undefined);
    // Its earlier parts inserted (seen only by its own transaction), the part with revision 88 waits for
    // the outsider's row.
    const waiting = async () =>
      (
        await database.sql<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
      )[0]!.n === '1';
    const deadline = Date.now() + 10_000;
    while (!(await waiting())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the last part to wait for the lock');
      await sleep(20);
    }
    await outsider.query('COMMIT');
    await expect(refused).rejects.toThrow(
      '(stream, revision) already taken by a writer that bypassed the sequencing lock; nothing of this batch was written',
    );
    expect((await store.readStream('taken')).map((e) => [e.revision, e.type])).toEqual([[88n, 'Raw']]);
    expect(await readAllEvents(store)).toHaveLength(before + 1);
  });

  it('refuses U+0000 in a stream name or event type before it can fail a shared batch', async () => {
    const store = open(uniqueSchema('nul'));
    await expect(store.append('a\0b', [ev(0)], 'any')).rejects.toThrow('stream must not contain U+0000');
    await expect(store.append('s', [{ type: 'T\0', data: {} }], 'any')).rejects.toThrow(
      'type contains U+0000',
    );
    expect(await store.readStream('a\0b')).toEqual([]);
    expect(await store.append('s', [ev(0)], 'no_stream')).toMatchObject({ nextExpectedRevision: 0n });
  });

  it('masks passwords in connection strings', () => {
    expect(maskPostgresPassword('postgres://u:p@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(maskPostgresPassword('postgresql://u:p%40ss@h/d?sslmode=require&password=x')).toBe(
      'postgresql://u:***@h/d?sslmode=require&password=***',
    );
    expect(maskPostgresPassword('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});

/** A port nothing listens on: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
