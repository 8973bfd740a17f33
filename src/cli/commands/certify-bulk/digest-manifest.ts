/**
 * A digest manifest: the records of a batch named by their SHA-256 digests,
 * what a registry exports from its database, so no file is read or hashed.
 * Read line by line (a million lines never sit in memory as text); the
 * digests go into one count × 32-byte buffer. Three formats, told apart by
 * the first line that is neither blank nor a # comment:
 *
 * - plain: one digest per line, 64 hex characters (either case);
 * - NDJSON: a line starting with `{` makes every line a JSON object with a
 *   "digest" (or "sha256") field, and optionally an "id" field;
 * - CSV (RFC 4180, no line breaks inside fields): any other first line is a
 *   header naming a "digest" (or "sha256") column, and optionally an "id"
 *   column; column names are matched without regard to case.
 *
 * The optional id (the registry's own reference) becomes the receipts'
 * first column; without it that column holds the manifest's line number.
 *
 * Lines end at LF, CRLF or a lone CR, as node:readline splits them. The file
 * is read in 4 MiB chunks and parsed as bytes: a line of printable ASCII
 * without quotes (what an export holds) has its digest decoded straight into
 * the packed buffer, and so has an NDJSON line that is a flat object of plain
 * values (ndjson-record-bytes.ts); any other line (quotes in CSV, tabs,
 * non-ASCII, a lone CR, the first line, a bad digest) goes through the string
 * parsers below,
 * so its result and its error are exactly theirs. Line by line through
 * readline, a million-line CSV took 2.5 s of certify-bulk's time (issue 14).
 */

import { open } from 'node:fs/promises';
import { MAX_BATCH_RECORDS } from '../../../domain/certification/events.js';
import { CliError } from '../../command-line/cli-errors.js';
import { describeFsError } from '../../files/fs-errors.js';
import { DIGEST_SIZE } from './batch-tree.js';
import { ndjsonRecordBytes } from './ndjson-record-bytes.js';

export interface DigestManifest {
  readonly format: 'plain' | 'ndjson' | 'csv';
  readonly count: number;
  /** count × 32 bytes, in manifest order. */
  readonly packed: Uint8Array;
  /** What the receipts call record i: its id, or the manifest line it came from. */
  readonly names: readonly string[];
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;
const DIGEST_KEYS = ['digest', 'sha256'];

/** How one format turns a data line into a digest and an optional id. */
type LineReader = (line: string, lineNo: number) => { digest: string; id: string | null };

const CHUNK_BYTES = 4 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COMMA = 0x2c;
const QUOTE = 0x22;
const HASH = 0x23;

/** Hex digit values by byte, -1 for any other byte. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(c)] = c;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(c)] = c;
}

/** The manifest as it is read: the format once known, the packed digests and the receipts' names so far. */
class ManifestBuilder {
  format: DigestManifest['format'] | null = null;
  private reader: LineReader | null = null;
  /** For the byte path of CSV: the columns of the digest and the id (-1: none). */
  private digestAt = -1;
  private idAt = -1;
  lineNo = 0;
  packed: Uint8Array;
  readonly names: string[] = [];
  private readonly scratch = new Uint8Array(DIGEST_SIZE);

  /** `fileBytes`: the manifest's size, which bounds how many digests it can hold (see capacityFor). */
  constructor(
    private readonly path: string,
    fileBytes: number,
  ) {
    this.packed = new Uint8Array(capacityFor(fileBytes) * DIGEST_SIZE);
  }

  /** One line, bytes [start, end) of `bytes` without its line end. */
  line(bytes: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (this.reader === null || !this.fastLine(bytes, start, end))
      this.textLine(bytes.toString('utf8', start, end));
  }

  /**
   * The byte path: true when the line was taken (or skipped) here; false sends it to the string path.
   * A plain or CSV line is taken only when it is printable ASCII without quotes, so trim() and the
   * CSV split are plain.
   */
  private fastLine(bytes: Buffer, start: number, end: number): boolean {
    if (this.format === 'ndjson') return this.fastNdjsonLine(bytes, start, end);
    let from = start;
    let to = end;
    let field = 0;
    let digestFrom = -1;
    let digestTo = -1;
    let idFrom = -1;
    let idTo = -1;
    let fieldFrom = from;
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      if (c < SPACE || c > 0x7e || c === QUOTE) return false;
      if (c === COMMA) {
        if (field === this.digestAt) {
          digestFrom = fieldFrom;
          digestTo = i;
        } else if (field === this.idAt) {
          idFrom = fieldFrom;
          idTo = i;
        }
        field++;
        fieldFrom = i + 1;
      }
    }
    while (from < to && bytes[from] === SPACE) from++;
    while (to > from && bytes[to - 1] === SPACE) to--;
    if (from === to || bytes[from] === HASH) return true;
    if (this.format === 'plain') return this.addHex(bytes, from, to, null);

