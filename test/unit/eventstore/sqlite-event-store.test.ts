import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EventJson,
  eventJsonLength,
  toEventJson,
  toEventJsonInTurns,
} from '../../../src/infrastructure/eventstore/event-json.js';
import { GroupCommitQueue, type Outcome } from '../../../src/infrastructure/eventstore/group-commit.js';
import {
  type RecordedEvent,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../../../src/infrastructure/eventstore/port.js';
import type { AppendRequest } from '../../../src/infrastructure/eventstore/sqlite/sqlite-append-batch.js';
import {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  StoreOverloadedError,
} from '../../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { inParts, WriterThread } from '../../../src/infrastructure/eventstore/sqlite/sqlite-writer.js';
import { openEventStore } from '../../../src/node/open-event-store.js';
import { appendUntilKilled, largeEvents } from '../../contract/event-store-contract.js';

let dir: string;
let path: string;
const stores: SqliteEventStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chancery-sqlite-'));
  path = join(dir, 'events.db');
});

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
  await rm(dir, { recursive: true, force: true });
});

function openStore(options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore {
  const store = new SqliteEventStore({ path, pollIntervalMs: 20, ...options });
  stores.push(store);
  return store;
}

const event = (data: Record<string, number | string>) => ({ type: 'Happened', data });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

describe('SqliteEventStore', () => {
  it('runs in WAL mode with synchronous=FULL and a busy timeout', () => {
    const store = openStore();
    expect(store.kind).toBe('sqlite');
    expect(store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 'FULL', busyTimeoutMs: 5000 });
    // WAL is a property of the file, so every other process opening it gets it too.
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('group-commits concurrent appends: 500 appends, a handful of commits', async () => {
    const store = openStore();
    const before = store.stats();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.append(`s-${i}`, [event({ i })], 'no_stream')),
    );
    const after = store.stats();
    expect(results).toHaveLength(500);
    expect(after.appends - before.appends).toBe(500);
    expect(after.events - before.events).toBe(500);
    const commits = after.commits - before.commits;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(5);
  });

  it('resolves an append only once it is committed (visible to another connection)', async () => {
    const store = openStore();
    const other = new Database(path, { readonly: true });
    other.defaultSafeIntegers(true);
    try {
      const visible = other.prepare('SELECT stream FROM events WHERE position = ?').pluck();
      const seen = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          // Checked synchronously in the continuation: no later turn could have committed it.
          store.append(`s-${i}`, [event({ i })], 'no_stream').then((r) => visible.get(r.position)),
        ),
      );
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => `s-${i}`));
    } finally {
      other.close();
    }
  });

  it('checks each queued append in queue order inside one batch; a loser writes nothing', async () => {
    const store = openStore();
    const before = store.stats().commits;
    const attempts = await Promise.allSettled([
      store.append('s', [event({ n: 0 })], 'no_stream'),
      store.append('s', [event({ n: 1 })], 0n),
      store.append('s', [event({ n: 666 }), event({ n: 667 })], 0n),
      store.append('s', [event({ n: 2 })], 1n),
      store.append('s', [event({ n: 3 })], 'stream_exists'),
      store.append('s', [], 3n),
      store.append('other', [event({ n: 0 })], 'stream_exists'),
    ]);
    expect(store.stats().commits - before).toBe(1);
    expect(attempts.map((a) => a.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((attempts[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((attempts[2] as PromiseRejectedResult).reason).toMatchObject({ expected: 0n, actual: 1n });
    expect((attempts[6] as PromiseRejectedResult).reason).toMatchObject({ actual: 'no_stream' });
    const events = await store.readStream('s');
    expect(events.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect((attempts[5] as PromiseFulfilledResult<unknown>).value).toEqual({
      nextExpectedRevision: 3n,
      position: events[3]!.position,
    });
    expect(await store.readStream('other')).toEqual([]);
  });

  it('refuses the second of two new-stream appends racing in one batch by the unique index alone, and commits the rest', async () => {
    // Two certifications of one command race (a retried request): each is one event to a stream that must not
    // exist, inserted without reading the head first. The loser's INSERT fails on UNIQUE (stream, revision) and
    // SQLite undoes that statement by itself; the batch around it must still commit, with no gap left behind.
    const store = openStore();
    const before = store.stats().commits;
    const attempts = await Promise.allSettled([
      store.append('crt-a', [event({ n: 0 })], 'no_stream'),
      store.append('crt-a', [event({ n: 1 })], 'no_stream'),
      store.append('crt-b', [event({ n: 0 })], 'no_stream'),
    ]);
    expect(store.stats().commits - before).toBe(1);
    expect(attempts.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const loser = (attempts[1] as PromiseRejectedResult).reason;
    expect(loser).toBeInstanceOf(WrongExpectedRevisionError);
    expect(loser).toMatchObject({ stream: 'crt-a', expected: 'no_stream', actual: 0n });
    const [a, b] = [attempts[0], attempts[2]] as PromiseFulfilledResult<{ position: bigint }>[];
    expect(b!.value.position).toBe(a!.value.position + 1n);
    expect((await store.readStream('crt-a')).map((e) => e.data)).toEqual([{ n: 0 }]);
    expect((await store.readStream('crt-b')).map((e) => e.data)).toEqual([{ n: 0 }]);
    expect(await store.lastPosition()).toBe(b!.value.position);
  });

  it('leaves nothing of an append whose INSERT fails for another reason, and commits the rest of its batch', async () => {
    // The adversary is the database file itself: a failure the revision checks cannot foresee. A trigger on
    // the file makes SQLite abort the insert of any event whose data holds 666, as a full disk or a damaged
    // page would abort one statement. A one-event append relies on SQLite undoing the failed statement; an
    // append of several rolls back to its savepoint, so its events before the failing one must not stay.
    const store = openStore();
    await store.append('poison', [event({ n: 0 })], 'no_stream');
    const file = new Database(path);
    file.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN instr(NEW.data, '666') > 0
      BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
    file.close();
    const before = store.stats().commits;
    const attempts = await Promise.allSettled([
      store.append('fine', [event({ n: 0 })], 'no_stream'),
      store.append('poison', [event({ n: 666 })], 0n),
      store.append('poison', [event({ n: 1 }), event({ n: 666 })], 0n),
      store.append('new', [event({ n: 666 })], 'no_stream'),
      store.append('poison', [event({ n: 1 }), event({ n: 2 })], 0n),
      store.append('fine', [event({ n: 1 })], 0n),
    ]);
    expect(store.stats().commits - before).toBe(1);
    expect(attempts.map((a) => a.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    for (const [i, stream] of [
      [1, 'poison'],
      [2, 'poison'],
      [3, 'new'],
    ] as const) {
      const { reason } = attempts[i] as PromiseRejectedResult;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.message).toBe(`append to ${stream} failed`);
      expect(reason.cause).toMatchObject({ message: 'poisoned' });
    }
    expect((await store.readStream('poison')).map((e) => [e.revision, e.data])).toEqual([
      [0n, { n: 0 }],
      [1n, { n: 1 }],
      [2n, { n: 2 }],
    ]);
    expect(await store.readStream('new')).toEqual([]);
    expect((await store.readStream('fine')).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('rejects an event that is not JSON on its own, without failing the batch', async () => {
    const store = openStore();
    const [bad, good] = await Promise.allSettled([
      store.append('s', [{ type: 'Bad', data: 1n as unknown as number }], 'any'),
      store.append('s', [event({ n: 0 })], 'any'),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 0 }]);
  });

  it('answers backpressure with StoreOverloadedError once the queue is full', async () => {
    const store = openStore({ maxPendingAppends: 10 });
    const attempts = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => store.append(`s-${i}`, [event({ i })], 'no_stream')),
    );
    const rejected = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason] : []));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    expect(rejected).toHaveLength(5);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(StoreOverloadedError);
      // Callers that only know the port's error still answer 503.
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', reason: 'overloaded', retryAfterSeconds: 1 });
    }
    // Rejected appends wrote nothing; the queue accepts again once drained.
    expect(await store.readAll()).toHaveLength(10);
    await expect(store.append('later', [event({ n: 0 })], 'no_stream')).resolves.toBeDefined();
  });

  it("waits for another process's write lock on its writer thread while the event loop goes on", async () => {
    const store = openStore({ busyTimeoutMs: 5000 });
    await store.append('s', [event({ n: 0 })], 'no_stream');
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const appended = store.append('s', [event({ n: 1 })], 0n);
      // Committing on the event loop, the busy wait would hold this timer (and every request) for
      // up to busy_timeout, and the other writer could never commit: the append would fail.
      const started = performance.now();
      await sleep(50);
      expect(performance.now() - started).toBeLessThan(1000);
      other.exec('COMMIT');
      await expect(appended).resolves.toEqual({ nextExpectedRevision: 1n, position: 2n });
    } finally {
      other.close();
    }
  });

  it('commits on the event loop for an in-memory database, with the same outcomes', async () => {
    const store = openStore({ path: ':memory:' });
    await expect(store.append('s', [event({ n: 0 })], 'no_stream')).resolves.toEqual({
      nextExpectedRevision: 0n,
      position: 1n,
    });
    await expect(store.append('s', [event({ n: 1 })], 'no_stream')).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect((await store.readAll()).map((e) => e.data)).toEqual([{ n: 0 }]);
  });

  it('rejects the whole batch when the write lock cannot be taken, then recovers', async () => {
    const store = openStore({ busyTimeoutMs: 50 });
    await store.append('s', [event({ n: 0 })], 'no_stream');
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const attempts = await Promise.allSettled([
        store.append('s', [event({ n: 1 })], 0n),
        store.append('t', [event({ n: 0 })], 'any'),
      ]);
      for (const attempt of attempts) {
        expect(attempt.status).toBe('rejected');
        expect((attempt as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      }
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect((await store.readAll()).map((e) => e.data)).toEqual([{ n: 0 }]);
    await expect(store.append('s', [event({ n: 1 })], 0n)).resolves.toMatchObject({
      nextExpectedRevision: 1n,
    });
  });

  it('close() commits queued appends, stops subscriptions, then refuses work', async () => {
    const store = openStore();
    const subscription = store.subscribe(() => {});
    const pending = Array.from({ length: 100 }, (_, i) =>
      store.append(`s-${i}`, [event({ i })], 'no_stream'),
    );
    await store.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(100);
    await expect(subscription.done).resolves.toBeUndefined();

    await expect(store.append('x', [event({ n: 0 })], 'any')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.lastPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(() => store.subscribe(() => {})).toThrow(StoreUnavailableError);
    await store.close();

    const reopened = openStore();
    expect(await reopened.readAll()).toHaveLength(100);
  });

  it('sees the writes of another instance on the same file by polling', async () => {
    const reader = openStore({ pollIntervalMs: 20 });
    const writer = openStore();
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe((e) => {
      received.push(e);
    });
    // Both instances write; only the reader's own commits can wake it directly.
    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => writer.append(`w-${i % 5}`, [event({ i })], 'any')),
      ...Array.from({ length: 50 }, (_, i) => reader.append(`r-${i % 5}`, [event({ i })], 'any')),
    ]);
    await writer.append('w-last', [event({ n: 0 })], 'no_stream');
    await waitFor(() => received.length >= 101);
    await sleep(50);
    await subscription.close();

    expect(received).toEqual(await reader.readAll());
    expect(received.filter((e) => e.stream.startsWith('w-'))).toHaveLength(51);
    expect(await reader.lastPosition()).toBe(await writer.lastPosition());
  });

  it('serialises three processes on one file: two killed writers and a live subscriber', async () => {
    const subscriber = openStore({ pollIntervalMs: 10 });
    const received: RecordedEvent[] = [];
    const subscription = subscriber.subscribe((e) => {
      received.push(e);
    });
    const config = { kind: 'sqlite' as const, path, pollIntervalMs: 20 };
    const [a, b] = await Promise.all([
      appendUntilKilled(config, `a-${randomUUID()}`, 150),
      appendUntilKilled(config, `b-${randomUUID()}`, 150),
    ]);
    const acks = [...a, ...b];
    expect(new Set(acks.map((ack) => ack.position)).size).toBe(acks.length);

    const all: RecordedEvent[] = [];
    for (let page = await subscriber.readAll(); page.length > 0; ) {
      all.push(...page);
      page = await subscriber.readAll({ after: page.at(-1)!.position });
    }
    const byPosition = new Map(all.map((e) => [e.position, e]));
    for (const ack of acks) {
      expect(byPosition.get(ack.position)).toMatchObject({
        stream: ack.stream,
        revision: ack.revision,
        data: ack.data,
      });
    }
    await waitFor(() => received.length >= all.length);
    await subscription.close();
    expect(received).toEqual(all);
  });

  // A million-record batch is some 2,000 events and 45 MB of JSON: subscriptions read it in smaller
  // pages and parse each event as they deliver it. What any store must do with large appends is in
  // the event store contract (test/contract).
  it('delivers large and small events to a subscription exactly once, in order, as page sizes change', async () => {
    const store = openStore();
    // Large events shrink the pages, small ones grow them back: both turns are crossed twice.
    for (const [count, bytes] of [
      [1500, 16],
      [120, 64 * 1024],
      [2500, 16],
      [200, 48 * 1024],
      [300, 16],
    ] as const) {
      for (let at = 0; at < count; at += 100) {
        await store.append('feed', largeEvents(Math.min(100, count - at), bytes), 'any');
      }
    }
    const all: RecordedEvent[] = [];
    for (let after: bigint | undefined; ; ) {
      const page = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1)!.position;
    }
    expect(all).toHaveLength(4620);

    const received: RecordedEvent[] = [];
    const subscription = store.subscribe((e) => {
      received.push(e);
    });
    await waitFor(() => received.length >= all.length, 10_000);
    // A live append after catch-up arrives too, once.
    await store.append('feed', largeEvents(1, 16), 'any');
    await waitFor(() => received.length >= all.length + 1);
    await subscription.close();
    expect(received.slice(0, all.length)).toEqual(all);
    expect(received).toHaveLength(all.length + 1);
    expect(received.at(-1)!.position).toBe(all.at(-1)!.position + 1n);
  });

  it('refuses a file with an unknown schema version', async () => {
    openStore();
    await Promise.all(stores.splice(0).map((s) => s.close()));
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openStore()).toThrow(StoreUnavailableError);
  });

  it('openEventStore creates the parent directory', async () => {
    const nested = join(dir, 'a', 'b', 'events.db');
    const store = await openEventStore({ kind: 'sqlite', path: nested });
    try {
      await store.append('s', [event({ n: 0 })], 'no_stream');
      expect(await store.lastPosition()).toBe(1n);
    } finally {
      await store.close();
    }
  });
});

