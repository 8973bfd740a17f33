import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, writeReceipts } from '../../../src/cli/commands/certify-bulk/receipts-file.js';
import { RECORD_ID_CHARS, writeBatchRecordIds } from '../../../src/cli/commands/certify-bulk/record-ids.js';
import { batchRecordIdFor } from '../../../src/domain/certification/certification-id.js';

/**
 * The receipts file, written as bytes, against the file as one CSV line per record of strings
 * (what certify-bulk wrote before issue 14): the same bytes for any names, quoting included.
 */

const dir = mkdtempSync(join(tmpdir(), 'chancery-receipts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BATCH = 'bat_abcdefghijklmnopqrstuvwx';

/** As bytes: a lone surrogate in a name is written as U+FFFD either way. */
function expectedText(names: readonly string[], packed: Uint8Array, base: string): string {
  let text = 'file,sha256,certification_id,proof_url\r\n';
  names.forEach((name, i) => {
    const id = batchRecordIdFor(BATCH, i);
    const sha256 = Buffer.from(packed.subarray(i * 32, (i + 1) * 32)).toString('hex');
    text += `${[name, sha256, id, `${base}${id}`].map(csvField).join(',')}\r\n`;
  });
  return Buffer.from(text, 'utf8').toString('latin1');
}

let files = 0;
async function written(names: readonly string[], packed: Uint8Array, base: string): Promise<string> {
  const ids = new Uint8Array(names.length * RECORD_ID_CHARS);
  writeBatchRecordIds(BATCH, 0, names.length, ids);
  const path = join(dir, `receipts-${files++}.csv`);
  await writeReceipts(path, { names, packed, ids, proofUrlBase: base });
  // Compared as latin1 text: byte for byte, and a whole-string comparison is fast on megabytes.
  return readFileSync(path).toString('latin1');
}

describe('writeReceipts', () => {
  it('writes what one quoted CSV line per record would, for any names and proof URL base', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('R-1, main', 'say "hi"', 'a\r\nb', 'é😀', '')), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.constantFrom('https://chancery.example/p/', 'http://127.0.0.1:8080/p/', 'https://é.example/p/'),
        async (names, base) => {
          const packed = new Uint8Array(names.length * 32).map((_, k) => (k * 7 + names.length) & 255);
          expect(await written(names, packed, base)).toBe(expectedText(names, packed, base));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes names larger than its 1 MiB buffer, and many records across buffers', async () => {
    const names = [
      'small',
      'x'.repeat(3 * 1024 * 1024),
      ...Array.from({ length: 20_000 }, (_, i) => `R-${i}`),
    ];
    const packed = new Uint8Array(names.length * 32).map((_, k) => k & 255);
    expect(await written(names, packed, 'https://chancery.example/p/')).toBe(
      expectedText(names, packed, 'https://chancery.example/p/'),
    );
    // Only the final files: no temporary file left beside them.
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
});
