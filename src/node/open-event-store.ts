import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventStore } from '../infrastructure/eventstore/port.js';
import { SqliteEventStore } from '../infrastructure/eventstore/sqlite/sqlite-event-store.js';

/** Embedded store in one SQLite file, shareable by several processes on the same host. */
export interface SqliteEventStoreConfig {
  readonly kind: 'sqlite';
  readonly path: string;
  /** How often idle subscriptions look for commits made by other processes. Default 100 ms. */
  readonly pollIntervalMs?: number;
}

/** EventStoreDB (single node or cluster) through its gRPC client. */
export interface EventStoreDbConfig {
  readonly kind: 'eventstoredb';
  /** esdb:// or esdb+discover:// connection string, e.g. esdb://localhost:2113?tls=false. */
  readonly url: string;
}

/** PostgreSQL through node-postgres: several API nodes on one database. */
export interface PostgresEventStoreConfig {
  readonly kind: 'postgres';
  /** postgres://USER:PASSWORD@HOST:5432/DATABASE */
  readonly url: string;
  /** Schema holding the log's tables (one log per schema). Default `chancery`. */
  readonly schema?: string;
  /** How long an idle subscription waits for a NOTIFY before reading anyway. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** statement_timeout of every statement, lock waits included. Default 10,000 ms. */
  readonly statementTimeoutMs?: number;
  /** How long COMMIT may wait (for a synchronous standby) before its appends answer 503. Default 30,000 ms. */
  readonly commitTimeoutMs?: number;
  /** application_name of the node's connections (pg_stat_activity). Default `chancery`. */
  readonly applicationName?: string;
}

/**
 * Which adapter to open and how. Plain JSON on purpose: it travels through
 * config files, environment variables and to child processes. Add an adapter
 * as another member discriminated by `kind`.
 */
export type EventStoreConfig = SqliteEventStoreConfig | EventStoreDbConfig | PostgresEventStoreConfig;

export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case 'sqlite': {
      if (typeof config.path !== 'string' || config.path.length === 0) {
        throw new TypeError('sqlite event store: path is required');
      }
      if (config.path !== ':memory:') await mkdir(dirname(config.path), { recursive: true });
      return new SqliteEventStore({ path: config.path, pollIntervalMs: config.pollIntervalMs });
    }
    case 'eventstoredb': {
      // Loaded on use: a node on the embedded store never pays for loading gRPC.
      const { EventStoreDbEventStore } = await import(
        '../infrastructure/eventstore/eventstoredb/eventstoredb-event-store.js'
      );
      // Connects lazily: an unreachable server shows up as StoreUnavailableError on first use, not here.
      return new EventStoreDbEventStore({ url: config.url });
    }
    case 'postgres': {
      // Loaded on use, like EventStoreDB's client; connects on first use, so an unreachable server is a
      // StoreUnavailableError the node retries, not a failed start.
      const { PostgresEventStore } = await import(
        '../infrastructure/eventstore/postgres/postgres-event-store.js'
      );
      return new PostgresEventStore(config);
    }
    default:
      return unknownKind(config);
  }
}

// Typed `never` so that adding a member to EventStoreConfig without a case here fails to compile.
function unknownKind(config: never): never {
  throw new TypeError(`unknown event store kind: ${String((config as { kind?: unknown }).kind)}`);
}
