/**
 * Large appends and large events on the SQLite store: a million-record batch
 * is some 2,000 events and 45 MB of JSON text. The store writes it as JSON
 * over several turns of the event loop, hands it to the writer thread in
 * parts, and its subscriptions read it in smaller pages; none of that may
 * change what is written, in what order, or what a failed append leaves.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EventJson,
  eventJsonLength,
  toEventJsonInTurns,
} from '../../../src/infrastructure/eventstore/event-json.js';
import type { RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import type { AppendRequest } from '../../../src/infrastructure/eventstore/sqlite/sqlite-append-batch.js';
import { SqliteEventStore } from '../../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { inParts, WriterThread } from '../../../src/infrastructure/eventstore/sqlite/sqlite-writer.js';

let dir: string;
let path: string;
const stores: SqliteEventStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chancery-large-'));
  path = join(dir, 'events.db');
});

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
  await rm(dir, { recursive: true, force: true });
});

function openStore(): SqliteEventStore {
  const store = new SqliteEventStore({ path, pollIntervalMs: 20 });
  stores.push(store);
  return store;
}

const MIB = 1024 * 1024;

/** A slice-like event: `bytes` random bytes as base64 (4/3 as many characters of JSON text). */
function slice(from: number, bytes: number) {
  return { type: 'Sliced', data: { from, digestsBase64: randomBytes(bytes).toString('base64') } };
}

/** `count` events of about `bytes` each, numbered from 0. */
function slices(count: number, bytes: number) {
  return Array.from({ length: count }, (_, i) => slice(i, bytes));
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('toEventJsonInTurns', () => {
  it('writes a small append at once and a large one over several turns, event for event as toEventJson', async () => {
    const small = toEventJsonInTurns('s', slices(3, 1000));
    expect(Array.isArray(small)).toBe(true);

    const events = slices(40, 96 * 1024);
    const written = toEventJsonInTurns('s', events);
    expect(written).toBeInstanceOf(Promise);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const json = await written;
    clearInterval(counting);
    expect(turns).toBeGreaterThan(0);
    expect(json.map((e) => JSON.parse(e.data))).toEqual(events.map((e) => e.data));
    expect(json.every((e) => e.type === 'Sliced' && e.metadata === null)).toBe(true);
  });

  it('fails a large append on a bad event after the first turn, naming it', async () => {
    const events: { type: string; data: unknown }[] = slices(40, 96 * 1024);
    events[35] = { type: 'Sliced', data: () => 0 };
    await expect(toEventJsonInTurns('s', events as never)).rejects.toThrow(
      new TypeError('stream s, event 35: data is not JSON'),
    );
  });
});

describe('inParts', () => {
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

// What any store must do with large appends is in the event store contract (test/contract).
describe('SqliteEventStore subscriptions over large events', () => {
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
        await store.append('feed', slices(Math.min(100, count - at), bytes), 'any');
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
    await waitFor(() => received.length >= all.length);
    // A live append after catch-up arrives too, once.
    await store.append('feed', [slice(0, 16)], 'any');
    await waitFor(() => received.length >= all.length + 1);
    await subscription.close();
    expect(received.slice(0, all.length)).toEqual(all);
    expect(received).toHaveLength(all.length + 1);
    expect(received.at(-1)!.position).toBe(all.at(-1)!.position + 1n);
  });
});

describe('WriterThread with a batch in parts', () => {
  it('puts the parts back together on the thread and commits them with the batch', async () => {
    await openStoreAndClose();
    const writer = new WriterThread(path, 1000);
    const events = inJson(slices(25, 100 * 1024));
    try {
      const outcomes = await Promise.all([
        writer.commit([{ stream: 'big', expected: 'no_stream', events }], 'then'),
        writer.commit([{ stream: 'small', expected: 'no_stream', events: inJson([slice(0, 32)]) }], 'then'),
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

async function openStoreAndClose(): Promise<void> {
  await new SqliteEventStore({ path, writerThread: false }).close();
}

function inJson(events: readonly { type: string; data: unknown }[]): EventJson[] {
  return events.map((e) => ({ type: e.type, data: JSON.stringify(e.data), metadata: null }));
}
