import { MAX_PAGE } from './port.js';

/**
 * Checks of the arguments callers hand to the port, made the same way by
 * every adapter before it touches its store. Callers can be plain JavaScript,
 * so the types alone guarantee nothing.
 */

export function checkStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new TypeError('stream must be a non-empty string');
  }
}

/** The first revision a stream read asks for: 0n when not given. */
export function fromRevisionOf(fromRevision: bigint | undefined): bigint {
  const from = fromRevision ?? 0n;
  if (typeof from !== 'bigint' || from < 0n) {
    throw new RangeError('fromRevision must be a non-negative bigint');
  }
  return from;
}

/** An exclusive start position (readAll, subscribe): a bigint, or undefined for the start of the store. */
export function checkAfter(after: bigint | undefined): void {
  if (after !== undefined && typeof after !== 'bigint') throw new TypeError('after must be a bigint');
}

/** The page a read returns: MAX_PAGE when not given, never more. */
export function pageSize(maxCount: number | undefined): number {
  if (maxCount === undefined) return MAX_PAGE;
  if (!Number.isInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return Math.min(maxCount, MAX_PAGE);
}
