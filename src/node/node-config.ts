import { join, resolve } from 'node:path';
import type { ConnectionLimits } from '../api/hardening/connection-limits.js';
import { checkSchemaName, isPostgresUrl } from '../infrastructure/eventstore/postgres/connection-string.js';
import {
  type FederationConfig,
  type FederationConfigInput,
  resolveFederationConfig,
} from '../infrastructure/federation/federation-config.js';
import { type ListenAddress, listenHost, parseListenAddress } from './listen-address.js';
import type { EventStoreConfig } from './open-event-store.js';
import { defaultMaxConnections, openFileLimit } from './open-file-limit.js';

/** Which event store the node writes to. The sqlite file lives in the data folder. */
export type StoreSelection =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string }
  | { readonly kind: 'eventstoredb'; readonly url: string };

export interface NodeConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Log origin, e.g. shanxi.gov.example/chancery; the checkpoint key name. */
  readonly origin: string;
  /** Base URL citizens reach this node at; proof URLs start with it. */
  readonly publicUrl: string;
  /** Whether publicUrl was given rather than derived from host and port. */
  readonly publicUrlExplicit: boolean;
  readonly maxSkewSeconds: number;
  readonly logLevel: string;
  readonly authorityCode: string;
  readonly authorityName: string;
  /** Longest wait from a new log leaf to the checkpoint that seals it. */
  readonly sealIntervalMs: number;
  /** Seal at once when this many leaves wait, without waiting for the interval. */
  readonly sealMaxLeaves: number;
  readonly store: StoreSelection;
  /**
   * Private key that signs checkpoints (default DATA/node.key). Every node writing one log shares it:
   * clients trust one log verifier key.
   */
  readonly logKeyFile: string;
  /** Role (primary or mirror-witness), witnesses, upstreams and trust policy: see docs/federation.md. */
  readonly federation: FederationConfig;
  /** How often the node samples its nodes' state for /v1/operations/history. */
  readonly historyIntervalMs: number;
  /** Connections open at once, overall and per client address (docs/hardening.md). */
  readonly connections: ConnectionLimits;
  /**
   * The operations listener (/health/*, /metrics apart from the public listener's caps:
   * api/ops-app.ts), or null when it is off (the default).
   */
  readonly opsListen: ListenAddress | null;
}

export interface NodeConfigInput {
  dataDir?: string;
  host?: string;
  port?: number | string;
  origin?: string;
  publicUrl?: string;
  maxSkewSeconds?: number | string;
  logLevel?: string;
  sealIntervalMs?: number | string;
  sealMaxLeaves?: number | string;
  /** sqlite | postgres | eventstoredb */
  store?: string;
  esdbUrl?: string;
  pgUrl?: string;
  pgSchema?: string;
  logKeyFile?: string;
  federation?: FederationConfigInput;
  /** HOST:PORT of the operations listener. */
  opsListen?: string;
}

/** Flags win over environment variables, which win over defaults. Documented in the README's configuration table. */
export function resolveNodeConfig(flags: NodeConfigInput, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const host = listenHost(flags.host ?? env['CHANCERY_HOST'] ?? '127.0.0.1');
  const port = toInt(flags.port ?? env['CHANCERY_PORT'] ?? 8080, 'port', 0, 65535);
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const dataDir = resolve(flags.dataDir ?? env['CHANCERY_DATA'] ?? './data');
  const logKeyFile = flags.logKeyFile ?? env['CHANCERY_LOG_KEY_FILE'];
  return {
    dataDir,
    host,
    port,
    origin: flags.origin ?? env['CHANCERY_ORIGIN'] ?? 'localhost/chancery',
    publicUrl: (flags.publicUrl ?? env['CHANCERY_PUBLIC_URL'] ?? `http://${displayHost}:${port}`).replace(
      /\/+$/,
      '',
    ),
    publicUrlExplicit: (flags.publicUrl ?? env['CHANCERY_PUBLIC_URL']) !== undefined,
    maxSkewSeconds: toInt(
      flags.maxSkewSeconds ?? env['CHANCERY_MAX_SKEW_SECONDS'] ?? 300,
      'max skew',
      1,
      86_400,
    ),
    logLevel: flags.logLevel ?? env['CHANCERY_LOG_LEVEL'] ?? 'info',
    authorityCode: env['CHANCERY_AUTHORITY_CODE'] ?? 'AUTHORITY',
    authorityName: env['CHANCERY_AUTHORITY_NAME'] ?? 'Root authority',
    sealIntervalMs: toInt(
      flags.sealIntervalMs ?? env['CHANCERY_SEAL_INTERVAL_MS'] ?? 300,
      'seal interval (ms)',
      1,
      3_600_000,
    ),
    sealMaxLeaves: toInt(
      flags.sealMaxLeaves ?? env['CHANCERY_SEAL_MAX_LEAVES'] ?? 1000,
      'leaves per seal',
      1,
      1_000_000,
    ),
    store: storeSelection(flags, env),
    logKeyFile:
      logKeyFile === undefined || logKeyFile === '' ? join(dataDir, 'node.key') : resolve(logKeyFile),
    federation: resolveFederationConfig(flags.federation ?? {}, env),
    historyIntervalMs: toInt(
      env['CHANCERY_HISTORY_INTERVAL_MS'] ?? 60_000,
      'history interval (ms)',
      100,
      3_600_000,
    ),
    connections: connectionLimits(env),
    opsListen: opsListen(flags, env, port),
  };
}

