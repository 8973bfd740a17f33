import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AppendResult,
  type EventStore,
  type JsonValue,
  MAX_PAGE,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../../src/infrastructure/eventstore/port.js';
import type { EventStoreConfig } from '../../src/node/open-event-store.js';

/**
 * One underlying store (a sqlite file, an EventStoreDB cluster...). open() may
 * be called several times: every call returns a new client of the SAME store,
 * which is how the suite simulates several nodes and reopens after a crash.
 */
export interface ContractStoreHandle {
  /** Serialisable: handed to a child process, which opens the store with openEventStore(). */
  readonly config: EventStoreConfig;
  open(): Promise<EventStore>;
  /** Releases whatever create() made (temp dir, container...). Called after each test. */
  dispose?(): Promise<void>;
}

export interface ContractFactory {
  /**
   * A store for one test. It need not be fresh or empty: a shared server is
   * fine, because the suite uses random stream names and only reads relative
   * to lastPosition() taken at the start of a test.
   */
  create(): Promise<ContractStoreHandle>;
  /** When set, the suite is registered as skipped and the reason is printed. */
  readonly skipReason?: string;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KILL_FIXTURE = fileURLToPath(new URL('./fixtures/append-until-killed.ts', import.meta.url));

export function eventStoreContract(name: string, factory: ContractFactory): void {
  const skipReason = factory.skipReason;
  if (skipReason !== undefined) {
    console.warn(`[event store contract] ${name}: SKIPPED, ${skipReason}`);
  }
  const title =
    skipReason === undefined
      ? `${name} event store contract`
      : `${name} event store contract (skipped: ${skipReason})`;

  describe.skipIf(skipReason !== undefined)(title, () => {
    let handle: ContractStoreHandle | undefined;
    const opened: EventStore[] = [];

    beforeEach(async () => {
      handle = await factory.create();
    });

    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((store) => store.close()));
      await handle?.dispose?.();
      handle = undefined;
    });

    async function open(): Promise<EventStore> {
      if (!handle) throw new Error('no store handle');
      const store = await handle.open();
      opened.push(store);
      return store;
    }