    // The last field runs to the end of the trimmed line, as csvFields splits the trimmed line.
    if (field === this.digestAt) {
      digestFrom = fieldFrom;
      digestTo = to;
    } else if (field === this.idAt) {
      idFrom = fieldFrom;
      idTo = to;
    }
    // A field after the trimmed line's end cannot be: the first field starts at the trimmed start.
    if (digestFrom < from) digestFrom = from;
    if (idFrom >= 0 && idFrom < from) idFrom = from;
    if (digestTo < 0) return false;
    while (digestFrom < digestTo && bytes[digestFrom] === SPACE) digestFrom++;
    while (digestTo > digestFrom && bytes[digestTo - 1] === SPACE) digestTo--;
    return this.addHex(bytes, digestFrom, digestTo, idTo < 0 ? null : bytes.toString('latin1', idFrom, idTo));
  }

  /** The byte path of an NDJSON line: a flat object of plain values (ndjson-record-bytes.ts). */
  private fastNdjsonLine(bytes: Buffer, start: number, end: number): boolean {
    // Printable ASCII only, as for CSV: a lone CR inside (a line end to readline) must reach the string path.
    for (let i = start; i < end; i++) if (bytes[i]! < SPACE || bytes[i]! > 0x7e) return false;
    let from = start;
    let to = end;
    while (from < to && bytes[from] === SPACE) from++;
    while (to > from && bytes[to - 1] === SPACE) to--;
    if (from === to || bytes[from] === HASH) return true;
    const record = ndjsonRecordBytes(bytes, from, to);
    return record !== null && this.addHex(bytes, record.digestFrom, record.digestTo, record.id);
  }

  /** Adds bytes [from, to) as a digest when they are 64 hex digits; false (nothing added) otherwise. */
  private addHex(bytes: Buffer, from: number, to: number, id: string | null): boolean {
    if (to - from !== 2 * DIGEST_SIZE) return false;
    const digest = this.scratch;
    for (let i = 0; i < DIGEST_SIZE; i++) {
      const hi = HEX_VALUE[bytes[from + 2 * i]!]!;
      const lo = HEX_VALUE[bytes[from + 2 * i + 1]!]!;
      if ((hi | lo) < 0) return false;
      digest[i] = (hi << 4) | lo;
    }
    // Checked after the digest, as the string path does: a bad line past the limit reports the bad digest.
    const at = this.reserve();
    this.packed.set(digest, at);
    this.names.push(id ?? `line ${this.lineNo}`);
    return true;
  }

  /** Where the next digest goes; refuses a digest beyond the batch limit. */
  private reserve(): number {
    const count = this.names.length;
    if (count === MAX_BATCH_RECORDS)
      throw new CliError(
        `${this.path} lists more than ${MAX_BATCH_RECORDS.toLocaleString('en-US')} digests: split it into several batches`,
      );
    if ((count + 1) * DIGEST_SIZE > this.packed.length) this.packed = grown(this.packed);
    return count * DIGEST_SIZE;
  }

  /** The string path: readline's lines (a lone CR ends one too), each trimmed and read by its format. */
  private textLine(text: string): void {
    const lines = text.split('\r');
    for (let k = 0; k < lines.length; k++) {
      if (k > 0) this.lineNo++;
      const line = lines[k]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (this.reader === null) {
        this.format = line.startsWith('{') ? 'ndjson' : HEX_64.test(line) ? 'plain' : 'csv';
        if (this.format === 'csv') {
          const columns = csvColumns(this.path, line);
          [this.digestAt, this.idAt] = [columns.digestAt, columns.idAt];
          this.reader = csvLine(this.path, columns);
          continue;
        }
        this.reader = this.format === 'ndjson' ? ndjsonLine(this.path) : plainLine(this.path);
      }
      const { digest, id } = this.reader(line, this.lineNo);
      const at = this.reserve();
      this.packed.set(Buffer.from(digest, 'hex'), at);
      this.names.push(id ?? `line ${this.lineNo}`);
    }
  }
}

/**
 * Reads the manifest at `path`. `onRead`, when given, is called after each read with the digests so
 * far (the first `count` of `packed`; `packed` may be replaced by a larger buffer on a later read).
 */
