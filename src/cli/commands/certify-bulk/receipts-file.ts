/**
 * The receipts of a bulk certification: a CSV file (RFC 4180, UTF-8, CRLF
 * line ends), one line per record in batch order after a header:
 *
 *   file,sha256,certification_id,proof_url
 *
 * A field is quoted when it holds a comma, a quote or a line break, with
 * quotes doubled. The file is written beside its final name and renamed into
 * place, so a crash never leaves a partial file that looks complete.
 *
 * Written as bytes into 1 MiB buffers from the batch's packed columns (the
 * digests, the ids of record-ids.ts): a million receipts as one template
 * string each, quoted field by field, took about 2 s of the CLI's time
 * (issue 14); the bytes are the same.
 */

import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DIGEST_SIZE } from './batch-tree.js';
import { RECORD_ID_CHARS, RECORD_ID_PREFIX } from './record-ids.js';

export const RECEIPTS_HEADER = ['file', 'sha256', 'certification_id', 'proof_url'] as const;

export interface Receipt {
  readonly file: string;
  readonly sha256: string;
  readonly certificationId: string;
  readonly proofUrl: string;
}

/** A batch's receipts as columns: record i is names[i], digest i of `packed`, id i of `ids`. */
export interface BatchReceipts {
  readonly names: readonly string[];
  /** count × 32-byte digests. */
  readonly packed: Uint8Array;
  /** count × 24 ASCII characters: each record's certification id without `crt_` (record-ids.ts). */
  readonly ids: Uint8Array;
  readonly proofUrlBase: string;
}

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const CHUNK_BYTES = 1024 * 1024;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const PREFIX = Buffer.from(RECORD_ID_PREFIX, 'latin1');

/** Record i's receipt, as a string (for the QR codes, which need one at a time). */
export function receiptAt(batch: BatchReceipts, i: number): Receipt {
  const id =
    RECORD_ID_PREFIX +
    Buffer.from(batch.ids.buffer, batch.ids.byteOffset, batch.ids.byteLength).toString(
      'latin1',
      i * RECORD_ID_CHARS,
      (i + 1) * RECORD_ID_CHARS,
    );
  return {
    file: batch.names[i]!,
    sha256: Buffer.from(batch.packed.buffer, batch.packed.byteOffset + i * DIGEST_SIZE, DIGEST_SIZE).toString(
      'hex',
    ),
    certificationId: id,
    proofUrl: `${batch.proofUrlBase}${id}`,
  };
}

/** Writes the receipts to `path` atomically (a temporary file beside it, renamed into place). */
export async function writeReceipts(path: string, batch: BatchReceipts): Promise<void> {
  const temporary = join(dirname(path), `.${randomUUID()}.receipts.part`);
  const file = await open(temporary, 'wx', 0o644);
  try {
    const base = Buffer.from(batch.proofUrlBase, 'utf8');
    // The most one receipt takes besides its name: digest, two ids, the base, separators and CRLF.
    const fixed = 2 * DIGEST_SIZE + 2 * (PREFIX.length + RECORD_ID_CHARS) + base.length + 5;
    const { names, packed, ids } = batch;
    // Two buffers: one is written while the next is filled.
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let spare = Buffer.allocUnsafe(CHUNK_BYTES);
    let writing: Promise<unknown> = Promise.resolve();
    let at = chunk.write(`${RECEIPTS_HEADER.join(',')}\r\n`, 0, 'latin1');
    for (let i = 0; i < names.length; i++) {
      const name = csvField(names[i]!);
      // A UTF-8 character takes at most 3 bytes per UTF-16 code unit.
      const most = fixed + 3 * name.length;
      if (at + most > chunk.length) {
        await writing;
        writing = file.write(chunk, 0, at);
        [chunk, spare] = [spare, chunk];
        if (most > chunk.length) chunk = Buffer.allocUnsafe(most);
        at = 0;
      }
      at += chunk.write(name, at, 'utf8');
      chunk[at++] = 0x2c;
      for (let d = i * DIGEST_SIZE, end = d + DIGEST_SIZE; d < end; d++) {
        chunk[at++] = HEX[packed[d]! >> 4]!;
        chunk[at++] = HEX[packed[d]! & 15]!;
      }
      chunk[at++] = 0x2c;
      at = writeId(chunk, at, ids, i);
      chunk[at++] = 0x2c;
      at += base.copy(chunk, at);
      at = writeId(chunk, at, ids, i);
      chunk[at++] = 0x0d;
      chunk[at++] = 0x0a;
    }
    await writing;
    await file.write(chunk, 0, at);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
}

/** `crt_` and record i's 24 id characters at `at`; returns the position after them. */
function writeId(chunk: Buffer, at: number, ids: Uint8Array, i: number): number {
  chunk[at++] = PREFIX[0]!;
  chunk[at++] = PREFIX[1]!;
  chunk[at++] = PREFIX[2]!;
  chunk[at++] = PREFIX[3]!;
  for (let c = i * RECORD_ID_CHARS, end = c + RECORD_ID_CHARS; c < end; c++) chunk[at++] = ids[c]!;
  return at;
}