    describe('optimistic concurrency', () => {
      it('lets exactly one of two writers with the same expected revision win', async () => {
        const store = await open();
        const stream = uniqueStream('race2');
        await store.append(stream, [ev('Created', { n: 0 })], 'no_stream');

        const attempts = await Promise.allSettled([
          store.append(stream, [ev('ByA', { writer: 'a', n: 1 }), ev('ByA', { writer: 'a', n: 2 })], 0n),
          store.append(stream, [ev('ByB', { writer: 'b', n: 1 }), ev('ByB', { writer: 'b', n: 2 })], 0n),
        ]);

        const winners = attempts.filter((a) => a.status === 'fulfilled');
        const losers = attempts.filter((a) => a.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        const error = (losers[0] as PromiseRejectedResult).reason;
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream, expected: 0n, actual: 2n });

        const winner = attempts[0]!.status === 'fulfilled' ? 'a' : 'b';
        const events = await readWholeStream(store, stream);
        expect(events.map((e) => e.data)).toEqual([
          { n: 0 },
          { writer: winner, n: 1 },
          { writer: winner, n: 2 },
        ]);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect((winners[0] as PromiseFulfilledResult<AppendResult>).value).toEqual({
          nextExpectedRevision: 2n,
          position: events[2]!.position,
        });
      });

      it('lets exactly one of many writers on two clients win', async () => {
        const a = await open();
        const b = await open();
        const stream = uniqueStream('race-many');
        await a.append(stream, [ev('Created', { n: 0 })], 'no_stream');

        const attempts = await Promise.allSettled(
          Array.from({ length: 10 }, (_, writer) =>
            (writer % 2 === 0 ? a : b).append(stream, [ev('Claimed', { writer })], 0n),
          ),
        );

        const winners = attempts.flatMap((a, writer) => (a.status === 'fulfilled' ? [writer] : []));
        expect(winners).toHaveLength(1);
        for (const attempt of attempts) {
          if (attempt.status === 'rejected') {
            expect(attempt.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(attempt.reason).toMatchObject({ stream, expected: 0n, actual: 1n });
          }
        }
        const events = await readWholeStream(b, stream);
        expect(events.map((e) => e.data)).toEqual([{ n: 0 }, { writer: winners[0]! }]);
      });

      it("'no_stream' creates a stream and refuses an existing one without writing", async () => {
        const store = await open();
        const stream = uniqueStream('no-stream');
        const start = await store.lastPosition();

        const created = await store.append(stream, [ev('A', { n: 0 }), ev('A', { n: 1 })], 'no_stream');
        expect(created.nextExpectedRevision).toBe(1n);

        await expect(store.append(stream, [ev('A', { n: 2 })], 'no_stream')).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          stream,
          expected: 'no_stream',
          actual: 1n,
        });
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }]);
        expect(await countAfter(store, start, stream)).toBe(2);
      });

      it("'any' appends whether or not the stream exists", async () => {
        const store = await open();
        const stream = uniqueStream('any');
        expect((await store.append(stream, [ev('A', { n: 0 })], 'any')).nextExpectedRevision).toBe(0n);
        expect((await store.append(stream, [ev('A', { n: 1 })], 'any')).nextExpectedRevision).toBe(1n);
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }]);
      });

      it("'stream_exists' refuses a missing stream without writing and appends to an existing one", async () => {
        const store = await open();
        const stream = uniqueStream('exists');
        const start = await store.lastPosition();

        const refused = store.append(stream, [ev('A', { n: 0 })], 'stream_exists');
        await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(refused).rejects.toMatchObject({
          stream,
          expected: 'stream_exists',
          actual: 'no_stream',
        });
        expect(await store.readStream(stream)).toEqual([]);
        expect(await countAfter(store, start, stream)).toBe(0);

        await store.append(stream, [ev('A', { n: 0 })], 'no_stream');
        const result = await store.append(stream, [ev('A', { n: 1 })], 'stream_exists');
        expect(result.nextExpectedRevision).toBe(1n);
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }]);
      });

      it('an exact revision must equal the current revision; a mismatch writes nothing', async () => {
        const store = await open();
        const stream = uniqueStream('exact');
        const start = await store.lastPosition();

        await expect(store.append(stream, [ev('A', { n: 0 })], 0n)).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          expected: 0n,
          actual: 'no_stream',
        });
        expect(await store.readStream(stream)).toEqual([]);

        await store.append(stream, [ev('A', { n: 0 }), ev('A', { n: 1 })], 'no_stream');
        for (const wrong of [0n, 2n, 7n]) {
          await expect(store.append(stream, [ev('A', { n: 99 })], wrong)).rejects.toMatchObject({
            name: 'WrongExpectedRevisionError',
            stream,
            expected: wrong,
            actual: 1n,
          });
        }
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }]);

        const next = await store.append(stream, [ev('A', { n: 2 })], 1n);
        expect(next.nextExpectedRevision).toBe(2n);
        await store.append(stream, [ev('A', { n: 3 })], next.nextExpectedRevision);
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
        expect(await countAfter(store, start, stream)).toBe(4);
      });

      it('returns the revision and position of the last event written, and round-trips JSON', async () => {
        const store = await open();
        const stream = uniqueStream('roundtrip');
        const data: JsonValue = {
          text: 'Département — 山西 ✓',
          nested: { list: [1, 2.5, -3, true, false, null], empty: {} },
          big: 9007199254740991,
        };
        const before = Date.now();
        const result = await store.append(
          stream,
          [
            { type: 'First', data, metadata: { commandId: 'c-1', actor: 'dept:a' } },
            { type: 'Second', data: [1, 'two'] },
            { type: 'Third', data: null, metadata: null },
          ],
          'no_stream',
        );
        const events = await readWholeStream(store, stream);
        expect(events).toHaveLength(3);
        expect(result).toEqual({ nextExpectedRevision: 2n, position: events[2]!.position });
        expect(events[0]).toMatchObject({
          stream,
          revision: 0n,
          type: 'First',
          data,
          metadata: { commandId: 'c-1', actor: 'dept:a' },
        });
        expect(events[1]).toMatchObject({ revision: 1n, type: 'Second', data: [1, 'two'], metadata: null });
        expect(events[2]).toMatchObject({ revision: 2n, type: 'Third', data: null, metadata: null });
        expect(events[0]!.position).toBeLessThan(events[1]!.position);
        expect(events[1]!.position).toBeLessThan(events[2]!.position);
        for (const event of events) {
          expect(typeof event.position).toBe('bigint');
          expect(typeof event.revision).toBe('bigint');
          const recorded = Date.parse(event.recordedAt);
          expect(Number.isNaN(recorded)).toBe(false);
          // Generous bounds: the store's clock may be another machine's.
          expect(recorded).toBeGreaterThan(before - 60_000);
          expect(recorded).toBeLessThan(Date.now() + 60_000);
        }
        expect(await store.lastPosition()).toBeGreaterThanOrEqual(result.position);
      });

      it('an empty append only checks the expectation and writes nothing', async () => {
        const store = await open();
        const stream = uniqueStream('empty');
        const start = await store.lastPosition();

        await expect(store.append(stream, [], 'stream_exists')).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        const onMissing = await store.append(stream, [], 'no_stream');
        expect(onMissing.nextExpectedRevision).toBe(-1n);
        expect(await store.readStream(stream)).toEqual([]);

        const written = await store.append(stream, [ev('A', { n: 0 }), ev('A', { n: 1 })], 'no_stream');
        expect(await store.append(stream, [], 1n)).toEqual(written);
        expect(await store.append(stream, [], 'any')).toEqual(written);
        await expect(store.append(stream, [], 0n)).rejects.toMatchObject({ expected: 0n, actual: 1n });
        await expect(store.append(stream, [], 'no_stream')).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        await expectStreamData(store, stream, [{ n: 0 }, { n: 1 }]);
        expect(await countAfter(store, start, stream)).toBe(2);
      });
    });

    describe('concurrent appends', () => {
      it('1,000 concurrent appends to distinct streams are all durable, atomic and ordered', async () => {
        const store = await open();
        const ns = uniqueStream('distinct');
        const start = await store.lastPosition();
        const count = 1000;

        const results = await Promise.all(
          Array.from({ length: count }, (_, i) =>
            store.append(
              `${ns}-${i}`,
              [ev('Opened', { i, part: 0 }), ev('Opened', { i, part: 1 })],
              'no_stream',
            ),
          ),
        );
        for (const result of results) expect(result.nextExpectedRevision).toBe(1n);

        const all = await readAllAfter(store, start, (e) => e.stream.startsWith(`${ns}-`));
        expect(all).toHaveLength(2 * count);
        expectStrictlyIncreasing(all.map((e) => e.position));
        // Each append's two events are adjacent in commit order: appends are atomic.
        for (let k = 0; k < all.length; k += 2) {
          const [first, second] = [all[k]!, all[k + 1]!];
          expect(second.stream).toBe(first.stream);
          expect([first.revision, second.revision]).toEqual([0n, 1n]);
          const i = (first.data as { i: number }).i;
          expect(first.stream).toBe(`${ns}-${i}`);
          expect(second.position).toBe(results[i]!.position);
        }
        expect(new Set(results.map((r) => r.position)).size).toBe(count);

        // Every stream also reads back on its own.
        for (let i = 0; i < count; i += 1) {
          const events = await store.readStream(`${ns}-${i}`);
          expect(events.map((e) => e.data)).toEqual([
            { i, part: 0 },
            { i, part: 1 },
          ]);
          expect(events[1]!.position).toBe(results[i]!.position);
        }
      });

      it("1,000 concurrent 'any' appends to one stream get revisions 0..999 without gaps", async () => {
        const store = await open();
        const stream = uniqueStream('one-stream');
        const start = await store.lastPosition();
        const count = 1000;

        const results = await Promise.all(
          Array.from({ length: count }, (_, i) => store.append(stream, [ev('Ticked', { i })], 'any')),
        );

        const revisions = results
          .map((r) => r.nextExpectedRevision)
          .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(revisions).toEqual(Array.from({ length: count }, (_, r) => BigInt(r)));

        const events = await readWholeStream(store, stream, 300);
        expect(events.map((e) => e.revision)).toEqual(revisions);
        // Revision order is commit order.
        expectStrictlyIncreasing(events.map((e) => e.position));
        for (const event of events) {
          const result = results[(event.data as { i: number }).i]!;
          expect(result.nextExpectedRevision).toBe(event.revision);
          expect(result.position).toBe(event.position);
        }

        const all = await readAllAfter(store, start, (e) => e.stream === stream);
        expect(all.map((e) => e.position)).toEqual(events.map((e) => e.position));
      });
    });

    describe('paging', () => {
      it('pages a stream by fromRevision and maxCount', async () => {
        const store = await open();
        const stream = uniqueStream('page-stream');
        await store.append(stream, range(0, 10).map(numbered), 'no_stream');
        await store.append(stream, range(10, 20).map(numbered), 9n);
        await store.append(stream, range(20, 25).map(numbered), 19n);

        const page = async (fromRevision: bigint, maxCount?: number) =>
          (await store.readStream(stream, { fromRevision, maxCount })).map((e) => Number(e.revision));
        expect(await page(0n, 10)).toEqual(range(0, 10));
        expect(await page(10n, 10)).toEqual(range(10, 20));
        expect(await page(20n, 10)).toEqual(range(20, 25));
        expect(await page(25n, 10)).toEqual([]);
        expect(await page(7n, 3)).toEqual([7, 8, 9]);
        expect(await page(24n, 1)).toEqual([24]);
        expect(await page(0n)).toEqual(range(0, 25));
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
        expect(await store.readStream(uniqueStream('missing'), { fromRevision: 5n, maxCount: 2 })).toEqual(
          [],
        );

        const events = await store.readStream(stream, { maxCount: 25 });
        expect(events.map((e) => e.data)).toEqual(range(0, 25).map((n) => ({ n })));
      });

      it('pages all streams by after and maxCount', async () => {
        const store = await open();
        const ns = uniqueStream('page-all');
        const start = await store.lastPosition();
        for (let round = 0; round < 5; round += 1) {
          await Promise.all([0, 1, 2, 3, 4].map((s) => store.append(`${ns}-${s}`, [numbered(round)], 'any')));
        }
        const ours = (e: RecordedEvent) => e.stream.startsWith(`${ns}-`);
        const expected = await readAllAfter(store, start, ours);
        expect(expected).toHaveLength(25);

        // Small pages: every page respects maxCount, pages follow each other, and together they
        // are exactly the big read.
        const collected: RecordedEvent[] = [];
        let after = start ?? undefined;
        let previousLast: bigint | undefined;
        for (let guard = 0; guard < 10_000; guard += 1) {
          const page = await store.readAll({ after, maxCount: 7 });
          expect(page.length).toBeLessThanOrEqual(7);
          if (page.length === 0) break;
          expectStrictlyIncreasing(page.map((e) => e.position));
          if (previousLast !== undefined) expect(page[0]!.position).toBeGreaterThan(previousLast);
          if (after !== undefined) expect(page[0]!.position).toBeGreaterThan(after);
          collected.push(...page.filter(ours));
          previousLast = page.at(-1)!.position;
          after = previousLast;
          if (collected.length === expected.length) break;
        }
        expect(collected.map(key)).toEqual(expected.map(key));

        // `after` is exclusive.
        const pivot = expected[9]!;
        const next = (await store.readAll({ after: pivot.position, maxCount: MAX_PAGE })).filter(ours);
        expect(next[0]).toEqual(expected[10]);
        expect(next.every((e) => e.position > pivot.position)).toBe(true);

        // From the start of the store.
        const first = await store.readAll({ maxCount: 3 });
        expect(first.length).toBeGreaterThan(0);
        expect(first.length).toBeLessThanOrEqual(3);
        expectStrictlyIncreasing(first.map((e) => e.position));
        expect(first[0]!.position).toBeLessThanOrEqual(expected[0]!.position);
      });

      it(`caps pages at MAX_PAGE (${MAX_PAGE})`, async () => {
        const store = await open();
        const stream = uniqueStream('cap');
        const start = await store.lastPosition();
        const total = MAX_PAGE + 100;
        await store.append(stream, range(0, total).map(numbered), 'no_stream');

        const big = await store.readStream(stream, { maxCount: 5 * MAX_PAGE });
        expect(big).toHaveLength(MAX_PAGE);
        expect(big.at(-1)!.revision).toBe(BigInt(MAX_PAGE - 1));
        expect(await store.readStream(stream)).toHaveLength(MAX_PAGE);
        const rest = await store.readStream(stream, {
          fromRevision: BigInt(MAX_PAGE),
          maxCount: 5 * MAX_PAGE,
        });
        expect(rest.map((e) => Number(e.revision))).toEqual(range(MAX_PAGE, total));

        const all = await store.readAll({ after: start ?? undefined, maxCount: 5 * MAX_PAGE });
        expect(all).toHaveLength(MAX_PAGE);
        expect(await store.readAll({ after: start ?? undefined })).toHaveLength(MAX_PAGE);
      });
    });

    describe('subscriptions', () => {
      it('catches up from a position and switches to live under concurrent writes without gaps or duplicates', async () => {
        const store = await open();
        const ns = uniqueStream('sub');
        const ours = (e: RecordedEvent) => e.stream.startsWith(`${ns}-`);
        const start = await store.lastPosition();

        for (let round = 0; round < 50; round += 1) {
          await Promise.all(
            [0, 1, 2, 3].map((s) => store.append(`${ns}-${s}`, [ev('Before', { round, s })], 'any')),
          );
        }
        const existing = await readAllAfter(store, start, ours);
        expect(existing).toHaveLength(200);
        const from = existing[49]!.position;

        const received: RecordedEvent[] = [];
        let delivered = 0;
        const subscription = store.subscribe(
          async (event) => {
            delivered += 1;
            if (!ours(event)) return;
            received.push(event);
            // A slow consumer, so that writes keep landing while it catches up.
            if (received.length % 20 === 0) await sleep(2);
          },
          { after: from },
        );

        const writers = Array.from({ length: 4 }, async (_, w) => {
          for (let round = 0; round < 25; round += 1) {
            await Promise.all(
              [0, 1, 2].map((k) =>
                store.append(`${ns}-${(w + k) % 4}`, [ev('During', { w, round, k })], 'any'),
              ),
            );
            if (round % 5 === 0) await sleep(1);
          }
        });
        await Promise.all(writers);

        const expected = (await readAllAfter(store, start, ours)).filter((e) => e.position > from);
        expect(expected).toHaveLength(150 + 300);
        await waitFor(
          () => received.length >= expected.length,
          10_000,
          () => `received ${received.length}`,
        );
        // Anything late would be a duplicate.
        await sleep(150);
        expect(received.map(key)).toEqual(expected.map(key));
        expect(received).toEqual(expected);
        expect(delivered).toBeGreaterThanOrEqual(received.length);

        await subscription.close();
        const atClose = received.length;
        await store.append(`${ns}-0`, [ev('After', {})], 'any');
        await sleep(300);
        expect(received).toHaveLength(atClose);
        await expect(subscription.done).resolves.toBeUndefined();
      });

      it('delivers from the start of the store when no position is given', async () => {
        const store = await open();
        const stream = uniqueStream('sub-start');
        await store.append(stream, [ev('A', { n: 0 })], 'no_stream');
        const [firstInStore] = await store.readAll({ maxCount: 1 });

        const received: RecordedEvent[] = [];
        const subscription = store.subscribe((event) => {
          received.push(event);
        });
        await waitFor(
          () => received.some((e) => e.stream === stream),
          20_000,
          () => 'event not delivered',
        );
        await subscription.close();
        expect(received[0]).toEqual(firstInStore);
        expectStrictlyIncreasing(received.map((e) => e.position));
      });

      it('sees live events written through another client', async () => {
        const reader = await open();
        const writer = await open();
        const stream = uniqueStream('sub-other');
        const start = await reader.lastPosition();

        const received: RecordedEvent[] = [];
        const subscription = reader.subscribe(
          (event) => {
            if (event.stream === stream) received.push(event);
          },
          { after: start ?? undefined },
        );
        await sleep(50);
        await writer.append(stream, [ev('A', { n: 0 })], 'no_stream');
        await writer.append(stream, [ev('A', { n: 1 }), ev('A', { n: 2 })], 0n);
        await waitFor(
          () => received.length >= 3,
          10_000,
          () => `received ${received.length}`,
        );
        await subscription.close();
        expect(received.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
      });

      it('lets timers and requests run while it delivers a long page to a slow handler', async () => {
        const store = await open();
        const stream = uniqueStream('sub-yield');
        const start = await store.lastPosition();
        await store.append(stream, range(0, 40).map(numbered), 'no_stream');

        // Each event costs its handler 5 ms of synchronous work, as a large batch's slices do.
        const handledWhenTimerRan: number[] = [];
        let handled = 0;
        const subscription = store.subscribe(
          (event) => {
            if (event.stream !== stream) return;
            const until = performance.now() + 5;
            while (performance.now() < until) {}
            handled++;
          },
          { after: start ?? undefined },
        );
        const ticker = setInterval(() => handledWhenTimerRan.push(handled), 1);
        await waitFor(
          () => handled === 40,
          20_000,
          () => `handled ${handled}`,
        );
        clearInterval(ticker);
        await subscription.close();
        // The 200 ms of handling was cut into turns of the event loop: the timer ran in the middle of it.
        expect(
          handledWhenTimerRan.some((n) => n > 0 && n < 40),
          String(handledWhenTimerRan),
        ).toBe(true);
      });

      it('ends with a rejected done when the handler throws, and delivers nothing more', async () => {
        const store = await open();
        const stream = uniqueStream('sub-error');
        const start = await store.lastPosition();
        await store.append(stream, range(0, 5).map(numbered), 'no_stream');

        const seen: number[] = [];
        const failure = new Error('projection failed');
        const subscription = store.subscribe(
          (event) => {
            if (event.stream !== stream) return;
            const n = (event.data as { n: number }).n;
            seen.push(n);
            if (n === 2) throw failure;
          },
          { after: start ?? undefined },
        );
        await expect(subscription.done).rejects.toBe(failure);
        await store.append(stream, [numbered(5)], 4n);
        await sleep(200);
        expect(seen).toEqual([0, 1, 2]);
        await subscription.close();
      });
    });

    // A million-record batch is one append of ~2,000 events and 45 MB of JSON: the adapters write
    // such an append over several turns of the event loop, which must change nothing it writes.
    describe('large appends', () => {
      it('commits a 12 MB append whole and in order beside small appends racing it', async () => {
        const store = await open();
        const stream = uniqueStream('large');
        const events = largeEvents(90, 100 * 1024);
        const small = Array.from({ length: 20 }, (_, i) => uniqueStream(`small-${i}`));
        const [large] = await Promise.all([
          store.append(stream, events, 'no_stream'),
          ...small.map((s, i) => store.append(s, [ev('Small', { i })], 'no_stream')),
        ]);
        expect(large!.nextExpectedRevision).toBe(89n);
        const written = await readWholeStream(store, stream);
        expect(written.map((e) => e.data)).toEqual(events.map((e) => e.data));
        // One append, one transaction: consecutive positions, nothing of another append among them.
        const positions = written.map((e) => e.position);
        for (let i = 1; i < positions.length; i++) expect(positions[i]).toBe(positions[i - 1]! + 1n);
        for (const s of small) expect(await readWholeStream(store, s)).toHaveLength(1);
      });

      it('writes nothing of a large append that loses its expected revision or holds a bad event', async () => {
        const store = await open();
        const stream = uniqueStream('large-lost');
        await store.append(stream, [ev('First', { n: 0 })], 'no_stream');
        const before = await store.lastPosition();
        await expect(store.append(stream, largeEvents(30, 100 * 1024), 'no_stream')).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        const bad: { type: string; data: unknown }[] = largeEvents(30, 100 * 1024);
        bad[29] = { type: 'Large', data: undefined };
        await expect(store.append(stream, bad as never, 0n)).rejects.toThrow(
          new TypeError(`stream ${stream}, event 29: data is not JSON`),
        );
        expect(await readWholeStream(store, stream)).toHaveLength(1);
        expect(await store.lastPosition()).toBe(before);
        await expect(store.append(stream, largeEvents(30, 100 * 1024), 0n)).resolves.toMatchObject({
          nextExpectedRevision: 30n,
        });
      });

      it('close() commits a large append asked for before it', async () => {
        const store = await open();
        const stream = uniqueStream('large-close');
        const events = largeEvents(30, 100 * 1024);
        const appended = store.append(stream, events, 'no_stream');
        await store.close();
        await expect(appended).resolves.toMatchObject({ nextExpectedRevision: 29n });
        const reopened = await open();
        expect((await readWholeStream(reopened, stream)).map((e) => e.data)).toEqual(
          events.map((e) => e.data),
        );
      });
    });

    describe('durability', () => {
      it('keeps committed events across close and reopen', async () => {
        const first = await open();
        const stream = uniqueStream('reopen');
        const result = await first.append(stream, [ev('A', { n: 0 }), ev('A', { n: 1 })], 'no_stream');
        const before = await readWholeStream(first, stream);
        await first.close();

        const second = await open();
        expect(await readWholeStream(second, stream)).toEqual(before);
        expect(await second.lastPosition()).toBeGreaterThanOrEqual(result.position);
        const next = await second.append(stream, [ev('A', { n: 2 })], 1n);
        expect(next.nextExpectedRevision).toBe(2n);
        expect(next.position).toBeGreaterThan(result.position);
      });

      it('keeps every acknowledged append of a process killed mid-flight (3 rounds)', async () => {
        if (!handle) throw new Error('no store handle');
        const config = handle.config;
        const acks: Ack[] = [];
        for (let round = 0; round < 3; round += 1) {
          const prefix = uniqueStream(`killed-${round}`);
          const roundAcks = await appendUntilKilled(config, prefix, 200);
          expect(roundAcks.length).toBeGreaterThanOrEqual(200);
          acks.push(...roundAcks);

          const store = await open();
          await expectAcknowledged(store, acks);
          // The store still takes writes after the crash.
          const probe = uniqueStream('after-kill');
          const written = await store.append(probe, [ev('Probe', { round })], 'no_stream');
          expect(written.position).toBeGreaterThan(maxOf(acks.map((a) => a.position)));
          await store.close();
        }
      });
    });
  });
}

