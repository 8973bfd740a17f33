/**
 * The disk-read ceiling of a bulk certification from files: list the folder
 * as certify-bulk does and read every file whole, with the same synchronous
 * open/read/close calls and buffer size, hashing nothing. certify-bulk cannot
 * read its records faster than this in the same run; the ratio of its rate to
 * this one says how much of its time is reading.
 *
 * The files were written moments before, so they are read from the page
 * cache: this is the ceiling of the file system calls, not of the device. A
 * registry exporting from a cold disk would be slower on both sides.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { listBulkInputs } from '../../src/cli/commands/certify-bulk/bulk-inputs.js';
import { nowMs } from './stats.js';

/** certify-bulk's own read size (CHUNK_BYTES in certify-bulk.ts). */
const CHUNK_BYTES = 1024 * 1024;

export interface DiskReadCeiling {
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly filesPerSecond: number;
}

export async function measureDiskReadCeiling(folder: string): Promise<DiskReadCeiling> {
  const started = nowMs();
  const { inputs } = await listBulkInputs(folder);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let bytes = 0;
  for (const input of inputs) {
    const fd = openSync(input.path, 'r');
    try {
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, null);
        if (read === 0) break;
        bytes += read;
      }
    } finally {
      closeSync(fd);
    }
  }
  const seconds = (nowMs() - started) / 1000;
  return { files: inputs.length, bytes, seconds, filesPerSecond: inputs.length / seconds };
}
