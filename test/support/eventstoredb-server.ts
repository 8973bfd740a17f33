/**
 * An EventStoreDB server for the tests that need one: a testcontainers
 * GenericContainer running eventstore/eventstore:24.10 in insecure mode, or
 * the server named by CHANCERY_TEST_ESDB_URL (a CI service container, say).
 * Where neither exists the tests are registered as skipped with the reason
 * printed: they never pass silently.
 */
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import { EventStoreDbEventStore } from '../../src/infrastructure/eventstore/eventstoredb/eventstoredb-event-store.js';

export const ESDB_IMAGE = 'eventstore/eventstore:24.10';
const ESDB_PORT = 2113;

export interface EventStoreDbServer {
  /** esdb://host:port?tls=false */
  readonly url: string;
  stop(): Promise<void>;
}

/** Why EventStoreDB tests cannot run here; undefined when they can. Decided once, before tests register. */
export async function eventStoreDbSkipReason(): Promise<string | undefined> {
  if (process.env['CHANCERY_TEST_ESDB_URL']) return undefined;
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return (
      `no container runtime for ${ESDB_IMAGE} (testcontainers: ${(error as Error).message}); ` +
      'run where Docker is reachable, or set CHANCERY_TEST_ESDB_URL=esdb://…'
    );
  }
}

export async function startEventStoreDb(): Promise<EventStoreDbServer> {
  const external = process.env['CHANCERY_TEST_ESDB_URL'];
  if (external) {
    await untilWritable(external);
    return { url: external, stop: async () => undefined };
  }
  const container: StartedTestContainer = await new GenericContainer(ESDB_IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_NODE_PORT: String(ESDB_PORT),
    })
    .withExposedPorts(ESDB_PORT)
    .withHealthCheck({
      test: ['CMD-SHELL', `curl -fsS http://localhost:${ESDB_PORT}/health/live || exit 1`],
      interval: 1000,
      timeout: 3000,
      retries: 90,
      startPeriod: 1000,
    })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(120_000)
    .start();
  const url = `esdb://${container.getHost()}:${container.getMappedPort(ESDB_PORT)}?tls=false`;
  await untilWritable(url);
  return { url, stop: async () => void (await container.stop()) };
}

/**
 * Live is not leader: the first writes can fail while the node elects itself. The probe writes to a
 * system stream (`$…`), which Chancery's feed never sees, so tests that need an empty log still get one.
 */
async function untilWritable(url: string): Promise<void> {
  const store = new EventStoreDbEventStore({ url });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        await store.append('$chancery-test-probe', [{ type: 'Probed', data: { at: Date.now() } }], 'any');
        return;
      } catch (error) {
        // Refused is an answer too: the server is up and deciding.
        if ((error as Error & { cause?: Error }).cause?.constructor.name === 'AccessDeniedError') return;
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await store.close();
  }
}
