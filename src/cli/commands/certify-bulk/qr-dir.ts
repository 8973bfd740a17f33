/**
 * `--qr-dir DIR`: one QR code per record beside the receipts, named by the
 * record's certification id (DIR/crt_….svg), for printing on each paper
 * certificate. Existing files are never overwritten.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../command-line/cli-errors.js';
import { QR_FORMATS, type QrFormat, writeQr } from '../../files/qr-files.js';
import type { Receipt } from './receipts-file.js';

export interface QrDir {
  readonly dir: string;
  readonly format: QrFormat;
}

/** The --qr-dir and --qr-format flags, checked before any work; null when no QR codes are asked for. */
export function qrDirOf(dir: string | undefined, format: string | undefined, command: string): QrDir | null {
  if (dir === undefined) {
    if (format !== undefined) throw new UsageError('--qr-format needs --qr-dir DIR', command);
    return null;
  }
  const chosen = format ?? 'svg';
  if (!(QR_FORMATS as readonly string[]).includes(chosen))
    throw new UsageError(`--qr-format ${chosen}: svg or png`, command);
  return { dir, format: chosen as QrFormat };
}

/** Writes the QR code of every receipt's proof URL; answers how many were written. */
export async function writeQrCodes(target: QrDir, receipts: Iterable<Receipt>): Promise<number> {
  mkdirSync(target.dir, { recursive: true });
  let written = 0;
  for (const r of receipts) {
    await writeQr(join(target.dir, `${r.certificationId}.${target.format}`), r.proofUrl, target.format);
    written++;
  }
  return written;
}