describe('WriterThread', () => {
  it('fails a batch it cannot commit with the reason, and starts again for the next one', async () => {
    const writer = new WriterThread(path, 1000);
    const batch = [
      {
        stream: 's',
        expected: 'no_stream' as const,
        events: [{ type: 'Happened', data: '{}', metadata: null }],
      },
    ];
    try {
      // No file yet: the thread cannot open it, and the batch fails with SQLite's reason.
      await expect(writer.commit(batch, '2026-12-03T00:00:00Z')).rejects.toMatchObject({
        name: 'BatchFailure',
        message: 'cannot open the writer connection',
        cause: { code: 'SQLITE_CANTOPEN' },
      });
      // The store creates the file and its schema; the same writer then opens it and commits.
      await openStore({ writerThread: false }).close();
      await expect(writer.commit(batch, '2026-12-03T00:00:00Z')).resolves.toEqual([
        { ok: true, revision: 0n, position: 1n },
      ]);
    } finally {
      await writer.close();
    }
  });

  it('puts a batch sent in parts back together on the thread and commits it with the batch', async () => {
    await openStore({ writerThread: false }).close();
    const writer = new WriterThread(path, 1000);
    const events = largeEvents(25, 100 * 1024).map((e, i) => toEventJson('big', e, i));
    const small = largeEvents(1, 32).map((e, i) => toEventJson('small', e, i));
    try {
      const outcomes = await Promise.all([
        writer.commit([{ stream: 'big', expected: 'no_stream', events }], 'then'),
        writer.commit([{ stream: 'small', expected: 'no_stream', events: small }], 'then'),
      ]);
      // The second batch reached the thread after the first one's parts and the first batch itself.
      expect(outcomes).toEqual([
        [{ ok: true, revision: 24n, position: 25n }],
        [{ ok: true, revision: 0n, position: 26n }],
      ]);
    } finally {
      await writer.close();
    }
    const store = openStore();
    expect((await store.readStream('big')).map((e) => JSON.stringify(e.data))).toEqual(
      events.map((e) => e.data),
    );
  });
});