export async function readDigestManifest(
  path: string,
  onRead?: (packed: Uint8Array, count: number) => void,
): Promise<DigestManifest> {
  let manifest: ManifestBuilder;
  try {
    const file = await open(path, 'r');
    try {
      manifest = new ManifestBuilder(path, (await file.stat()).size);
      await readLines(
        file,
        (bytes, start, end) => manifest.line(bytes, start, end),
        () => onRead?.(manifest.packed, manifest.names.length),
      );
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read digest manifest ${path}: ${describeFsError(error)}`);
  }
  const { format, names } = manifest;
  if (format === null || names.length === 0) throw new CliError(`${path} lists no digests`);
  return {
    format,
    count: names.length,
    packed: manifest.packed.subarray(0, names.length * DIGEST_SIZE),
    names,
  };
}

/**
 * Calls `line` with each LF- or CRLF-ended line of the file (a lone CR stays inside: the string path
 * splits there), and with the last line when the file does not end with a line end.
 */
async function readLines(
  file: Awaited<ReturnType<typeof open>>,
  line: (bytes: Buffer, start: number, end: number) => void,
  afterRead: () => void,
): Promise<void> {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let kept = 0;
  for (;;) {
    // A line longer than the buffer: make room for more of it.
    if (kept === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
    const { bytesRead } = await file.read(buffer, kept, buffer.length - kept, null);
    const end = kept + bytesRead;
    let start = 0;
    for (let lf = buffer.indexOf(LF, kept); lf >= 0 && lf < end; lf = buffer.indexOf(LF, start)) {
      line(buffer, start, lf > start && buffer[lf - 1] === CR ? lf - 1 : lf);
      start = lf + 1;
    }
    if (bytesRead === 0) {
      if (start < end) line(buffer, start, end);
      return;
    }
    afterRead();
    kept = end - start;
    buffer.copy(buffer, 0, start, end);
  }
}

/**
 * Room for the digests a manifest of `fileBytes` can hold, so the buffer is sized once: a digest
 * takes 64 hex characters and all but the last line end, so there are at most fileBytes / 64 of them
 * (at most a batch's, and at least some, for a file that grows while it is read). Growing from 2 MiB
 * copied 62 MB and took a tenth of the parsing of a million lines.
 */
function capacityFor(fileBytes: number): number {
  return Math.max(1024, Math.min(MAX_BATCH_RECORDS, Math.floor(fileBytes / 64) + 1));
}

function grown(packed: Uint8Array): Uint8Array {
  const next = new Uint8Array(Math.min(packed.length * 2, MAX_BATCH_RECORDS * DIGEST_SIZE));
  next.set(packed);
  return next;
}

function checked(path: string, lineNo: number, value: unknown): string {
  if (typeof value !== 'string' || !HEX_64.test(value))
    throw new CliError(
      `${path} line ${lineNo}: ${JSON.stringify(value)} is not a SHA-256 digest (64 hex characters)`,
    );
  return value.toLowerCase();
}

function plainLine(path: string): LineReader {
  return (line, lineNo) => ({ digest: checked(path, lineNo, line), id: null });
}

function ndjsonLine(path: string): LineReader {
  return (line, lineNo) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliError(`${path} line ${lineNo} is not JSON (NDJSON: one object per line)`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new CliError(`${path} line ${lineNo} is not a JSON object`);
    const record = value as Record<string, unknown>;
    const key = DIGEST_KEYS.find((k) => k in record);
    if (key === undefined) throw new CliError(`${path} line ${lineNo} has no "digest" field`);
    const id = record['id'];
    return {
      digest: checked(path, lineNo, record[key]),
      id: id === undefined || id === null ? null : String(id),
    };
  };
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside a field). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') field += line[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Where a CSV header puts the digest and the id (-1: no id column). */
function csvColumns(path: string, header: string): { digestAt: number; idAt: number } {
  const columns = csvFields(header).map((c) => c.trim().toLowerCase());
  const digestAt = columns.findIndex((c) => DIGEST_KEYS.includes(c));
  if (digestAt < 0)
    throw new CliError(
      `${path}: the first line is neither a digest, a JSON object nor a CSV header with a "digest" column ` +
        `(columns: ${columns.join(', ')})`,
    );
  return { digestAt, idAt: columns.indexOf('id') };
}

function csvLine(path: string, { digestAt, idAt }: { digestAt: number; idAt: number }): LineReader {
  return (line, lineNo) => {
    const fields = csvFields(line);
    return {
      digest: checked(path, lineNo, fields[digestAt]?.trim()),
      id: idAt < 0 ? null : (fields[idAt] ?? null),
    };
  };
}
