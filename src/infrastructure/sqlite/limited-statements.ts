import type Database from 'better-sqlite3';

/** Distinct LIMITs kept prepared; the store's callers use a handful (1, 100, 500, MAX_PAGE). */
const MAX_KEPT = 16;

/**
 * One prepared statement per LIMIT, the LIMIT written into the SQL as a
 * literal. SQLite (3.53, as bundled by better-sqlite3) plans a `LIMIT ?`
 * with the value bound at prepare time and marks the parameter so that any
 * new binding expires the statement: every run of it was parsed and planned
 * again (sqlite3Reprepare under each read page). A literal LIMIT is planned
 * once.
 */
export class LimitedStatements<Params extends unknown[], Row> {
  readonly #byLimit = new Map<number, Database.Statement<Params, Row>>();

  /** `sql` gets the LIMIT, a positive integer, and returns the statement text ending in it. */
  constructor(
    private readonly db: Database.Database,
    private readonly sql: (limit: number) => string,
  ) {}

  /** The statement for `limit` (a positive integer: it is written into the SQL). */
  get(limit: number): Database.Statement<Params, Row> {
    let statement = this.#byLimit.get(limit);
    if (statement !== undefined) return statement;
    if (!Number.isSafeInteger(limit) || limit <= 0)
      throw new RangeError(`LIMIT must be a positive integer, got ${limit}`);
    // Callers pass a few fixed page sizes; should one pass many, start over rather than keep them all.
    if (this.#byLimit.size >= MAX_KEPT) this.#byLimit.clear();
    statement = this.db.prepare<Params, Row>(this.sql(limit));
    this.#byLimit.set(limit, statement);
    return statement;
  }
}
