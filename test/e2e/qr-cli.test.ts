import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QR_OPTIONS, TERMINAL_QR_OPTIONS } from '../../src/cli/files/qr-files.js';
import { ChanceryClient, generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/client/index.js';
import { jsonOf, type NodeProcess, runCli, startNodeProcess } from './support/cli-process.js';

/**
 * QR codes of proof URLs, as an officer makes them for paper certificates:
 * `certify --qr` in the terminal, `--qr-out` as SVG or PNG, and
 * `certify-bulk --qr-dir` one per record beside the receipts. Each is checked
 * against the qrcode library's own rendering of the proof URL, so a QR of
 * anything else (or of nothing) fails.
 */
describe('QR codes from the CLI', () => {
  let tmp: string;
  let node: NodeProcess;
  let deptKey: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-qr-'));
    const dataDir = join(tmp, 'data');
    node = await startNodeProcess(dataDir);
    const authority = new ChanceryClient(node.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(dataDir, 'authority.key')),
    });
    deptKey = join(tmp, 'transport.key');
    const keyPair = generateKeyPair();
    writeKeyFiles(deptKey, keyPair);
    await authority.registerIdentity({
      identityId: 'TRANSPORT',
      name: 'Transport',
      roles: ['issuer'],
      publicKeys: [keyPair.publicKeyBase64],
    });
    await authority.accredit('TRANSPORT', ['driving-licence']);
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli([...args, '--url', node.url]);
  const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  it('prints the proof URL as a QR code with --qr and writes it as SVG with --qr-out', async () => {
    const record = join(tmp, 'licence-1.pdf');
    writeFileSync(record, 'licence 1\n');
    const svg = join(tmp, 'licence-1.svg');
    const run = await cli(
      'certify',
      record,
      '--as',
      deptKey,
      '--type',
      'driving-licence',
      '--qr',
      '--qr-out',
      svg,
    );
    expect(run.code, run.stderr).toBe(0);
    const url = /proof URL (\S+)/.exec(run.stdout)![1]!;
    expect(url).toMatch(/\/p\/crt_[a-z2-7]{24}$/);
    expect(run.stdout).toContain((await QRCode.toString(url, TERMINAL_QR_OPTIONS)).trimEnd());
    const written = readFileSync(svg, 'utf8');
    expect(written).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);
    expect(written).toBe(await QRCode.toString(url, { ...QR_OPTIONS, type: 'svg' }));
  });

  it('writes PNG by extension, and refuses an existing file or another extension before certifying', async () => {
    const record = join(tmp, 'licence-2.pdf');
    writeFileSync(record, 'licence 2\n');
    const png = join(tmp, 'licence-2.png');
    const done = jsonOf<{ proofUrl: string; qrFile: string }>(
      await cli('certify', record, '--as', deptKey, '--type', 'driving-licence', '--qr-out', png, '--json'),
    );
    expect(done.qrFile).toBe(png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(bytes).toEqual(await QRCode.toBuffer(done.proofUrl, { ...QR_OPTIONS, type: 'png', width: 512 }));

    const again = join(tmp, 'licence-3.pdf');
    writeFileSync(again, 'licence 3\n');
    for (const [out, message] of [
      [png, `--qr-out ${png} already exists: not overwriting it`],
      [join(tmp, 'x.jpg'), `--qr-out ${join(tmp, 'x.jpg')}: name a .svg or a .png file`],
    ] as const) {
      const refused = await cli(
        'certify',
        again,
        '--as',
        deptKey,
        '--type',
        'driving-licence',
        '--qr-out',
        out,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    expect(readFileSync(png)).toEqual(bytes);
    // Nothing was certified by the refusals: the third licence is still unknown to the node.
    const page = (await (await fetch(`${node.url}/v1/certifications?limit=100`)).json()) as {
      items: unknown[];
    };
    expect(page.items).toHaveLength(2);
  });

  it('writes one QR code per record beside the receipts with certify-bulk --qr-dir', async () => {
    const folder = join(tmp, 'batch');
    mkdirSync(folder);
    for (const name of ['a.pdf', 'b.pdf', 'c.pdf']) writeFileSync(join(folder, name), `${name}\n`);
    const qrDir = join(tmp, 'qr');
    const receipts = join(tmp, 'receipts.csv');
    const result = jsonOf<{ qrDir: string; qrCount: number }>(
      await cli(
        'certify-bulk',
        folder,
        '--as',
        deptKey,
        '--type',
        'driving-licence',
        '--receipts',
        receipts,
        '--qr-dir',
        qrDir,
        '--json',
      ),
    );
    expect(result).toMatchObject({ qrDir, qrCount: 3 });
    const rows = readFileSync(receipts, 'utf8')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(readdirSync(qrDir).sort()).toEqual(rows.map((r) => `${r[2]}.svg`).sort());
    for (const [, , id, url] of rows) {
      expect(readFileSync(join(qrDir, `${id}.svg`), 'utf8')).toBe(
        await QRCode.toString(url!, { ...QR_OPTIONS, type: 'svg' }),
      );
    }
    expect(existsSync(join(qrDir, 'a.pdf.svg'))).toBe(false);
  });
});
