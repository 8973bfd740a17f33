/**
 * Finding 4, "a rotation's effective time was the client's issuedAt": a rotation backdated by 290 s
 * (inside the allowed clock skew) made a genuine certificate signed before it fail verification. Key
 * windows are now log positions: a rotation takes effect at its own entry, so a certificate whose entry
 * comes before the rotation's stays valid, whatever either issuedAt says; and the retired key signs
 * nothing after the rotation in log order. Through the real API and `chancery verify`.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import { runCli } from '../e2e/support/cli-process.js';
import { bundleOf, certifyOne, trustOf } from '../support/real-bundles.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/** 290 s before the test clock's 10:00:00Z: inside the node's 300 s skew. */
const BACKDATED = '2026-11-21T09:55:10Z';

describe('finding 4: a backdated rotation does not invalidate a certificate signed before it', () => {
  let t: TestNode;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-finding-4-'));
    t = await startTestNode({ sealIntervalMs: 50 });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ['by the authority', 'AUTHORITY'],
    ['by the department itself', 'SELF'],
  ] as const)(
    'rotated %s with issuedAt 290 s earlier than the certificate',
    async (_how, who) => {
      const code = `DEPT${who}`;
      const dept = await t.issuer(code, ['licence']);
      const id = await certifyOne(t, dept, `signed before the rotation (${who})`, '?wait=sealed');
      const k2 = generateKeyPair();
      const rotation = await t.post(
        `/v1/identities/${code}/rotate-key?wait=sealed`,
        t.sign(
          who === 'AUTHORITY' ? t.authority : dept,
          'RotateIdentityKey',
          { identityId: code, newPublicKey: k2.publicKeyBase64, retireKeyIds: [dept.keyPair.keyId] },
          { issuedAt: BACKDATED },
        ),
      );
      expect(rotation.statusCode, rotation.body).toBe(200);

      // The retired key signs nothing after the rotation in log order, whatever its issuedAt.
      const late = await t.post(
        '/v1/certifications',
        t.sign(dept, 'CertifyRecord', {
          recordDigest: 'ab'.repeat(32),
          recordType: 'licence',
          validFrom: '2026-01-01T00:00:00Z',
        }),
      );
      expect(late.statusCode).toBe(401);
      expect(JSON.parse(late.body)).toMatchObject({ code: 'KEY_RETIRED' });

      const bundle = await bundleOf(t, id);
      const report = verifyProofBundle(bundle, trustOf(t));
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
      expect(report.headline).toBe('verified');
      const retiredAt = (bundle as { state: { key: { value: { retiredAt: number } } } }).state.key.value
        .retiredAt;
      expect(retiredAt).toBeGreaterThan(bundle['leafIndex'] as number);
      expect(report.steps.find((s) => s.id === 'signature')?.detail).toMatch(
        new RegExp(`\\(registered at log entry \\d+, retired at entry ${retiredAt}\\)\\.$`),
      );

      const file = join(tmp, `${code}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      const run = await runCli([
        'verify',
        file,
        '--trust',
        t.node.log.verifierKey,
        '--authority',
        t.authority.keyPair.publicKeyBase64,
        '--at',
        '2026-11-21T12:00:00Z',
      ]);
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('verified: every check passed');
    },
    60_000,
  );
});