describe('toEventJsonInTurns', () => {
  it('writes a small append at once and a large one over several turns, event for event as toEventJson', async () => {
    const small = toEventJsonInTurns('s', largeEvents(3, 1000));
    expect(Array.isArray(small)).toBe(true);

    const events = largeEvents(40, 96 * 1024);
    const written = toEventJsonInTurns('s', events);
    expect(written).toBeInstanceOf(Promise);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const json = await written;
    clearInterval(counting);
    expect(turns).toBeGreaterThan(0);
    expect(json).toEqual(events.map((e, i) => toEventJson('s', e, i)));
  });

  it('fails a large append on a bad event after the first turn, naming it', async () => {
    const events: { type: string; data: unknown }[] = largeEvents(40, 96 * 1024);
    events[35] = { type: 'Large', data: () => 0 };
    await expect(toEventJsonInTurns('s', events as never)).rejects.toThrow(
      new TypeError('stream s, event 35: data is not JSON'),
    );
  });
});

describe('inParts', () => {
  const MIB = 1024 * 1024;
  const json = (n: number, chars: number): EventJson[] =>
    Array.from({ length: n }, (_, i) => ({
      type: 'T',
      data: `"${String(i).padEnd(chars - 2, 'x')}"`,
      metadata: null,
    }));

  it('sends appends over a MiB of text ahead in parts of about a MiB, in order, and leaves small ones in the batch', () => {
    const big = json(50, 100 * 1024);
    const batch: AppendRequest[] = [
      { stream: 'a', expected: 'any', events: json(2, 100) },
      { stream: 'b', expected: 'no_stream', events: big },
      { stream: 'c', expected: 3n, events: json(1, 100) },
    ];
    const { parts, request } = inParts(7, batch, 'now');
    expect(request).toEqual({
      type: 'batch',
      id: 7,
      recordedAt: 'now',
      staged: [1],
      batch: [batch[0], { stream: 'b', expected: 'no_stream', events: [] }, batch[2]],
    });
    expect(parts.length).toBeGreaterThanOrEqual(4);
    const carried = parts.flatMap((part) => {
      if (part.type !== 'events') throw new Error(`unexpected ${part.type}`);
      expect(part).toMatchObject({ id: 7, append: 1 });
      const text = part.events.reduce((sum, e) => sum + eventJsonLength(e), 0);
      // At most one event past a MiB.
      expect(text - eventJsonLength(part.events.at(-1)!)).toBeLessThan(MIB);
      return part.events;
    });
    expect(carried).toEqual(big);
  });

  it('sends a batch of small appends as one message, unchanged', () => {
    const batch: AppendRequest[] = [{ stream: 'a', expected: 'any', events: json(10, 1000) }];
    expect(inParts(1, batch, 'now')).toEqual({
      parts: [],
      request: { type: 'batch', id: 1, batch, recordedAt: 'now' },
    });
  });
});

