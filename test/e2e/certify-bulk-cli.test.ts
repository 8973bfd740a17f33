import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChanceryClient, generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/client/index.js';
import { batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { batchRoot } from '../../src/domain/log/index.js';
import { jsonOf, type NodeProcess, REPO_ROOT, runCli, startNodeProcess } from './support/cli-process.js';

/**
 * `chancery certify-bulk` as users run it, against a node started with
 * `chancery start`: a folder of files in, one signed batch out, a receipts
 * file whose proof URLs verify with `chancery verify`, and one record revoked
 * on its own with `chancery certification revoke`.
 */

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** RFC 4180 as receipts-file.ts writes it: CRLF lines, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('chancery certify-bulk', () => {
  let tmp: string;
  let node: NodeProcess;
  let deptKey: string;
  let folder: string;
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-bulk-'));
    const dataDir = join(tmp, 'data');
    node = await startNodeProcess(dataDir);
    const authority = new ChanceryClient(node.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(dataDir, 'authority.key')),
    });
    deptKey = join(tmp, 'university.key');
    const keyPair = generateKeyPair();
    writeKeyFiles(deptKey, keyPair);
    await authority.registerIdentity({
      identityId: 'UNIVERSITY',
      name: 'University',
      roles: ['issuer'],
      publicKeys: [keyPair.publicKeyBase64],
    });
    await authority.accredit('UNIVERSITY', ['diploma']);

    folder = join(tmp, 'diplomas-2026');
    for (const name of [
      'b.txt',
      'a.txt',
      'sub/z.txt',
      'sub/deeper/m.txt',
      '.hidden',
      'Upper.txt',
      'with, comma "and quotes".txt',
      ...Array.from({ length: 18 }, (_, i) => `bulk/diploma-${String(i).padStart(3, '0')}.pdf`),
    ]) {
      const content = Buffer.from(`diploma ${name}\n`.repeat(50));
      mkdirSync(join(folder, name, '..'), { recursive: true });
      writeFileSync(join(folder, name), content);
      files.set(name, content);
    }
    // A link is skipped, not followed: the batch is exactly the regular files.
    symlinkSync(join(folder, 'a.txt'), join(folder, 'link-to-a.txt'));
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli([...args, '--url', node.url]);

  it('certifies every regular file of a folder, in path order, and writes one receipt per file', async () => {
    const receipts = join(tmp, 'receipts.csv');
    const run = await cli(
      'certify-bulk',
      folder,
      '--as',
      deptKey,
      '--type',
      'diploma',
      '--valid-from',
      '2026-07-01',
      '--receipts',
      receipts,
      '--json',
    );
    const result = jsonOf<{ batchId: string; count: number; batchRoot: string; receipts: string }>(run);
    // stderr is not a terminal here: no progress bar noise.
    expect(run.stderr).toBe('');
    const names = [...files.keys()].sort((a, b) => (a < b ? -1 : 1));
    expect(result).toMatchObject({
      type: 'CertifyBatch',
      count: names.length,
      receipts,
      source: { kind: 'folder', path: folder },
      replayed: false,
    });
    const digests = names.map((n) => sha256(files.get(n)!));
    expect(result.batchRoot).toBe(
      Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString('hex'),
    );

    const rows = parseCsv(readFileSync(receipts, 'utf8'));
    expect(rows[0]).toEqual(['file', 'sha256', 'certification_id', 'proof_url']);
    expect(rows.slice(1)).toEqual(
      names.map((name, i) => {
        const id = batchRecordIdFor(result.batchId, i);
        return [name, digests[i], id, `${node.url}/p/${id}`];
      }),
    );
    expect(readFileSync(receipts, 'utf8')).toContain('"with, comma ""and quotes"".txt"');

    // Every receipt is a certification of its own.
    const shown = jsonOf(await cli('certification', 'show', rows[3]![2]!, '--json'));
    expect(shown).toMatchObject({
      recordDigest: rows[3]![1],
      recordType: 'diploma',
      validFrom: '2026-07-01T00:00:00Z',
      status: 'active',
      batch: { batchId: result.batchId, index: 2 },
    });
  });

  it("a receipt's proof URL verifies offline with the file, and one record can be revoked alone", async () => {
    const receipts = join(tmp, 'receipts.csv');
    const rows = parseCsv(readFileSync(receipts, 'utf8')).slice(1);
    const [name, , id, proofUrl] = rows[5]!;
    const vkey = jsonOf<{ logVerifierKey: string }>(await cli('status', '--json')).logVerifierKey;
    // The node seals on a short interval; wait until the batch is under a checkpoint.
    for (let i = 0; i < 100 && (await fetch(`${node.url}/v1/proofs/${id}`)).status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // The authority's public key file, as the province would publish it.
    const authorityPub = join(tmp, 'data', 'authority.key.pub');
    const verified = await runCli([
      'verify',
      proofUrl!,
      '--trust',
      vkey,
      '--authority',
      authorityPub,
      '--document',
      join(folder, name!),
    ]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('Inside its certified batch');
    const wrongFile = await runCli([
      'verify',
      proofUrl!,
      '--trust',
      vkey,
      '--authority',
      authorityPub,
      '--document',
      join(folder, 'a.txt'),
    ]);
    expect(wrongFile.code).toBe(1);

    const revoked = jsonOf(
      await cli('certification', 'revoke', id!, '--as', deptKey, '--reason', 'degree withdrawn', '--json'),
    );
    expect(revoked).toMatchObject({ type: 'RevokeCertification', certificationId: id, replayed: false });
    expect(jsonOf(await cli('certification', 'show', id!, '--json'))).toMatchObject({ status: 'revoked' });
    const neighbour = rows[6]![2]!;
    expect(jsonOf(await cli('certification', 'show', neighbour, '--json'))).toMatchObject({
      status: 'active',
    });
  });

  it('certifies the files a manifest lists, in its order, named as the manifest names them', async () => {
    const manifest = join(folder, 'list.txt');
    writeFileSync(
      manifest,
      '# graduation, second sitting\r\nsub/z.txt\r\n\r\na.txt\r\nbulk/diploma-007.pdf\r\n',
    );
    const run = await cli('certify-bulk', manifest, '--as', deptKey, '--type', 'diploma', '--json');
    const result = jsonOf<{ batchId: string; count: number; receipts: string }>(run);
    expect(result).toMatchObject({ count: 3, source: { kind: 'manifest' } });
    // The default receipts file is named after the batch, in the working directory (the CLI runs in the repo root).
    expect(result.receipts).toBe(`receipts-${result.batchId}.csv`);
    const written = join(REPO_ROOT, result.receipts);
    try {
      const rows = parseCsv(readFileSync(written, 'utf8')).slice(1);
      expect(rows.map((r) => [r[0], r[1]])).toEqual([
        ['sub/z.txt', sha256(files.get('sub/z.txt')!)],
        ['a.txt', sha256(files.get('a.txt')!)],
        ['bulk/diploma-007.pdf', sha256(files.get('bulk/diploma-007.pdf')!)],
      ]);
    } finally {
      rmSync(written, { force: true });
    }
  });

  it('certifies a digest manifest in each format (plain, CSV, NDJSON), ids in the receipts, over the streamed upload', async () => {
    const digests = Array.from({ length: 5 }, (_, i) => sha256(`registry record ${i}`));
    const manifests = {
      plain: `# export of 2026-11-20\n${digests.map((d, i) => (i === 2 ? d.toUpperCase() : d)).join('\n')}\n`,
      csv: `ID,Digest,issued\r\n${digests.map((d, i) => `"R-${i}, main",${d},2026-11-20`).join('\r\n')}\r\n`,
      ndjson: `${digests.map((d, i) => JSON.stringify({ id: `R-${i}`, digest: d, extra: true })).join('\n')}\n`,
    };
    const names = {
      plain: digests.map((_, i) => `line ${i + 2}`), // line 1 is the comment
      csv: digests.map((_, i) => `R-${i}, main`),
      ndjson: digests.map((_, i) => `R-${i}`),
    };
    for (const [format, text] of Object.entries(manifests) as [keyof typeof manifests, string][]) {
      const file = join(tmp, `export.${format}`);
      writeFileSync(file, text);
      const receipts = join(tmp, `receipts-${format}.csv`);
      const run = await cli(
        'certify-bulk',
        '--digests',
        file,
        '--as',
        deptKey,
        '--type',
        'diploma',
        '--receipts',
        receipts,
        '--json',
      );
      const result = jsonOf<{ batchId: string; count: number; batchRoot: string }>(run);
      expect(result).toMatchObject({ count: 5, source: { kind: 'digests', path: file }, replayed: false });
      const root = Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString(
        'hex',
      );
      expect(result.batchRoot).toBe(root);
      const rows = parseCsv(readFileSync(receipts, 'utf8')).slice(1);
      expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual(
        digests.map((d, i) => [names[format][i], d, batchRecordIdFor(result.batchId, i)]),
      );
    }
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'id,digest\nR-1,abc\n');
    const refused = await cli('certify-bulk', '--digests', bad, '--as', deptKey, '--type', 'diploma');
    expect(refused).toMatchObject({
      code: 1,
      stderr: `error: ${bad} line 2: "abc" is not a SHA-256 digest (64 hex characters)\n`,
    });
    const both = await cli('certify-bulk', folder, '--digests', bad, '--as', deptKey, '--type', 'diploma');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either FOLDER|MANIFEST or --digests FILE (one of them)');
  });

  it('refuses before any work: an existing receipts file, an empty folder, a missing file, a wrong type', async () => {
    const receipts = join(tmp, 'receipts.csv');
    const before = readFileSync(receipts, 'utf8');
    const exists = await cli(
      'certify-bulk',
      folder,
      '--as',
      deptKey,
      '--type',
      'diploma',
      '--receipts',
      receipts,
    );
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain(`--receipts ${receipts} already exists: not overwriting receipts`);
    expect(readFileSync(receipts, 'utf8')).toBe(before);

    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const none = await cli('certify-bulk', empty, '--as', deptKey, '--type', 'diploma');
    expect(none).toMatchObject({ code: 1, stderr: `error: ${empty} has no files to certify\n` });

    const manifest = join(tmp, 'broken.txt');
    writeFileSync(manifest, 'diplomas-2026/a.txt\ndiplomas-2026/gone.txt\n');
    const missing = await cli('certify-bulk', manifest, '--as', deptKey, '--type', 'diploma');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'cannot read diplomas-2026/gone.txt: no such file; nothing was certified',
    );

    const refused = await cli('certify-bulk', folder, '--as', deptKey, '--type', 'transcript');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error ACCREDITATION_MISSING: actor UNIVERSITY is not accredited');
  });
});
