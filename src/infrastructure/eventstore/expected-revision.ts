import type { ExpectedRevision } from './port.js';

/** Whether a stream whose current revision is `actual` satisfies the writer's expectation. */
export function expectationHolds(expected: ExpectedRevision, actual: bigint | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

/** Callers can be plain JavaScript: refuse anything that is not one of the four forms before touching the store. */
export function checkExpected(expected: ExpectedRevision): void {
  if (typeof expected === 'bigint') return;
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  throw new TypeError(`invalid expected revision: ${String(expected)}`);
}
