/**
 * The receipts of a bulk certification: a CSV file (RFC 4180, UTF-8, CRLF
 * line ends), one line per record in batch order after a header:
 *
 *   file,sha256,certification_id,proof_url
 *
 * A field is quoted when it holds a comma, a quote or a line break, with
 * quotes doubled. The file is written beside its final name and renamed into
 * place, so a crash never leaves a partial file that looks complete.
 */

import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const RECEIPTS_HEADER = ['file', 'sha256', 'certification_id', 'proof_url'] as const;

export interface Receipt {
  readonly file: string;
  readonly sha256: string;
  readonly certificationId: string;
  readonly proofUrl: string;
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function line(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Writes the receipts to `path` atomically; `receipts` is consumed lazily, so they need not all be in memory. */
export async function writeReceipts(path: string, receipts: Iterable<Receipt>): Promise<void> {
  const temporary = join(dirname(path), `.${randomUUID()}.receipts.part`);
  const file = await open(temporary, 'wx', 0o644);
  try {
    let chunk = line(RECEIPTS_HEADER);
    for (const r of receipts) {
      chunk += line([r.file, r.sha256, r.certificationId, r.proofUrl]);
      // Batched writes: one syscall per ~64 KB rather than one per record.
      if (chunk.length >= 64 * 1024) {
        await file.writeFile(chunk);
        chunk = '';
      }
    }
    await file.writeFile(chunk);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
}