/** Off unless set; an empty value is unset, as compose files write it. */
function opsListen(flags: NodeConfigInput, env: NodeJS.ProcessEnv, publicPort: number): ListenAddress | null {
  const name = flags.opsListen === undefined ? 'CHANCERY_OPS_LISTEN' : '--ops-listen';
  const value = flags.opsListen ?? env['CHANCERY_OPS_LISTEN'] ?? '';
  if (value === '') return null;
  const address = parseListenAddress(value, name);
  // Two listeners cannot share a port; port 0 on both asks the OS for two different ones.
  if (address.port !== 0 && address.port === publicPort) {
    throw new Error(
      `invalid ${name}: ${value} (the public listener's port is ${publicPort}; expected another port)`,
    );
  }
  return address;
}

/** Environment only, like the seal settings: an operator's tuning, not something to pass per run. */
function connectionLimits(env: NodeJS.ProcessEnv): ConnectionLimits {
  return {
    maxConnections: toInt(
      env['CHANCERY_MAX_CONNECTIONS'] ?? defaultMaxConnections(openFileLimit()),
      'CHANCERY_MAX_CONNECTIONS',
      1,
      1_000_000,
    ),
    maxConnectionsPerAddress: toInt(
      env['CHANCERY_MAX_CONNECTIONS_PER_ADDRESS'] ?? 256,
      'CHANCERY_MAX_CONNECTIONS_PER_ADDRESS (0: no per-address cap)',
      0,
      1_000_000,
    ),
  };
}

function storeSelection(flags: NodeConfigInput, env: NodeJS.ProcessEnv): StoreSelection {
  const esdbUrl = flags.esdbUrl ?? env['CHANCERY_ESDB_URL'];
  const pgUrl = flags.pgUrl ?? env['CHANCERY_PG_URL'];
  // A URL alone selects its store (both at once need --store); an explicit --store sqlite wins over an inherited URL.
  const implied = pgUrl && esdbUrl ? undefined : pgUrl ? 'postgres' : esdbUrl ? 'eventstoredb' : 'sqlite';
  const kind = flags.store ?? env['CHANCERY_STORE'] ?? implied;
  if (kind === undefined) {
    throw new Error('both a PostgreSQL and an EventStoreDB URL are set: choose one with --store');
  }
  if (kind === 'sqlite') return { kind };
  if (kind === 'postgres') return postgresSelection(pgUrl, flags.pgSchema ?? env['CHANCERY_PG_SCHEMA']);
  if (kind !== 'eventstoredb') {
    throw new Error(`invalid store: ${kind} (expected sqlite, postgres or eventstoredb)`);
  }
  if (!esdbUrl)
    throw new Error(
      '--store eventstoredb needs --esdb-url esdb://HOST:2113?tls=false (env CHANCERY_ESDB_URL)',
    );
  if (!/^esdb(\+discover)?:\/\/\S+$/.test(esdbUrl)) {
    // The URL is not echoed: it may carry a password.
    throw new Error('invalid EventStoreDB URL: expected esdb://HOST:PORT?… or esdb+discover://HOST:PORT?…');
  }
  return { kind, url: esdbUrl };
}

function postgresSelection(url: string | undefined, schema: string | undefined): StoreSelection {
  if (!url) {
    throw new Error(
      '--store postgres needs --pg-url postgres://USER@HOST:5432/DATABASE (env CHANCERY_PG_URL)',
    );
  }
  if (!isPostgresUrl(url)) {
    // The URL is not echoed: it may carry a password.
    throw new Error('invalid PostgreSQL URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  }
  if (schema === undefined || schema === '') return { kind: 'postgres', url };
  try {
    return { kind: 'postgres', url, schema: checkSchemaName(schema) };
  } catch {
    throw new Error(
      `invalid PostgreSQL schema: ${JSON.stringify(schema)} (expected a lower-case SQL identifier, [a-z_][a-z0-9_]*, at most 48 characters)`,
    );
  }
}

/** The adapter config for a node's store selection; the sqlite file is DATA/events.db. */
export function eventStoreConfigOf(store: StoreSelection, eventStoreFile: string): EventStoreConfig {
  return store.kind === 'sqlite' ? { kind: 'sqlite', path: eventStoreFile } : store;
}

function toInt(value: number | string, what: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`invalid ${what}: ${value} (expected an integer ${min}..${max})`);
  return n;
}
