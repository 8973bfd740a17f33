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
    /** The number of the record the problem is in (or where the next one was due), from 1. */
    readonly record: number,
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

/** Record `record` (numbered from 1) is over the limit. */
function tooLarge(record: number, max: number): RecordFormatError {
  return new RecordFormatError('RECORD_TOO_LARGE', `record ${record} is larger than ${max} bytes`, record);
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

/** Scanner states; plain numbers keep the dispatch cheap. */
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

/** Below every index, so the first search in a chunk always runs. */
const NOT_SEARCHED = -2;

/** The first byte at or after `i` that is not JSON whitespace, or the chunk's length. */
function skipSpace(chunk: Buffer, i: number): number {
  const n = chunk.length;
  while (i < n && WS[chunk[i]!] === 1) i++;
  return i;
}

/**
 * The scanner behind jsonArraySplitter: a state machine over the bytes of a
 * top-level array. Each step handles its state from byte `i` and answers the
 * byte the next step starts at; the steps that cross a record's bytes (a
 * container, a string, a scalar) loop on their own, so the state is looked at
 * once per token rather than once per byte.
 */
class JsonArrayScanner implements RecordSplitter {
  count = 0;
  #state: number = S.Start;
  /** Open brackets of the container record being scanned. */
  #depth = 0;
  /** The last byte of the previous chunk was a backslash inside a string. */
  #escaped = false;
  /** The string being scanned is a whole record (not inside a container). */
  #topString = false;
  /** Bytes of the body before the current chunk. */
  #offset = 0;
  /** Where the record being scanned starts in the current chunk: 0 when it began in an earlier one. */
  #valueStart = 0;
  /**
   * The next quote and the next backslash of the current chunk at or after the last search for them;
   * -1 when there is none left, NOT_SEARCHED at the start of a chunk.
   */
  #quoteAt = NOT_SEARCHED;
  #slashAt = NOT_SEARCHED;
  readonly #pending = new Pending();

  constructor(
    private readonly onRecord: RecordHandler,
    private readonly maxRecordBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.#valueStart = 0;
    this.#quoteAt = NOT_SEARCHED;
    this.#slashAt = NOT_SEARCHED;
    const n = chunk.length;
    let i = 0;
    while (i < n) i = this.#step(chunk, i);
    this.#offset += n;
    const state = this.#state;
    if (state === S.InContainer || state === S.InString || state === S.InScalar) {
      this.#pending.add(chunk.subarray(this.#valueStart));
      if (this.#pending.length > this.maxRecordBytes) throw tooLarge(this.count + 1, this.maxRecordBytes);
    }
  }

  end(): void {
    if (this.#state === S.Done) return;
    if (this.#state === S.Start) throw this.#malformed('the upload is empty; send a JSON array of records');
    throw new RecordFormatError(
      'UPLOAD_TRUNCATED',
      `the JSON array is not closed: the upload ended after ${this.count} complete record(s)`,
      this.count + 1,
    );
  }

  #step(chunk: Buffer, i: number): number {
    switch (this.#state) {
      case S.Start:
        return this.#start(chunk, i);
      case S.BeforeFirst:
      case S.BeforeValue:
        return this.#beforeValue(chunk, i);
      case S.InContainer:
        return this.#inContainer(chunk, i);
      case S.InString:
        return this.#inString(chunk, i);
      case S.InScalar:
        return this.#inScalar(chunk, i);
      case S.AfterValue:
        return this.#afterValue(chunk, i);
      default:
        return this.#done(chunk, i);
    }
  }

  /** Before the array: whitespace, then its `[`. */
  #start(chunk: Buffer, from: number): number {
    const i = skipSpace(chunk, from);
    if (i === chunk.length) return i;
    const c = chunk[i]!;
    if (c !== 0x5b)
      throw this.#malformed(
        `a JSON upload must be an array of records; it starts at byte ${this.#offset + i} with ${String.fromCharCode(c)}`,
      );
    this.#state = S.BeforeFirst;
    return i + 1;
  }

  /** Where a record starts: after the `[` (where `]` may close an empty array) or after a comma. */
  #beforeValue(chunk: Buffer, from: number): number {
    const i = skipSpace(chunk, from);
    if (i === chunk.length) return i;
    const c = chunk[i]!;
    if (c === 0x5d) {
      if (this.#state === S.BeforeValue)
        throw this.#malformed(`a comma after record ${this.count} is not followed by a record`);
      this.#state = S.Done;
      return i + 1;
    }
    if (c === 0x2c) throw this.#malformed(`record ${this.count + 1} is empty`);
    this.#valueStart = i;
    if (c === 0x7b || c === 0x5b) {
      this.#depth = 1;
      this.#state = S.InContainer;
    } else if (c === 0x22) {
      this.#topString = true;
      this.#state = S.InString;
    } else this.#state = S.InScalar;
    return i + 1;
  }

  /** Inside an object or array record: brackets nest until the record's own one closes. */
  #inContainer(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let depth = this.#depth;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (c === 0x22) {
        this.#depth = depth;
        this.#topString = false;
        this.#state = S.InString;
        return i + 1;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
        this.#depth = 0;
        this.#finish(chunk, i + 1);
        this.#state = S.AfterValue;
        return i + 1;
      }
    }
    this.#depth = depth;
    return n;
  }

  /** Inside a string, whole record or part of a container; the byte after a backslash never ends it. */
  #inString(chunk: Buffer, i: number): number {
    if (this.#escaped) {
      this.#escaped = false;
      return i + 1;
    }
    // Strings are most of the bytes: jump to the next quote or backslash instead of stepping. A search
    // answer still ahead is reused: most chunks hold no backslash, and searching for one afresh in every
    // string would read the rest of the chunk each time (quadratic in the strings per chunk).
    let quote = this.#quoteAt;
    if (quote !== -1 && quote < i) quote = this.#quoteAt = chunk.indexOf(0x22, i);
    let slash = this.#slashAt;
    if (slash !== -1 && slash < i) slash = this.#slashAt = chunk.indexOf(0x5c, i);
    const next = quote < 0 ? slash : slash < 0 ? quote : Math.min(quote, slash);
    if (next < 0) return chunk.length;
    if (chunk[next] === 0x5c) this.#escaped = true;
    else if (this.#topString) {
      this.#finish(chunk, next + 1);
      this.#state = S.AfterValue;
    } else this.#state = S.InContainer;
    return next + 1;
  }

  /** A number, true, false or null record: it ends at whitespace, a comma or the closing `]`. */
  #inScalar(chunk: Buffer, i: number): number {
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (WS[c] === 1 || c === 0x2c || c === 0x5d) {
        this.#finish(chunk, i);
        this.#state = S.AfterValue;
        return i; // the delimiter is read in AfterValue
      }
    }
    return n;
  }

  /** After a record: a comma before the next one, or the `]` that closes the array. */
  #afterValue(chunk: Buffer, from: number): number {
    const i = skipSpace(chunk, from);
    if (i === chunk.length) return i;
    const c = chunk[i]!;
    if (c === 0x2c) this.#state = S.BeforeValue;
    else if (c === 0x5d) this.#state = S.Done;
    else throw this.#malformed(`expected , or ] after record ${this.count}, found ${String.fromCharCode(c)}`);
    return i + 1;
  }

  /** After the array: nothing but whitespace. */
  #done(chunk: Buffer, from: number): number {
    const i = skipSpace(chunk, from);
    if (i < chunk.length) throw this.#malformed('the upload continues after the closing ] of the array');
    return i;
  }

  /** Hands over the record that ends at `end` in this chunk, with whatever of it earlier chunks held. */
  #finish(chunk: Buffer, end: number): void {
    const bytes = this.#pending.take(chunk.subarray(this.#valueStart, end));
    if (bytes.length > this.maxRecordBytes) throw tooLarge(this.count + 1, this.maxRecordBytes);
    this.onRecord(bytes, this.count++);
  }

  #malformed(message: string): RecordFormatError {
    return new RecordFormatError('BODY_MALFORMED', message, this.count + 1);
  }
}

/** A top-level JSON array; each element (object, array, string or scalar) is one record. */
export function jsonArraySplitter(onRecord: RecordHandler, maxRecordBytes: number): RecordSplitter {
  return new JsonArrayScanner(onRecord, maxRecordBytes);
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
