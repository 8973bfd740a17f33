/**
 * What the EventStoreDB adapter does without a server: the behaviour the
 * contract suite (test/contract/eventstoredb.test.ts) cannot show where no
 * container runtime exists. A store pointed at a closed port must fail every
 * call with StoreUnavailableError (the API's 503), quickly, in one line, and
 * never leak a password from the connection string.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EventStoreDbEventStore,
  maskPassword,
} from '../../../src/infrastructure/eventstore/eventstoredb/eventstoredb-event-store.js';
import { StoreUnavailableError } from '../../../src/infrastructure/eventstore/port.js';
import { openEventStore } from '../../../src/node/open-event-store.js';

const stores: EventStoreDbEventStore[] = [];
afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
});

/** A port nothing listens on: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function unreachableStore(credentials = ''): Promise<{ store: EventStoreDbEventStore; port: number }> {
  const port = await closedPort();
  const store = new EventStoreDbEventStore({ url: `esdb://${credentials}127.0.0.1:${port}?tls=false` });
  stores.push(store);
  return { store, port };
}

describe('EventStoreDbEventStore without a server', () => {
  it('is selected by openEventStore and connects lazily', async () => {
    const port = await closedPort();
    const store = await openEventStore({ kind: 'eventstoredb', url: `esdb://127.0.0.1:${port}?tls=false` });
    stores.push(store as EventStoreDbEventStore);
    expect(store.kind).toBe('eventstoredb');
  });

  it('refuses a connection string that is not esdb:// or esdb+discover://', () => {
    for (const url of ['http://localhost:2113', 'localhost:2113', '', 'esdb://']) {
      expect(() => new EventStoreDbEventStore({ url }), url).toThrow(TypeError);
    }
    for (const url of ['esdb://localhost:2113?tls=false', 'esdb+discover://cluster.example:2113']) {
      stores.push(new EventStoreDbEventStore({ url }));
    }
  });

  it('fails appends, reads and lastPosition with StoreUnavailableError naming the server, in one line', async () => {
    const { store, port } = await unreachableStore();
    const started = Date.now();
    const calls = [
      store.append('s-1', [{ type: 'A', data: { n: 1 } }], 'no_stream'),
      store.append('s-1', [], 'any'),
      store.readStream('s-1'),
      store.readAll({ maxCount: 10 }),
      store.lastPosition(),
    ];
    for (const call of calls) {
      const error = await call.then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toContain(`eventstoredb esdb://127.0.0.1:${port}?tls=false:`);
      expect(error.message).not.toContain('\n');
    }
    // Connection refused is answered at once; nothing waits for a deadline.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ends a subscription with StoreUnavailableError and never calls the handler', async () => {
    const { store } = await unreachableStore();
    let called = 0;
    const subscription = store.subscribe(() => {
      called++;
    });
    await expect(subscription.done).rejects.toBeInstanceOf(StoreUnavailableError);
    await subscription.close();
    expect(called).toBe(0);
  });

  it('masks the password of the connection string in errors', async () => {
    const { store } = await unreachableStore('admin:changeit@');
    const error = await store.readStream('s').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String((error as Error).message)).toContain('esdb://admin:***@127.0.0.1:');
    expect(String((error as Error).message)).not.toContain('changeit');
    expect(maskPassword('esdb+discover://u:p%40ss@a:2113,b:2113?tls=false')).toBe(
      'esdb+discover://u:***@a:2113,b:2113?tls=false',
    );
    expect(maskPassword('esdb://a:2113,b:2113')).toBe('esdb://a:2113,b:2113');
  });

  it('checks its arguments before any I/O, as the sqlite adapter does', async () => {
    const { store } = await unreachableStore();
    await expect(store.append('', [{ type: 'A', data: {} }], 'any')).rejects.toBeInstanceOf(TypeError);
    await expect(store.append('s', [{ type: 'A', data: {} }], 'latest' as never)).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(store.append('s', [{ type: '', data: {} }], 'any')).rejects.toBeInstanceOf(TypeError);
    await expect(store.append('s', [{ type: 'A', data: undefined as never }], 'any')).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(store.readStream('s', { fromRevision: -1n })).rejects.toBeInstanceOf(RangeError);
    await expect(store.readAll({ maxCount: -1 })).rejects.toBeInstanceOf(RangeError);
    expect(await store.readAll({ maxCount: 0 })).toEqual([]);
    expect(await store.readStream('s', { maxCount: 0 })).toEqual([]);
  });

  it('refuses work after close, and close is idempotent', async () => {
    const { store } = await unreachableStore();
    await store.close();
    await store.close();
    await expect(store.append('s', [{ type: 'A', data: {} }], 'any')).rejects.toThrow(
      'event store is closed',
    );
    await expect(store.readStream('s')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(() => store.subscribe(() => {})).toThrow(StoreUnavailableError);
  });
});