describe('GroupCommitQueue', () => {
  const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

  it('hands one batch per turn to the committer and settles each request with its own outcome', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommitQueue<number, number>((batch) => {
      batches.push([...batch]);
      return batch.map((n) => (n % 2 === 0 ? ok(n * 10) : { ok: false, error: new Error(`odd ${n}`) }));
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => queue.enqueue(n)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'odd 1',
      20,
      'odd 3',
      40,
    ]);
  });

  it('rejects every request of a batch whose commit fails', async () => {
    const failure = new Error('disk I/O error');
    const queue = new GroupCommitQueue<number, number>(() => {
      throw failure;
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => queue.enqueue(n)));
    expect(results).toEqual([1, 2, 3].map(() => ({ status: 'rejected', reason: failure })));
  });

  it('keeps working after a committer that throws synchronously', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number, number>((batch) => {
      calls += 1;
      if (calls === 1) throw new Error('busy');
      return batch.map(ok);
    });
    await expect(queue.enqueue(1)).rejects.toThrow('busy');
    await expect(queue.enqueue(2)).resolves.toBe(2);
    const pending = queue.enqueue(3);
    await queue.close();
    await expect(pending).resolves.toBe(3);
  });

  it('resolves only after the commit returned, and commits batches one at a time', async () => {
    let release!: () => void;
    const committed: number[][] = [];
    let inFlight = 0;
    const queue = new GroupCommitQueue<number, number>(async (batch) => {
      inFlight += 1;
      expect(inFlight).toBe(1);
      if (committed.length === 0) await new Promise<void>((resolve) => (release = resolve));
      committed.push([...batch]);
      inFlight -= 1;
      return batch.map(ok);
    });
    let firstSettled = false;
    const first = queue.enqueue(1).then((v) => {
      firstSettled = true;
      return v;
    });
    await sleep(10);
    const second = queue.enqueue(2);
    const third = queue.enqueue(3);
    await sleep(10);
    expect(firstSettled).toBe(false);
    release();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(committed).toEqual([[1], [2, 3]]);
  });

  it('with two batches in flight, hands the next batch over before the first settles, and settles in order', async () => {
    const releases: (() => void)[] = [];
    const handed: number[][] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (batch) => {
        handed.push([...batch]);
        await new Promise<void>((resolve) => releases.push(resolve));
        return batch.map(ok);
      },
      { maxBatchesInFlight: 2 },
    );
    const settled: number[] = [];
    const track = (n: number) => queue.enqueue(n).then((v) => settled.push(v));
    const all = [track(1)];
    await sleep(10);
    all.push(track(2));
    await sleep(10);
    all.push(track(3));
    await sleep(10);
    // Two batches handed, the third waits for a slot.
    expect(handed).toEqual([[1], [2]]);
    expect(settled).toEqual([]);
    releases[0]!();
    await waitFor(() => handed.length === 3);
    expect(settled).toEqual([1]);
    releases[1]!();
    releases[2]!();
    await Promise.all(all);
    expect(settled).toEqual([1, 2, 3]);
    expect(() => new GroupCommitQueue<number, number>(() => [], { maxBatchesInFlight: 0 })).toThrow(
      'maxBatchesInFlight must be a positive integer, got 0',
    );
  });

  it('close() drains the queue and then refuses new requests', async () => {
    const queue = new GroupCommitQueue<number, number>((batch) => batch.map(ok));
    const pending = [queue.enqueue(1), queue.enqueue(2)];
    await queue.close();
    expect(await Promise.all(pending)).toEqual([1, 2]);
    await expect(queue.enqueue(3)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
