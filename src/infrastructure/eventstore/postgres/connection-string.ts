/**
 * What the adapter needs to know about where it connects: a connection
 * string safe to print, the schema its tables live in, and the advisory-lock
 * keys derived from that schema.
 */

/** `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`: URLs end up in logs and banners. */
export function maskPostgresPassword(url: string): string {
  return url
    .replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@/]*@/, '$1***@')
    .replace(/([?&]password=)[^&]*/gi, '$1***');
}

export function isPostgresUrl(url: unknown): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\/\S*$/.test(url);
}

/**
 * Lower-case, unquoted-identifier syntax: safe to splice into SQL as an identifier. At most 48
 * characters, so that the feed's channel name (`<schema>_events`) stays within PostgreSQL's 63.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export const DEFAULT_SCHEMA = 'chancery';

export function checkSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `postgres: schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 48 characters), got ${JSON.stringify(schema)}`,
    );
  }
  return schema;
}

/**
 * Advisory lock classes (the first key of pg_advisory_xact_lock(int4, int4)); the second key is
 * the schema's hash, so two Chancery logs in one database never wait for each other (a hash
 * collision would only make them take turns). The two-int key space does not overlap the bigint one.
 */
export const SEQUENCING_LOCK_CLASS = 0x43484e01; // 'CHN' 1
export const MIGRATION_LOCK_CLASS = 0x43484e02; // 'CHN' 2

/** FNV-1a over the UTF-8 bytes, as a signed 32-bit integer: stable across versions and processes. */
export function schemaLockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(schema)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** The LISTEN/NOTIFY channel of a schema's feed (a quoted identifier in LISTEN, text in pg_notify). */
export function feedChannel(schema: string): string {
  return `${schema}_events`;
}
