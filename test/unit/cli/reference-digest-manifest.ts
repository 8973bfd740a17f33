/**
 * certify-bulk's digest-manifest reader as it was before it parsed bytes (issue 14): node:readline
 * line by line, each line through the string parsers. Kept as the oracle the byte parser must agree
 * with, result for result and error for error. Test-only.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError } from '../../../src/cli/command-line/cli-errors.js';
import { DIGEST_SIZE } from '../../../src/cli/commands/certify-bulk/batch-tree.js';
import { describeFsError } from '../../../src/cli/files/fs-errors.js';
import { MAX_BATCH_RECORDS } from '../../../src/domain/certification/events.js';

interface DigestManifest {
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

export async function readDigestManifestByLines(path: string): Promise<DigestManifest> {
  let packed: Uint8Array = new Uint8Array(64 * 1024 * DIGEST_SIZE);
  const names: string[] = [];
  let format: DigestManifest['format'] | null = null;
  let reader: LineReader | null = null;
  let lineNo = 0;
  try {
    for await (const raw of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      lineNo++;
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (reader === null) {
        format = line.startsWith('{') ? 'ndjson' : HEX_64.test(line) ? 'plain' : 'csv';
        reader =
          format === 'ndjson'
            ? ndjsonLine(path)
            : format === 'plain'
              ? plainLine(path)
              : csvReader(path, line);
        if (format === 'csv') continue;
      }
      const { digest, id } = reader(line, lineNo);
      if (names.length === MAX_BATCH_RECORDS)
        throw new CliError(
          `${path} lists more than ${MAX_BATCH_RECORDS.toLocaleString('en-US')} digests: split it into several batches`,
        );
      if ((names.length + 1) * DIGEST_SIZE > packed.length) packed = grown(packed);
      packed.set(Buffer.from(digest, 'hex'), names.length * DIGEST_SIZE);
      names.push(id ?? `line ${lineNo}`);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read digest manifest ${path}: ${describeFsError(error)}`);
  }
  if (format === null || names.length === 0) throw new CliError(`${path} lists no digests`);
  return { format, count: names.length, packed: packed.subarray(0, names.length * DIGEST_SIZE), names };
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

function csvReader(path: string, header: string): LineReader {
  const columns = csvFields(header).map((c) => c.trim().toLowerCase());
  const digestAt = columns.findIndex((c) => DIGEST_KEYS.includes(c));
  if (digestAt < 0)
    throw new CliError(
      `${path}: the first line is neither a digest, a JSON object nor a CSV header with a "digest" column ` +
        `(columns: ${columns.join(', ')})`,
    );
  const idAt = columns.indexOf('id');
  return (line, lineNo) => {
    const fields = csvFields(line);
    return {
      digest: checked(path, lineNo, fields[digestAt]?.trim()),
      id: idAt < 0 ? null : (fields[idAt] ?? null),
    };
  };
}
