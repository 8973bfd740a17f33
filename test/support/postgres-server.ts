/**
 * The machine's real PostgreSQL, for tests: a database of its own per test
 * file (dropped at the end), a schema of its own per test where a test wants
 * one. Nothing here skips: a server that cannot be reached fails the suite
 * with the command that starts it.
 *
 * CHANCERY_TEST_PG_URL points at another server (a role that may CREATE
 * DATABASE); the default is the local one with trust auth.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeError } from '../../src/infrastructure/eventstore/postgres/postgres-errors.js';

export const ADMIN_URL = process.env['CHANCERY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs one statement in this database on a fresh connection. */
  sql<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/** `postgres://…/postgres` with another database name. */
export function urlOfDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function runSql<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `chancery_<label>_<random>` on the test server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `chancery_${label}_${randomBytes(5).toString('hex')}`;
  try {
    await runSql(ADMIN_URL, `CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} cannot create a test database (${describeError(error)}). ` +
        'Start the local server with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, ' +
        'or point CHANCERY_TEST_PG_URL at one where this role may CREATE DATABASE.',
    );
  }
  const url = urlOfDatabase(ADMIN_URL, name);
  return {
    name,
    url,
    sql: (text, values) => runSql(url, text, values),
    drop: async () => {
      await runSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A schema name no other test uses. */
export function uniqueSchema(label: string): string {
  return `${label}_${randomBytes(5).toString('hex')}`;
}
