/**
 * Positions are stored as 20-digit zero-padded decimal text: never as SQLite
 * integers (an EventStoreDB commit position is an unsigned 64-bit value that a
 * signed integer cannot always hold), and padded so that text order is
 * numeric order for indexes and cursors.
 */
export function positionKey(position: bigint): string {
  if (position < 0n) throw new RangeError('position must be non-negative');
  return position.toString().padStart(20, '0');
}

export function positionFromKey(key: string): bigint {
  return BigInt(key);
}
