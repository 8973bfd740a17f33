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
/** Runs per property; MANIFEST_RUNS=5000 for a longer search. */
const RUNS = Number(process.env['MANIFEST_RUNS'] ?? 300);
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
const jsonValue = fc.oneof(
  fc.constantFrom('true', 'false', 'null', '1', '-2.5e3', '{}', '[1]', '"x"', '"a\\"b"', '"\\u0041"', '"é"'),
  id.map((i) => JSON.stringify(i)),
);
const spaces = fc.constantFrom('', '', ' ', '  ', '\t');
// Flat objects written by hand: key order, spacing, extra keys, duplicate keys, escapes, literals.
const pair = fc.tuple(
  fc.constantFrom('"id"', '"id"', '"digest"', '"sha256"', '"extra"', '"i\\u0064"'),
  fc.oneof({ weight: 1, arbitrary: goodDigest.map((d) => `"${d}"`) }, { weight: 3, arbitrary: jsonValue }),
  spaces,
);
// Each has a good digest somewhere (else the manifest stops at its error), among other pairs.
const handWritten = fc
  .tuple(
    fc.tuple(
      fc.constantFrom('"digest"', '"sha256"'),
      goodDigest.map((d) => `"${d}"`),
      spaces,
    ),
    fc.array(pair, { maxLength: 3 }),
    fc.nat(),
    spaces,
  )
  .map(([digestPair, others, at, pad]) => {
    const pairs = [...others];
    pairs.splice(at % (others.length + 1), 0, digestPair);
    return `{${pad}${pairs.map(([k, v, sp]) => `${k}${sp}:${sp}${v}`).join(`${pad},`)}${pad}}`;
  });
const ndjsonData = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(id, digest).map(([i, d]) => JSON.stringify({ id: i, digest: d })) },
  { weight: 2, arbitrary: fc.tuple(digest, id).map(([d, i]) => JSON.stringify({ digest: d, id: i, n: 1 })) },
  { weight: 2, arbitrary: digest.map((d) => JSON.stringify({ sha256: d, id: null })) },
  { weight: 6, arbitrary: handWritten },
  { weight: 1, arbitrary: fc.constantFrom('{', '[]', '{"id":1}', 'null', '{}') },
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
      { numRuns: RUNS },
    );
    // Most runs must reach the end of their manifest, or the comparison says little.
    expect(read).toBeGreaterThan(RUNS / 2);
  });

  it('on plain manifests', async () => {
    await fc.assert(
      fc.asyncProperty(manifest(plainData, plainData), async (text) => {
        const [bytes, lines] = await bothRead(text);
        expect(bytes).toEqual(lines);
      }),
      { numRuns: 200 },
    );
  });

  it('on NDJSON manifests, flat objects written by hand included', async () => {
    let read = 0;
    await fc.assert(
      fc.asyncProperty(manifest(ndjsonData, ndjsonData), async (text) => {
        const [bytes, lines] = await bothRead(text);
        expect(bytes).toEqual(lines);
        if ('ok' in bytes) read++;
      }),
      { numRuns: RUNS },
    );
    expect(read).toBeGreaterThan(RUNS / 8);
  });

  it('on NDJSON objects whose meaning JSON.parse decides: repeated keys, literals, both digest keys', async () => {
    const other = 'b7'.repeat(32);
    const lines = [
      // The first line decides the format through the string path: the cases follow it.
      `{"digest":"${HEX}"}`,
      `{"digest":"${HEX}","id":"a","id":null}`,
      `{"id":"a","digest":"${HEX}","id":"b"}`,
      `{"digest":"${HEX}","digest":"${other}"}`,
      `{"sha256":"${HEX}","digest":"${other}"}`,
      `{"id":true,"digest":"${HEX}"}`,
      `{"id":null,"digest":"${HEX}","extra":false}`,
      `{ "id" : "a" , "digest" : "${HEX}" }`,
      `{"id":"a\\u0062","digest":"${HEX}"}`,
    ];
    const [bytes, byLines] = await bothRead(`${lines.join('\n')}\n`);
    expect(bytes).toEqual(byLines);
    expect(bytes).toMatchObject({
      ok: { names: ['line 1', 'line 2', 'b', 'line 4', 'line 5', 'true', 'line 7', 'a', 'ab'] },
    });
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
