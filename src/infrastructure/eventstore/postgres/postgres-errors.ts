import { StoreUnavailableError, WrongExpectedRevisionError } from '../port.js';

/**
 * Everything PostgreSQL or the network can throw, as the port's errors: a
 * wrong expected revision stays what it is; every other failure (server
 * down, connection cut, statement timeout, a lock wait cancelled, a refused
 * login) becomes StoreUnavailableError, which callers answer with 503 and
 * Retry-After. The message names the server (password masked), what the
 * adapter was doing, and the first line of the cause with its SQLSTATE.
 */
export function toStoreError(error: unknown, target: string, what: string): Error {
  if (error instanceof WrongExpectedRevisionError || error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`postgres ${target}: ${what} failed: ${describeError(error)}`, {
    cause: error,
  });
}

/** SQLSTATE of a server error, or undefined for anything else (network, client). */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // Server errors carry a five-character SQLSTATE; network errors carry ECONNREFUSED and the like.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node 20 tries every address of a host name (::1, then 127.0.0.1) and reports them together with an empty message.
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (!(error instanceof Error)) return String(error);
  const line = error.message.split('\n')[0] || error.name;
  const state = sqlStateOf(error);
  if (state !== undefined) return `${line} (SQLSTATE ${state})`;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !line.includes(code) ? `${line} (${code})` : line;
}

/** SQLSTATE 23505 on the (stream, revision) constraint: only a writer that bypassed the sequencing lock can cause it. */
export const UNIQUE_VIOLATION = '23505';
