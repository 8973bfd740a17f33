/** Whether the event store answers a cheap read now, bounded in time so a hung store cannot hold a probe. */

import type { EventStore } from '../infrastructure/eventstore/port.js';

const PROBE_MS = 2000;

/** Null when the store answered, otherwise why it did not. */
export async function storeError(store: EventStore, timeoutMs = PROBE_MS): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`event store did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  const probe = store.lastPosition().then(
    () => null,
    (error: unknown) => `event store unreachable: ${(error as Error).message}`,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