export interface Ack {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: JsonValue;
}

/** Runs the fixture until it acknowledged `killAfter` appends, then SIGKILLs it. Resolves with every ack it printed. */
export function appendUntilKilled(
  config: EventStoreConfig,
  prefix: string,
  killAfter: number,
): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', KILL_FIXTURE], {
    cwd: ROOT,
    env: {
      ...process.env,
      CHANCERY_EVENT_STORE_CONFIG: JSON.stringify(config),
      APPEND_STREAM_PREFIX: prefix,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let stdout = '';
  let stderr = '';
  let killed = false;
  return new Promise<Ack[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child acknowledged only ${acks.length} appends in time; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      // Only whole lines: a line is written in one go after its append resolved.
      let newline = stdout.indexOf('\n');
      while (newline >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line.startsWith('ack ')) {
          const raw = JSON.parse(line.slice(4)) as {
            stream: string;
            revision: string;
            position: string;
            data: JsonValue;
          };
          acks.push({ ...raw, revision: BigInt(raw.revision), position: BigInt(raw.position) });
        }
        newline = stdout.indexOf('\n');
      }
      if (!killed && acks.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' rather than 'exit': acks already in the pipe when the kill lands still count.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed) {
        reject(
          new Error(`child ended before being killed (code ${code}, signal ${signal}); stderr:\n${stderr}`),
        );
      } else if (signal !== 'SIGKILL') {
        reject(new Error(`child was not killed by SIGKILL (code ${code}, signal ${signal})`));
      } else {
        resolve(acks);
      }
    });
  });
}

