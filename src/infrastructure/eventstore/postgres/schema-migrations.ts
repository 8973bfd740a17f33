import type { ClientBase } from 'pg';
import { MIGRATION_LOCK_CLASS, SEQUENCING_LOCK_CLASS, schemaLockKey } from './connection-string.js';

/**
 * The adapter's schema, as numbered migrations. Each runs once, in order,
 * inside one transaction with the record of it in `<schema>.schema_migrations`.
 * Every node runs `migrate` when it first touches the store; an advisory lock
 * makes nodes starting together take turns, so exactly one of them applies
 * each migration. A store whose schema is newer than this code knows is
 * refused: an old node must not write to a layout it does not understand.
 *
 * Add a migration by appending to MIGRATIONS; never edit one that has shipped.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL for the schema (an identifier checked by checkSchemaName); may hold several statements. */
  sql(schema: string): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events table, sequencing lock, append-only guard',
    sql: (schema) => {
      const s = quoteIdentifier(schema);
      return `
CREATE TABLE ${s}.events (
  -- bigserial's sequence has CACHE 1: values are handed out in the order the sequencing lock is taken.
  position bigserial PRIMARY KEY,
  stream text NOT NULL,
  revision bigint NOT NULL CHECK (revision >= 0),
  type text NOT NULL,
  -- json, not jsonb: the text is kept exactly as written (key order, numbers, escapes).
  data json NOT NULL,
  metadata json,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision UNIQUE (stream, revision)
);

-- Every statement that inserts events, through Chancery or not, first takes the sequencing lock,
-- held until its transaction ends: positions are drawn and committed one transaction at a time,
-- so no reader ever sees a position before a smaller one that is still to commit.
CREATE FUNCTION ${s}.take_sequencing_lock() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(${SEQUENCING_LOCK_CLASS}, ${schemaLockKey(schema)});
  RETURN NULL;
END
$fn$;
CREATE TRIGGER events_take_sequencing_lock BEFORE INSERT ON ${s}.events
  FOR EACH STATEMENT EXECUTE PROCEDURE ${s}.take_sequencing_lock();

-- The log's history is append-only: a rewrite is refused here, and witnesses would catch it anyway.
CREATE FUNCTION ${s}.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'chancery events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.events
  FOR EACH STATEMENT EXECUTE PROCEDURE ${s}.refuse_rewrite();
`;
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** `"name"`: the schema name is checked already; quoting keeps reserved words (e.g. `user`) usable. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Brings the schema up to LATEST_SCHEMA_VERSION on `client` (a connection not in a transaction).
 * Resolves with the version it found before migrating (0 for a new store).
 */
export async function migrate(client: ClientBase, schema: string): Promise<number> {
  const s = quoteIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [MIGRATION_LOCK_CLASS, schemaLockKey(schema)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(
      `SELECT coalesce(max(version), 0)::integer AS version FROM ${s}.schema_migrations`,
    );
    const found = rows[0]?.version ?? 0;
    if (found > LATEST_SCHEMA_VERSION) {
      // The adapter reports it as StoreUnavailableError: other nodes may be upgrading; this one keeps retrying.
      throw new Error(
        `schema ${schema} is at version ${found}, newer than this Chancery knows (${LATEST_SCHEMA_VERSION}): upgrade this node`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= found) continue;
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
    return found;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
