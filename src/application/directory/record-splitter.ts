/**
 * Incremental splitting of an upload into batches of whole records, chunk by
 * chunk, so a 1 GB upload never sits in memory: NDJSON at line ends, and a
 * top-level JSON array element by element with a small byte-level scanner (it
 * tracks strings and nesting only; JSON.parse checks each record's syntax).
 * Every record is bounded by maxRecordBytes, which bounds the memory one
 * record may hold; a batch is about batchBytes plus one chunk.
 */

export type RecordFormatCode = 'BODY_MALFORMED' | 'UPLOAD_TRUNCATED' | 'RECORD_TOO_LARGE';

export class RecordFormatError extends Error {
  constructor(
    readonly code: RecordFormatCode,
    message: string,
    /** The record the problem is in (or after), 0-based. */
    readonly index: number,
  ) {
    super(message);
    this.name = 'RecordFormatError';
  }
}

/** Receives each record's bytes (a view into the chunk, or a copy when it spans chunks) and its 0-based index. */
export type RecordHandler = (bytes: Buffer, index: number) => void;

export interface RecordSplitter {
  push(chunk: Buffer): void;
  /** Call once the body has ended; throws when it ended inside a record or an unclosed array. */
  end(): void;
  /** Records emitted so far. */
  readonly count: number;
}

/** Cuts a body into batches of whole records to check (see record-batch.ts); batches own their bytes. */
export interface RecordBatcher {
  push(chunk: Buffer): void;
  /** Emits what is left; throws when the body ended inside a record or an unclosed array. */
  end(): void;
}

/**
 * An NDJSON line grew past the record limit before its end arrived. Lines are
 * counted where they are parsed (blank ones do not count), so the batcher
 * cannot name the record: it is the one after every record batched so far.
 */
export class LineTooLong extends Error {
  constructor(readonly maxRecordBytes: number) {
    super(`a line is longer than ${maxRecordBytes} bytes`);
    this.name = 'LineTooLong';
  }
}

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

class Pending {
  parts: Buffer[] = [];
  length = 0;
  add(part: Buffer): void {
    if (part.length === 0) return;
    this.parts.push(part);
    this.length += part.length;
  }
  take(last: Buffer): Buffer {
    if (this.parts.length === 0) return last;
    const joined = Buffer.concat([...this.parts, last]);
    this.parts = [];
    this.length = 0;
    return joined;
  }
}

function tooLarge(index: number, max: number): RecordFormatError {
  return new RecordFormatError('RECORD_TOO_LARGE', `record ${index} is larger than ${max} bytes`, index);
}