async function expectAcknowledged(store: EventStore, acks: readonly Ack[]): Promise<void> {
  const byStream = new Map<string, Ack[]>();
  for (const ack of acks) byStream.set(ack.stream, [...(byStream.get(ack.stream) ?? []), ack]);
  for (const [stream, streamAcks] of byStream) {
    const events = await readWholeStream(store, stream);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, r) => BigInt(r)));
    for (const ack of streamAcks) {
      const event = events[Number(ack.revision)];
      expect(event, `${stream}@${ack.revision} was acknowledged but is missing`).toBeDefined();
      expect({ position: event!.position, data: event!.data }).toEqual({
        position: ack.position,
        data: ack.data,
      });
    }
  }
  expect(await store.lastPosition()).toBeGreaterThanOrEqual(maxOf(acks.map((a) => a.position)));
}

function uniqueStream(label: string): string {
  return `contract-${label}-${randomUUID()}`;
}

function ev(type: string, data: JsonValue) {
  return { type, data };
}

/** `count` events of `bytes` random bytes each, as base64 (a batch's digest slices, in size). */
export function largeEvents(count: number, bytes: number) {
  return Array.from({ length: count }, (_, from) =>
    ev('Large', { from, digestsBase64: randomBytes(bytes).toString('base64') }),
  );
}

