import { readFileSync } from 'node:fs';
import { DEFAULT_CONNECTION_LIMITS } from '../api/hardening/connection-limits.js';

/**
 * File descriptors kept for the node's own files when the connection cap is derived from the
 * open-file limit: the stores and their WAL files, dataset blobs being read or written, worker
 * threads, witnesses and mirrors it calls, a PostgreSQL pool.
 */
export const OWN_FILE_RESERVE = 512;

/**
 * The process's soft limit on open files (`ulimit -n`; Node raises it to the hard limit as it
 * starts), from /proc/self/limits; null where that cannot be read (not Linux).
 */
export function openFileLimit(
  read: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)\s/m.exec(read());
    if (line === null) return null;
    return line[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(line[1]);
  } catch {
    return null;
  }
}

/** The default connection cap: the usual one, lowered so that the node's own files still fit under `limit`. */
export function defaultMaxConnections(limit: number | null): number {
  if (limit === null) return DEFAULT_CONNECTION_LIMITS.maxConnections;
  return Math.max(64, Math.min(DEFAULT_CONNECTION_LIMITS.maxConnections, limit - OWN_FILE_RESERVE));
}
