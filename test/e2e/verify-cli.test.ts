import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey, formatWitnessKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { runCli } from './support/cli-process.js';

/**
 * `chancery verify` as a real process: the same checks as the proof page, on
 * bundles a real node (sequencer and sealer included) produced, saved to files
 * or fetched by URL. Exit 0 only when every check passes.
 */
/** The parts of a bundle these tests tamper with. */
interface BundleJson {
  version: number;
  entry: { data: Record<string, unknown> };
  inclusionProof: string[];
}

describe('chancery verify', () => {
  let t: TestNode;
  let tmp: string;
  let vkey: string;
  let authority: string;
  let activeId: string;
  let revokedId: string;
  let bundleFile: string;
  let bundleJson: BundleJson;
  const document = Buffer.from('diploma of Ada, bachelor of science\n');
  const documentFile = () => join(tmp, 'diploma.txt');
  // Validity is checked against the node's test clock, not the machine's.
  const AT = ['--at', '2026-11-21T12:00:00Z'];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-verify-'));
    t = await startTestNode({ listen: true });
    vkey = t.node.log.verifierKey;
    authority = t.authority.keyPair.publicKeyBase64;
    const uni = await t.issuer('UNI', ['diploma']);
    const certify = async (recordDigest: string) => {
      const res = await t.post(
        '/v1/certifications',
        t.sign(uni, 'CertifyRecord', {
          recordDigest,
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        }),
      );
      expect(res.statusCode).toBe(201);
      return JSON.parse(res.body).certificationId as string;
    };
    activeId = await certify(createHash('sha256').update(document).digest('hex'));
    revokedId = await certify('cc'.repeat(32));
    await t.post(
      `/v1/certifications/${revokedId}/revoke`,
      t.sign(uni, 'RevokeCertification', { certificationId: revokedId, reason: 'degree annulled' }),
    );
    await t.seal();
    const res = await t.get(`/v1/proofs/${activeId}`);
    expect(res.statusCode).toBe(200);
    bundleJson = JSON.parse(res.body);
    bundleFile = join(tmp, 'bundle.json');
    writeFileSync(bundleFile, res.body);
    writeFileSync(documentFile(), document);
  });

  afterAll(async () => {
    await t?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  function writeBundle(name: string, edit: (bundle: BundleJson) => void): string {
    const copy = structuredClone(bundleJson);
    edit(copy);
    const file = join(tmp, name);
    writeFileSync(file, JSON.stringify(copy));
    return file;
  }

  it('a genuine bundle file: every check ✓, exit 0', async () => {
    const run = await runCli(['verify', bundleFile, '--trust', vkey, '--authority', authority, ...AT]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`proof of ${activeId} (version 2)`);
    expect(lines.filter((l) => /^ {2}[✓✗] /.test(l))).toEqual([
      '  ✓ Signed by the issuing department',
      "  ✓ The key is the department's, registered by the authority",
      '  ✓ Recorded in the public log',
      '  ✓ Log checkpoint signed by the log',
      '  ✓ Within its validity period',
      '  ✓ Not suspended or revoked',
      '  ✓ The state is recent',
    ]);
    expect(lines.at(-2)).toMatch(/^state: active at \d+ log entries \(set by entry \d+\), no witness time$/);
    expect(lines.at(-1)).toBe('verified: every check passed');
  });

  it('without the authority key a v2 bundle fails: nothing shows whose key signed', async () => {
    const run = await runCli(['verify', bundleFile, '--trust', vkey, ...AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  ✗ The key is the department's, registered by the authority\n      no authority key is pinned",
    );
  });

  it('--max-age fails a state no witness time vouches for; a malformed --max-age or --authority is a usage error', async () => {
    const run = await runCli([
      'verify',
      bundleFile,
      '--trust',
      vkey,
      '--authority',
      authority,
      '--max-age',
      '1d',
      ...AT,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  ✗ The state is recent\n      no witness quorum vouches for a time, so the state's age is unknown (maximum age 86400 s)\n",
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      'STALE: the record is authentic, but its state is proven only as of a time older than the maximum age',
    );
    const badAge = await runCli(['verify', bundleFile, '--trust', vkey, '--max-age', 'soon']);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toMatch(/^error: --max-age soon: expected a number and a unit/);
    const badKey = await runCli(['verify', bundleFile, '--trust', vkey, '--authority', 'AAAA']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(
      /^error: --authority AAAA: not base64 of a 32-byte Ed25519 public key, nor a readable key file/,
    );
    // The authority's .pub file does as well as its base64.
    const byFile = await runCli([
      'verify',
      bundleFile,
      '--trust',
      vkey,
      '--authority',
      join(t.dataDir, 'authority.key.pub'),
      ...AT,
    ]);
    expect(byFile.code, byFile.stdout + byFile.stderr).toBe(0);
  });

  it('a proof page URL fetches the bundle from the same node; --document matches; --json', async () => {
    const run = await runCli([
      'verify',
      `${t.node.url}/p/${activeId}`,
      '--trust',
      vkey,
      '--authority',
      authority,
      '--document',
      documentFile(),
      '--json',
      ...AT,
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      headline: 'verified',
      version: 2,
      caveats: [],
      certificationId: activeId,
      state: { status: 'active', asOf: null },
    });
    expect(report.steps.map((s: { id: string; ok: boolean }) => [s.id, s.ok])).toEqual([
      ['signature', true],
      ['authority', true],
      ['inclusion', true],
      ['checkpoint', true],
      ['validity', true],
      ['status', true],
      ['document', true],
      ['freshness', true],
    ]);
  });

  it('a tampered bundle exits 1 and says which checks failed', async () => {
    const file = writeBundle('tampered.json', (b) => {
      b.entry.data.recordDigest = '00'.repeat(32);
    });
    const run = await runCli(['verify', file, '--trust', vkey, '--authority', authority, ...AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  ✗ Signed by the issuing department\n');
    expect(run.stdout).toContain('  ✗ Recorded in the public log\n');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('NOT VERIFIED: 2 of 7 checks failed');
  });

  it('a tampered proof hash exits 1', async () => {
    const file = writeBundle('bad-proof.json', (b) => {
      const hash = Buffer.from(b.inclusionProof[0]!, 'base64');
      hash[0]! ^= 1;
      b.inclusionProof[0] = hash.toString('base64');
    });
    const run = await runCli(['verify', file, '--trust', vkey, ...AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  ✗ Recorded in the public log\n      the inclusion proof does not lead to the checkpoint's root",
    );
  });

  it('a --trust key of another log exits 1 at the checkpoint', async () => {
    const stranger = formatVerifierKey(t.node.log.origin, SIGNATURE_TYPE_ED25519, new Uint8Array(32).fill(3));
    const run = await runCli(['verify', bundleFile, '--trust', stranger, ...AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '  ✗ Log checkpoint signed by the log\n      the checkpoint is not signed by any key you trust',
    );
  });

  it('a --document that is not the certified one exits 1', async () => {
    const other = join(tmp, 'forged.txt');
    writeFileSync(other, 'diploma of Ada, doctor of science\n');
    const run = await runCli(['verify', bundleFile, '--trust', vkey, '--document', other, ...AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  ✗ Your document matches the certified one\n');
  });

  it('a revoked certification exits 1 with the reason', async () => {
    const run = await runCli([
      'verify',
      `${t.node.url}/v1/proofs/${revokedId}`,
      '--trust',
      vkey,
      '--authority',
      authority,
      ...AT,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /\n {2}✗ Not suspended or revoked\n {6}Revoked on 2026-11-21T10:00:00Z by UNI \(log entry \d+\): degree annulled\n/,
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      'REVOKED: the record is authentic, and the log proves it revoked',
    );
  });

  it('a file that is not a bundle exits 1; an unknown certification URL exits 1 with the problem code', async () => {
    const junk = join(tmp, 'junk.json');
    writeFileSync(junk, 'not json');
    const notJson = await runCli(['verify', junk, '--trust', vkey]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toBe(`error: ${junk} is not JSON: it is not a proof bundle\n`);
    const wrongShape = await runCli([
      'verify',
      writeBundle('v3.json', (b) => (b.version = 3)),
      '--trust',
      vkey,
    ]);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stdout).toContain('  ✗ The proof can be read\n      version must be 1\n');
    const unknown = await runCli(['verify', `${t.node.url}/p/crt_aaaaaaaaaaaaaaaaaaaaaaaa`, '--trust', vkey]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `error: ${t.node.url}/v1/proofs/crt_aaaaaaaaaaaaaaaaaaaaaaaa refused: CERTIFICATION_NOT_FOUND: no certification crt_aaaaaaaaaaaaaaaaaaaaaaaa\n`,
    );
  });

  it('usage mistakes exit 2: no --trust, a malformed --trust, a witness key given as --trust', async () => {
    const missing = await runCli(['verify', bundleFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: missing --trust VKEY\n/);
    const malformed = await runCli(['verify', bundleFile, '--trust', 'not-a-key']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^error: --trust not-a-key: not a C2SP verifier key/);
    const witness = formatWitnessKey('witness.example', new Uint8Array(32).fill(4));
    const wrongType = await runCli(['verify', bundleFile, '--trust', witness]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toMatch(
      /^error: --trust witness\.example\+\S+: not a C2SP verifier key \(verifier key type 0x04, expected 0x01\)/,
    );
    const quorum = await runCli(['verify', bundleFile, '--trust', vkey, '--quorum', '1']);
    expect(quorum.code).toBe(2);
    expect(quorum.stderr).toMatch(/^error: --quorum needs --witness keys\n/);
  });
});
