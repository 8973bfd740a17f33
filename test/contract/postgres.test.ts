import { afterAll } from 'vitest';
import { type EventStoreConfig, openEventStore } from '../../src/node/open-event-store.js';
import { createTestDatabase, uniqueSchema } from '../support/postgres-server.js';
import { eventStoreContract } from './event-store-contract.js';

// The same suite the sqlite adapter passes, unchanged, against the machine's real PostgreSQL: a
// database of its own for this run, dropped afterwards. It never skips: when the server cannot be
// reached, creating the database fails the file and says why. Like the EventStoreDB run, the tests
// share one store (one schema): the suite uses random stream names and reads relative to
// lastPosition(), and migrating a fresh schema for every test would only add time.
const database = await createTestDatabase('contract');
afterAll(() => database.drop());
const schema = uniqueSchema('contract');

eventStoreContract('postgres', {
  async create() {
    // The default poll interval (1 s) on purpose: live delivery has to come through LISTEN/NOTIFY.
    const config: EventStoreConfig = { kind: 'postgres', url: database.url, schema };
    return { config, open: () => openEventStore(config) };
  },
});
