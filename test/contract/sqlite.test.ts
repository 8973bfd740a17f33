import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStoreConfig, openEventStore } from '../../src/node/open-event-store.js';
import { eventStoreContract } from './event-store-contract.js';

eventStoreContract('sqlite', {
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'chancery-contract-'));
    // A short poll keeps the cross-client subscription tests fast; the default is 100 ms.
    const config: EventStoreConfig = {
      kind: 'sqlite',
      path: join(dir, 'store', 'events.db'),
      pollIntervalMs: 20,
    };
    return {
      config,
      open: () => openEventStore(config),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
