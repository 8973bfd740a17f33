/**
 * The shared verifier under a C2SP trust policy: which witnesses cosigned the
 * bundle's checkpoint, whether their quorum is met, and whether the node that
 * built the bundle names the same policy.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrustPolicy, policyDigest, type TrustPolicy } from '../../../src/domain/federation/index.js';
import { formatNote, parseNote } from '../../../src/domain/log/index.js';
import { type ProofBundleV1, parseProofBundle } from '../../../src/domain/proof/proof-bundle.js';
import { verifyProofBundle } from '../../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import { logKey, NOW, nobleVerify, ProofWorld, witnessKey } from '../../support/proof-fixtures.js';

const w1 = witnessKey('w1.example', 31);
const w2 = witnessKey('w2.example', 32);
const w3 = witnessKey('w3.example', 33);

describe('verifyProofBundle with a trust policy', () => {
  let world: ProofWorld;
  let certificationId: string;
  let policy: TrustPolicy;

  /** The bundle with its checkpoint cosigned by the given witnesses. */
  function cosignedBy(...witnesses: (typeof w1)[]): ProofBundleV1 {
    const sealed = world.log.latestCheckpoint()!;
    const note = parseNote(sealed.note);
    world.log.setNote(
      formatNote({
        text: note.text,
        signatures: [note.signatures[0]!, ...witnesses.map((w, i) => w.cosign(note.text, 1_800_000_000 + i))],
      }),
    );
    return world.bundle(certificationId);
  }

  beforeAll(() => {
    world = new ProofWorld();
    certificationId = world.certify(world.department('DMV'));
    world.seal();
    policy = parseTrustPolicy(
      [
        `log ${world.log.verifierKey}`,
        `witness a ${w1.vkey}`,
        `witness b ${w2.vkey}`,
        `witness c ${w3.vkey}`,
        'group two-of-three 2 a b c',
        'quorum two-of-three',
        '',
      ].join('\n'),
    );
  });

  it('lists every witness, says which cosigned, and passes when the quorum is met', () => {
    const report = verifyProofBundle(cosignedBy(w1, w3), {
      verify: verifyEd25519,
      trustedLogKeys: [],
      policy,
      now: NOW,
    });
    expect(report.ok).toBe(true);
    expect(report.witnessing).toEqual({
      cosigners: [
        { name: 'a', keyName: 'w1.example', cosigned: true, timestamp: 1_800_000_000 },
        { name: 'b', keyName: 'w2.example', cosigned: false, timestamp: null },
        { name: 'c', keyName: 'w3.example', cosigned: true, timestamp: 1_800_000_001 },
      ],
      quorumMet: true,
      quorum: '2 of a, b, c',
      policyDigest: policyDigest(policy.text),
      samePolicyAsNode: null,
      // a (at ...000) and c (at ...001) make the quorum; by ...001 only c had cosigned.
      asOf: 1_800_000_000,
    });
    expect(report.steps.find((s) => s.id === 'checkpoint')!.detail).toBe(
      'Signed by the log proofs.test.example/chancery at 3 entries. Cosigned by a, c (2 of 3 witnesses); ' +
        'not by b: the quorum (2 of a, b, c) is met.',
    );
  });

  it('fails the checkpoint step when too few witnesses cosigned, and still lists who did', () => {
    const report = verifyProofBundle(cosignedBy(w2), {
      verify: nobleVerify,
      trustedLogKeys: [],
      policy,
      now: NOW,
    });
    expect(report.ok).toBe(false);
    const checkpoint = report.steps.find((s) => s.id === 'checkpoint')!;
    expect(checkpoint.ok).toBe(false);
    expect(checkpoint.detail).toMatch(
      /Cosigned by b \(1 of 3 witnesses\); not by a, c: the quorum .* is not met\.$/,
    );
    expect(report.witnessing?.quorumMet).toBe(false);
    // Everything else about the record still checks out.
    expect(report.steps.filter((s) => !s.ok).map((s) => s.id)).toEqual(['checkpoint']);
  });

  it('rejects a tampered cosignature as an altered checkpoint', () => {
    const bundle = cosignedBy(w1, w2);
    const lines = bundle.checkpoint.split('\n');
    const last = lines[lines.length - 2]!;
    // Flip a character well inside the base64 signature: near the padding, a changed character can
    // make the encoding non-canonical, which is refused as malformed before any signature check.
    lines[lines.length - 2] =
      `${last.slice(0, -10)}${last.slice(-10, -9) === 'A' ? 'B' : 'A'}${last.slice(-9)}`;
    const report = verifyProofBundle(
      { ...bundle, checkpoint: lines.join('\n') },
      { verify: verifyEd25519, trustedLogKeys: [], policy, now: NOW },
    );
    expect(report.steps.find((s) => s.id === 'checkpoint')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^the checkpoint was altered/),
    });
  });

  it('takes the log key from --trust when the policy lists no log, and refuses a log it does not trust', () => {
    const witnessesOnly = parseTrustPolicy(`witness a ${w1.vkey}\nquorum a\n`);
    const bundle = cosignedBy(w1);
    expect(
      verifyProofBundle(bundle, {
        verify: verifyEd25519,
        trustedLogKeys: [world.log.verifierKey],
        policy: witnessesOnly,
        now: NOW,
      }).ok,
    ).toBe(true);
    const other = logKey('proofs.test.example/chancery', 99).vkey;
    const report = verifyProofBundle(bundle, {
      verify: verifyEd25519,
      trustedLogKeys: [other],
      policy: witnessesOnly,
      now: NOW,
    });
    expect(report.steps.find((s) => s.id === 'checkpoint')?.detail).toMatch(
      /not signed by any log you trust/,
    );
  });

  it("says whether the node's policy (the bundle's policyDigest) is the one the verifier trusts", () => {
    const bundle = { ...cosignedBy(w1, w2), policyDigest: policyDigest(policy.text) };
    const same = verifyProofBundle(bundle, { verify: verifyEd25519, trustedLogKeys: [], policy, now: NOW });
    expect(same.witnessing?.samePolicyAsNode).toBe(true);
    const other = { ...bundle, policyDigest: 'ab'.repeat(32) };
    expect(
      verifyProofBundle(other, { verify: verifyEd25519, trustedLogKeys: [], policy, now: NOW }).witnessing
        ?.samePolicyAsNode,
    ).toBe(false);
    expect(parseProofBundle({ ...bundle, policyDigest: 'not hex' })).toEqual({
      ok: false,
      reason: 'policyDigest must be hex SHA-256',
    });
  });
});
