import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readDigestManifest } from '../../../src/cli/commands/certify-bulk/digest-manifest.js';
import { readDigestManifestByLines } from './reference-digest-manifest.js';

/**
 * The byte parser of digest manifests against the line-by-line reader it replaced: the same digests,
 * names and format, or the same error, for manifests mixing every kind of line and line end.
 */

const dir = mkdtempSync(join(tmpdir(), 'chancery-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEX = 'a3f1'.repeat(16);
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

type Outcome = { ok: { format: string; names: readonly string[]; packed: string } } | { error: string };

async function outcome(
  read: (path: string) => Promise<{ format: string; names: readonly string[]; packed: Uint8Array }>,
  path: string,
): Promise<Outcome> {
  try {
    const m = await read(path);
    // Large manifests are compared by digest, so that a failure does not print megabytes.
    const names = m.names.length > 100 ? [sha256(m.names.join('\n'))] : m.names;
    return { ok: { format: m.format, names, packed: sha256(m.packed) } };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

let files = 0;
async function bothRead(text: string | Buffer): Promise<[Outcome, Outcome]> {
  const path = join(dir, `m${files++}.txt`);
  writeFileSync(path, text);
  return [await outcome(readDigestManifest, path), await outcome(readDigestManifestByLines, path)];
}

const goodDigest = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  fc.constant(HEX.toUpperCase()),
);
// Mostly good digests: a bad one ends the read, and what comes after it would go unchecked.
const digest = fc.oneof(
  { weight: 30, arbitrary: goodDigest },
  { weight: 1, arbitrary: fc.constantFrom(HEX.slice(1), `${HEX.slice(2)}zz`, '', `${HEX}0`) },
);
const id = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'R-1',
      'D-2026-0001',
      '',
      'é',
      '"quoted, with comma"',
      '"a ""b"""',
      ' spaced ',
      'tab\there',
      'x\u00a0',
      '#hash',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).filter((t) => !/[",\r\n]/.test(t)) },
);
const pad = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', ' ', '  ') },
  { weight: 1, arbitrary: fc.constantFrom('\t', '\u00a0', '\ufeff') },
);
const csvData = fc
  .tuple(pad, id, pad, digest, pad, fc.constantFrom('', ',extra', ',', ',"q,x"'), pad)
  .map(([before, i, d0, d, d1, tail, after]) => `${before}${i},${d0}${d}${d1}${tail}${after}`);
const other = fc.constantFrom(
  '',
  '   ',
  '# comment',
  '#',
  ' # indented',
  'R-9',
  HEX,
  `{"digest":"${HEX}","id":7}`,
  ',,,',
  '"unclosed',
);
const header = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'id,digest',
      'ID,Digest,issued',
      ' id , sha256 ',
      'name,digest',
      'x,digest,y,id',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('digest', 'name,value', '') },
);
const plainData = fc.tuple(pad, digest, pad).map(([a, d, b]) => `${a}${d}${b}`);
const ndjsonData = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(id, digest).map(([i, d]) => JSON.stringify({ id: i, digest: d })) },
  { weight: 2, arbitrary: digest.map((d) => JSON.stringify({ sha256: d })) },
  { weight: 1, arbitrary: fc.constantFrom('{', '[]', '{"id":1}', 'null') },
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\r\n');

function manifest(first: fc.Arbitrary<string>, line: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('', '\ufeff', '# export\n'),
      first,
      fc.array(
        fc.tuple(fc.oneof({ weight: 40, arbitrary: line }, { weight: 1, arbitrary: other }), lineEnd),
        {
          maxLength: 12,
        },
      ),
      fc.boolean(),
    )
    .map(([start, head, lines, endsWithLineEnd]) => {
      const text = start + head + lines.map(([l, e]) => `\n${l}${e === '\n' ? '' : e}`).join('');
      return endsWithLineEnd ? `${text}\n` : text;
    });
}

describe('readDigestManifest (bytes) agrees with the line-by-line reader', () => {
  it('on CSV manifests', async () => {
    let read = 0;
    await fc.assert(
      fc.asyncProperty(manifest(header, csvData), async (text) => {
        const [bytes, lines] = await bothRead(text);
        expect(bytes).toEqual(lines);
        if ('ok' in bytes) read++;
      }),
      { numRuns: 300 },
    );
    // Most runs must reach the end of their manifest, or the comparison says little.
    expect(read).toBeGreaterThan(150);
  });

  it('on plain and NDJSON manifests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(manifest(plainData, plainData), manifest(ndjsonData, ndjsonData)),
        async (text) => {
          const [bytes, lines] = await bothRead(text);
          expect(bytes).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on lines longer than a read (4 MiB) and an empty or missing file', async () => {
    const long = `id,digest\nR-1,${HEX}\n${'#'.repeat(5 * 1024 * 1024)}\r\nR-2,${HEX}\r\n"${'x'.repeat(4 * 1024 * 1024)}",${HEX}`;
    const [bytes, lines] = await bothRead(long);
    expect(bytes).toEqual(lines);
    expect(bytes).toMatchObject({ ok: { format: 'csv' } });
    expect(await bothRead('')).toEqual([
      { error: `CliError: ${join(dir, `m${files - 1}.txt`)} lists no digests` },
      { error: `CliError: ${join(dir, `m${files - 1}.txt`)} lists no digests` },
    ]);
    const missing = join(dir, 'missing.csv');
    expect(await outcome(readDigestManifest, missing)).toEqual(
      await outcome(readDigestManifestByLines, missing),
    );
    expect(await outcome(readDigestManifest, dir)).toEqual(await outcome(readDigestManifestByLines, dir));
  });

  it('reads a CSV line by line across read boundaries, CRLF split between two reads included', async () => {
    // 4 MiB reads: lines of 70 bytes put a CR or an LF on every side of a boundary somewhere.
    const rows = Array.from({ length: 130_000 }, (_, i) => `R-${String(i).padStart(3, '0')},${HEX}`);
    const [bytes, lines] = await bothRead(`id,digest\r\n${rows.join('\r\n')}\r\n`);
    expect(bytes).toEqual(lines);
    expect(bytes).toMatchObject({ ok: { format: 'csv' } });
  });
});