function numbered(n: number) {
  return { type: 'Numbered', data: { n } };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function key(e: RecordedEvent): string {
  return `${e.position}:${e.stream}@${e.revision}`;
}

function maxOf(values: readonly bigint[]): bigint {
  let max = values[0]!;
  for (const value of values) if (value > max) max = value;
  return max;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await sleep(5);
  }
}

function expectStrictlyIncreasing(positions: readonly bigint[]): void {
  for (let i = 1; i < positions.length; i += 1) {
    if (!(positions[i]! > positions[i - 1]!)) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

async function readWholeStream(
  store: EventStore,
  stream: string,
  pageSize = MAX_PAGE,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: BigInt(events.length), maxCount: pageSize });
    events.push(...page);
    if (page.length < pageSize) return events;
  }
}

/** Every event after `start` (a lastPosition() result) that matches, in commit order. */
async function readAllAfter(
  store: EventStore,
  start: bigint | null,
  matches: (event: RecordedEvent) => boolean,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = start ?? undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: MAX_PAGE });
    if (page.length === 0) return events;
    events.push(...page.filter(matches));
    after = page.at(-1)!.position;
  }
}

async function countAfter(store: EventStore, start: bigint | null, stream: string): Promise<number> {
  return (await readAllAfter(store, start, (e) => e.stream === stream)).length;
}

async function expectStreamData(store: EventStore, stream: string, data: JsonValue[]): Promise<void> {
  expect((await readWholeStream(store, stream)).map((e) => e.data)).toEqual(data);
}
