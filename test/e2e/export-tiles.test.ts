/**
 * `chancery export-tiles` as a real process, its folder served by Debian's
 * nginx, read by the independent tile reader: the static export must be the
 * same log the node serves, checked against the signed checkpoint. Full
 * tiles are written once; --follow keeps up with a growing log. The
 * adversaries: a node (or a proxy in front of it) serving a tile the
 * checkpoint does not commit to, and a checkpoint not signed by the pinned key;
 * the exporter must refuse both and leave the published folder as it was.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { publishEntry } from '../support/directory-fixtures.js';
import { type NginxServer, startNginx } from '../support/nginx-tiles.js';
import { startTestNode, type TestNode } from '../support/test-node.js';
import {
  httpResource,
  IndependentTileReader,
  verifyCheckpointIndependently,
} from '../support/tlog-tiles-reader.js';
import { jsonOf, REPO_ROOT, runCli } from './support/cli-process.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('chancery export-tiles, served by nginx', () => {
  let t: TestNode;
  let dept: Signer;
  let vkey: string;
  let out: string;
  let nginx: NginxServer;
  let certified = 0;
  let lastCertification = '';

  async function certify(count: number): Promise<void> {
    for (const end = certified + count; certified < end; certified++) {
      const res = await t.certifyDiploma(dept, `export ${certified}`);
      expect(res.statusCode, res.body).toBe(201);
      lastCertification = (JSON.parse(res.body) as { certificationId: string }).certificationId;
    }
    await t.seal();
  }

  /** The independent reader against nginx: signed root, /v1 proofs, bundles. */
  async function checkServedExport(size: number): Promise<void> {
    const note = await (await fetch(`${nginx.url}/checkpoint`)).text();
    expect(note).toBe(await (await fetch(`${t.node.url}/checkpoint`)).text());
    const checkpoint = verifyCheckpointIndependently(note, vkey);
    expect(checkpoint.treeSize).toBe(size);
    const reader = new IndependentTileReader(httpResource(nginx.url), size, checkpoint.rootHash);
    for (const index of [0, 255, 256, Math.floor(size / 2), size - 1]) {
      const proof = (await reader.inclusionProof(index)).map(b64);
      const res = await fetch(`${t.node.url}/v1/log/proofs/inclusion?index=${index}&size=${size}`);
      expect(proof, `leaf ${index}`).toEqual(((await res.json()) as { proof: string[] }).proof);
    }
    const last = Math.floor((size - 1) / 256);
    expect((await reader.entries(last)).length).toBe(size - last * 256);
  }

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'chancery-export-'));
    // mkdtemp makes the folder private; nginx's workers (another user when started as root) must read it.
    chmodSync(out, 0o755);
    t = await startTestNode({ listen: true });
    dept = await t.issuer('EXPORTDEPT', ['diploma']);
    vkey = t.node.log.verifierKey;
    await certify(400);
    nginx = await startNginx(out);
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await t.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('exports a log nginx serves exactly as the node does, checked by the independent reader', async () => {
    const run = jsonOf(await runCli(['export-tiles', out, '--url', t.node.url, '--trust', vkey, '--json']));
    expect(run).toMatchObject({ dir: out, passes: 1, treeSize: 403 });
    expect(readdirSync(out).sort()).toEqual(['checkpoint', 'tile']);
    expect(existsSync(join(out, 'tile/0/001.p/147'))).toBe(true);
    await checkServedExport(403);
    const full = await fetch(`${nginx.url}/tile/0/000`);
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const partial = await fetch(`${nginx.url}/tile/0/001.p/147`);
    expect(partial.headers.get('cache-control')).toBe('public, max-age=10');
    const checkpoint = await fetch(`${nginx.url}/checkpoint`);
    expect(checkpoint.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(checkpoint.headers.get('cache-control')).toBe('public, max-age=2, must-revalidate');
    const bundle = await fetch(`${nginx.url}/tile/entries/000`, { headers: { 'accept-encoding': 'gzip' } });
    expect(bundle.headers.get('content-encoding')).toBe('gzip');
    await Promise.all([full.arrayBuffer(), partial.arrayBuffer(), checkpoint.text(), bundle.arrayBuffer()]);
  }, 60_000);

  it('a second pass writes only what is new: full tiles are never rewritten, partial ones replaced', async () => {
    const before = statSync(join(out, 'tile/0/000'));
    const bundleBefore = statSync(join(out, 'tile/entries/000'));
    await certify(200);
    const run = jsonOf(await runCli(['export-tiles', out, '--url', t.node.url, '--trust', vkey, '--json']));
    expect(run).toMatchObject({ treeSize: 603 });
    const after = statSync(join(out, 'tile/0/000'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(statSync(join(out, 'tile/entries/000')).mtimeMs).toBe(bundleBefore.mtimeMs);
    // 0/001 became full; the old partial stays for readers of the older checkpoint.
    expect(existsSync(join(out, 'tile/0/001'))).toBe(true);
    expect(existsSync(join(out, 'tile/0/001.p/147'))).toBe(true);
    expect(readdirSync(join(out, 'tile/0')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    await checkServedExport(603);
  }, 60_000);

  it('--follow keeps the export up to date and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'export-tiles',
        out,
        '--url',
        t.node.url,
        '--follow',
        '--interval',
        '0.2',
        '--json',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await certify(60);
    const deadline = Date.now() + 30_000;
    while (!readFileSync(join(out, 'checkpoint'), 'utf8').includes('\n663\n')) {
      if (Date.now() > deadline) throw new Error(`follower did not export 663: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await checkServedExport(663);
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ treeSize: 663 });
  }, 90_000);

  it('chancery verify --tiles computes the inclusion proof from the nginx-served export', async () => {
    const bundle = `${t.node.url}/v1/proofs/${lastCertification}`;
    const run = await runCli(['verify', bundle, '--trust', vkey, '--tiles', nginx.url, '--json']);
    const report = JSON.parse(run.stdout) as { ok: boolean; tilesInclusion: { ok: boolean; detail: string } };
    // The overall verdict also needs a pinned authority key, which is not what this test is about.
    expect(report.tilesInclusion.ok, run.stdout).toBe(true);
    expect(report.tilesInclusion.detail).toMatch(
      new RegExp(
        `^entry \\d+ is in the signed tree of 663, by a proof computed here from \\d+ tiles of ${nginx.url} \\(the same as the bundle’s\\)$`,
      ),
    );
    // Tiles that disagree with the signed root (a tampering CDN) fail the check and the exit status.
    const proxy: Server = createServer(async (request, response) => {
      const res = await fetch(`${nginx.url}${request.url}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (request.url?.startsWith('/tile/0/002')) body[40] = body[40]! ^ 1;
      response.writeHead(res.status, { 'content-type': 'application/octet-stream' });
      response.end(body);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const cheated = await runCli(['verify', bundle, '--trust', vkey, '--tiles', proxyUrl, '--json']);
    proxy.close();
    expect(cheated.code).toBe(1);
    const failed = JSON.parse(cheated.stdout) as {
      ok: boolean;
      tilesInclusion: { ok: boolean; detail: string };
    };
    expect(failed.ok).toBe(false);
    expect(failed.tilesInclusion.detail).toMatch(
      new RegExp(`^inclusion from the tiles of ${proxyUrl} failed: `),
    );
  }, 60_000);

  it('refuses a checkpoint the pinned key did not sign, and writes nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'chancery-export-'));
    const other = generateKeyPair();
    const wrongKey = formatVerifierKey('localhost/chancery', SIGNATURE_TYPE_ED25519, other.publicKey);
    const run = await runCli(['export-tiles', empty, '--url', t.node.url, '--trust', wrongKey]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the checkpoint of ${t.node.url} does not verify with ${wrongKey}`);
    expect(readdirSync(empty)).toEqual([]);
    rmSync(empty, { recursive: true, force: true });
  });

  it('refuses a tile the checkpoint does not commit to (a tampering proxy), leaving the folder unpublished', async () => {
    const upstream = t.node.url;
    const proxy: Server = createServer(async (request, response) => {
      const res = await fetch(`${upstream}${request.url}`, { headers: { 'accept-encoding': 'identity' } });
      const body = Buffer.from(await res.arrayBuffer());
      if (request.url === '/tile/0/001') body[100] = body[100]! ^ 1;
      response.writeHead(res.status, { 'content-type': res.headers.get('content-type') ?? 'text/plain' });
      response.end(body);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const fresh = mkdtempSync(join(tmpdir(), 'chancery-export-'));
    const run = await runCli(['export-tiles', fresh, '--url', proxyUrl, '--trust', vkey]);
    proxy.close();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `tile tile/0/001 from ${proxyUrl} does not hash to its entry in the tile above`,
    );
    expect(existsSync(join(fresh, 'tile/0/001'))).toBe(false);
    expect(existsSync(join(fresh, 'checkpoint'))).toBe(false);
    rmSync(fresh, { recursive: true, force: true });
  }, 60_000);
});

/**
 * An entry longer than the 65,535 bytes a tlog-tiles bundle frames (a catalog entry whose JSON Schema
 * is ~100 KB; the node takes up to 128 KiB): the node answers 409 BUNDLE_ENTRY_TOO_LARGE for its
 * bundle. The export must go on without that bundle (and --follow must not stall on it), say so, and
 * not take the node's word for it: a node or proxy answering 409 for a bundle whose entries all fit
 * would keep entries out of the export.
 */
describe('chancery export-tiles and an entry too long for a bundle', () => {
  let t: TestNode;
  let vkey: string;
  let longIndex: number;
  let size: number;
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'chancery-export-long-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    t = await startTestNode({ listen: true });
    vkey = t.node.log.verifierKey;
    const stats = await t.issuer('STATS', [], ['publisher']);
    longIndex = t.node.sequencer.sequencedSize();
    await publishEntry(t, stats, {
      conformsTo: { type: 'object', description: 'census fields '.repeat(7500) },
    });
    await publishEntry(t, stats);
    await t.seal();
    size = t.node.sequencer.latestCheckpoint()!.treeSize;
  }, 120_000);
  afterAll(async () => {
    await t.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('exports everything but that bundle, names the entry, and the hash tiles still prove it', async () => {
    const out = fresh();
    const run = jsonOf(await runCli(['export-tiles', out, '--url', t.node.url, '--trust', vkey, '--json']));
    const bundle = `tile/entries/000.p/${size}`;
    expect(run).toMatchObject({ treeSize: size, unframed: [{ bundle, leaves: [{ leafIndex: longIndex }] }] });
    const [leaf] = (run as { unframed: { leaves: { bytes: number }[] }[] }).unframed[0]!.leaves;
    expect(leaf!.bytes).toBeGreaterThan(65_535);
    expect(existsSync(join(out, bundle))).toBe(false);
    expect(existsSync(join(out, `tile/0/000.p/${size}`))).toBe(true);
    const note = readFileSync(join(out, 'checkpoint'), 'utf8');
    const checkpoint = verifyCheckpointIndependently(note, vkey);
    const reader = new IndependentTileReader(
      async (path) => new Uint8Array(readFileSync(join(out, path))),
      size,
      checkpoint.rootHash,
    );
    const proof = (await reader.inclusionProof(longIndex)).map(b64);
    const res = await fetch(`${t.node.url}/v1/log/proofs/inclusion?index=${longIndex}&size=${size}`);
    expect(proof).toEqual(((await res.json()) as { proof: string[] }).proof);
    const text = await runCli(['export-tiles', fresh(), '--url', t.node.url, '--trust', vkey]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`not framed +${bundle}: entry ${longIndex} is \\d+ bytes`));
  }, 60_000);

  it('stops when the node says a bundle cannot be framed and none of its entries is too long', async () => {
    // A log all of whose entries fit, behind a proxy that answers 409 for every bundle.
    const small = await startTestNode({ listen: true });
    await small.issuer('SMALLDEPT', ['diploma']);
    await small.seal();
    const proxy: Server = createServer(async (request, response) => {
      if (request.url?.startsWith('/tile/entries/')) {
        response.writeHead(409, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ status: 409, code: 'BUNDLE_ENTRY_TOO_LARGE' }));
        return;
      }
      const res = await fetch(`${small.node.url}${request.url}`, {
        headers: { 'accept-encoding': 'identity' },
      });
      response.writeHead(res.status, { 'content-type': res.headers.get('content-type') ?? 'text/plain' });
      response.end(Buffer.from(await res.arrayBuffer()));
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const out = fresh();
      const run = await runCli([
        'export-tiles',
        out,
        '--url',
        proxyUrl,
        '--trust',
        small.node.log.verifierKey,
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${proxyUrl} answered 409 BUNDLE_ENTRY_TOO_LARGE for tile/entries/000.p/`);
      expect(run.stderr).toContain('but none of its entries is longer than 65535 bytes');
      expect(existsSync(join(out, 'checkpoint'))).toBe(false);
    } finally {
      proxy.close();
      await small.close();
    }
  }, 60_000);
});