/** Copies parts into one buffer that owns its memory (so it can be transferred to a worker). */
function joinOwned(parts: readonly Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * NDJSON (one JSON text per line, \n or \r\n) in batches of whole lines of
 * about batchBytes; the lines themselves are found, trimmed, size-checked and
 * counted by checkBatch. A line still open is refused (LineTooLong) as it
 * grows past the limit, not once it has filled memory.
 */
export function ndjsonBatcher(
  onBatch: (batch: { bytes: Buffer; ranges: null }) => void,
  maxRecordBytes: number,
  batchBytes: number,
): RecordBatcher {
  let parts: Buffer[] = [];
  let size = 0;
  /** Bytes since the last newline: the line still open. */
  let open = 0;
  return {
    push(chunk) {
      if (chunk.length === 0) return;
      const nl = chunk.lastIndexOf(0x0a);
      if (nl < 0) open += chunk.length;
      else open = chunk.length - nl - 1;
      if (nl >= 0 && size + nl + 1 >= batchBytes) {
        parts.push(chunk.subarray(0, nl + 1));
        onBatch({ bytes: joinOwned(parts, size + nl + 1), ranges: null });
        parts = open === 0 ? [] : [chunk.subarray(nl + 1)];
        size = open;
      } else {
        parts.push(chunk);
        size += chunk.length;
      }
      // \r\n: the \r is not part of the record.
      if (open > maxRecordBytes + 1) {
        // The whole lines before it come first, so that their records are counted (and checked) before it.
        if (size > open) {
          const whole = joinOwned(parts, size);
          onBatch({ bytes: whole.subarray(0, size - open), ranges: null });
        }
        parts = [];
        size = 0;
        throw new LineTooLong(maxRecordBytes);
      }
    },
    end() {
      if (size > 0) onBatch({ bytes: joinOwned(parts, size), ranges: null });
      parts = [];
      size = 0;
    },
  };
}

/** Scanner states; plain numbers keep the hot loop's switch cheap. */
const S = {
  Start: 0,
  BeforeFirst: 1,
  BeforeValue: 2,
  InContainer: 3,
  InString: 4,
  InScalar: 5,
  AfterValue: 6,
  Done: 7,
} as const;

/** A top-level JSON array; each element (object, array, string or scalar) is one record. */
export function jsonArraySplitter(onRecord: RecordHandler, maxRecordBytes: number): RecordSplitter {
  const pending = new Pending();
  let state: number = S.Start;
  let depth = 0;
  let escaped = false;
  let topString = false;
  let count = 0;
  let offset = 0;

  const malformed = (message: string) => new RecordFormatError('BODY_MALFORMED', message, count);
  const finish = (chunk: Buffer, start: number, end: number) => {
    const bytes = pending.take(chunk.subarray(start, end));
    if (bytes.length > maxRecordBytes) throw tooLarge(count, maxRecordBytes);
    onRecord(bytes, count++);
  };

  return {
    get count() {
      return count;
    },
    push(chunk) {
      let valueStart = 0;
      let i = 0;
      const n = chunk.length;
      while (i < n) {
        const c = chunk[i]!;
        switch (state) {
          case S.Start:
            if (WS[c] === 1) break;
            if (c !== 0x5b)
              throw malformed(
                `a JSON upload must be an array of records; it starts at byte ${offset + i} with ${String.fromCharCode(c)}`,
              );
            state = S.BeforeFirst;
            break;
          case S.BeforeFirst:
          case S.BeforeValue:
            if (WS[c] === 1) break;
            if (c === 0x5d) {
              if (state === S.BeforeValue)
                throw malformed(`a comma after record ${count - 1} is not followed by a record`);
              state = S.Done;
              break;
            }
            if (c === 0x2c) throw malformed(`record ${count} is empty`);
            valueStart = i;
            if (c === 0x7b || c === 0x5b) {
              depth = 1;
              state = S.InContainer;
            } else if (c === 0x22) {
              topString = true;
              state = S.InString;
            } else state = S.InScalar;
            break;
          case S.InContainer:
            if (c === 0x22) {
              topString = false;
              state = S.InString;
            } else if (c === 0x7b || c === 0x5b) depth++;
            else if (c === 0x7d || c === 0x5d) {
              if (--depth === 0) {
                finish(chunk, valueStart, i + 1);
                state = S.AfterValue;
              }
            }
            break;
          case S.InString: {
            if (escaped) {
              escaped = false;
              break;
            }
            // Strings are most of the bytes: jump to the next quote or backslash instead of stepping.
            const quote = chunk.indexOf(0x22, i);
            const slash = chunk.indexOf(0x5c, i);
            const next = quote < 0 ? slash : slash < 0 ? quote : Math.min(quote, slash);
            if (next < 0) {
              i = n;
              continue;
            }
            i = next;
            if (chunk[i] === 0x5c) escaped = true;
            else if (topString) {
              finish(chunk, valueStart, i + 1);
              state = S.AfterValue;
            } else state = S.InContainer;
            break;
          }
          case S.InScalar:
            if (WS[c] === 1 || c === 0x2c || c === 0x5d) {
              finish(chunk, valueStart, i);
              state = S.AfterValue;
              continue; // the delimiter is handled in AfterValue
            }
            break;
          case S.AfterValue:
            if (WS[c] === 1) break;
            if (c === 0x2c) state = S.BeforeValue;
            else if (c === 0x5d) state = S.Done;
            else
              throw malformed(`expected , or ] after record ${count - 1}, found ${String.fromCharCode(c)}`);
            break;
          case S.Done:
            if (WS[c] !== 1) throw malformed('the upload continues after the closing ] of the array');
            break;
        }
        i++;
      }
      offset += n;
      if (state === S.InContainer || state === S.InString || state === S.InScalar) {
        pending.add(chunk.subarray(valueStart));
        if (pending.length > maxRecordBytes) throw tooLarge(count, maxRecordBytes);
      }
    },
    end() {
      if (state === S.Done) return;
      if (state === S.Start) throw malformed('the upload is empty; send a JSON array of records');
      throw new RecordFormatError(
        'UPLOAD_TRUNCATED',
        `the JSON array is not closed: the upload ended after ${count} complete record(s)`,
        count,
      );
    },
  };
}

/**
 * A top-level JSON array in batches of about batchBytes of records: the
 * scanner cuts the elements out on the main thread (its state runs through
 * the whole body), and each batch packs its records' bytes with their ranges.
 * Records before a format error are batched before the error is thrown, so
 * they are checked (and their errors listed) first, as in the body's order.
 */
export function jsonArrayBatcher(
  onBatch: (batch: { bytes: Buffer; ranges: Int32Array }) => void,
  maxRecordBytes: number,
  batchBytes: number,
): RecordBatcher {
  let records: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (records.length === 0) return;
    const bytes = Buffer.allocUnsafeSlow(size);
    const ranges = new Int32Array(records.length * 2);
    let at = 0;
    records.forEach((record, i) => {
      bytes.set(record, at);
      ranges[2 * i] = at;
      at += record.length;
      ranges[2 * i + 1] = at;
    });
    records = [];
    size = 0;
    onBatch({ bytes, ranges });
  };
  const splitter = jsonArraySplitter((record) => {
    records.push(record);
    size += record.length;
  }, maxRecordBytes);
  return {
    push(chunk) {
      try {
        splitter.push(chunk);
      } catch (error) {
        flush();
        throw error;
      }
      if (size >= batchBytes) flush();
    },
    end() {
      flush();
      splitter.end();
    },
  };
}
