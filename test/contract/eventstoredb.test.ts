import { afterAll } from 'vitest';
import { type EventStoreConfig, openEventStore } from '../../src/node/open-event-store.js';
import {
  type EventStoreDbServer,
  eventStoreDbSkipReason,
  startEventStoreDb,
} from '../support/eventstoredb-server.js';
import { eventStoreContract } from './event-store-contract.js';

// The same suite the sqlite adapter passes, unchanged. One server for the whole file: the suite
// uses random stream names and reads only after lastPosition() taken at the start of each test.
const skipReason = await eventStoreDbSkipReason();
let server: Promise<EventStoreDbServer> | undefined;

afterAll(async () => {
  if (server !== undefined) await (await server).stop();
});

eventStoreContract('eventstoredb', {
  skipReason,
  async create() {
    server ??= startEventStoreDb();
    const config: EventStoreConfig = { kind: 'eventstoredb', url: (await server).url };
    return { config, open: () => openEventStore(config) };
  },
});
