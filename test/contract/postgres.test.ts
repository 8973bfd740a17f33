import { afterAll } from 'vitest';
import { type EventStoreConfig, openEventStore } from '../../src/node/open-event-store.js';
import { createTestDatabase, uniqueSchema } from '../support/postgres-server.js';
import { eventStoreContract } from './event-store-contract.js';

// The same suite the sqlite adapter passes, unchanged, against the machine's real PostgreSQL: a
// database of its own for this file, a schema of its own for each test, all dropped afterwards. It
// never skips: when the server cannot be reached, creating the database fails the file and says why.
const database = await createTestDatabase('contract');
afterAll(() => database.drop());

eventStoreContract('postgres', {
  async create() {
    const schema = uniqueSchema('contract');
    // The default poll interval (1 s) on purpose: live delivery has to come through LISTEN/NOTIFY.
    const config: EventStoreConfig = { kind: 'postgres', url: database.url, schema };
    return {
      config,
      open: () => openEventStore(config),
      dispose: async () => {
        await database.sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
});
