import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tlogProofOf } from '../../../src/application/proofs/proof-bundle-builder.js';
import { canonicalBytes } from '../../../src/domain/canonical/canonical-json.js';
import {
  encodeBase64,
  formatNote,
  leafHash,
  parseNote,
  parseTlogProof,
  signNote,
  verifyInclusion,
} from '../../../src/domain/log/index.js';
import type { ProofBundleV1 } from '../../../src/domain/proof/proof-bundle.js';
import {
  type VerificationReport,
  type VerifyBundleOptions,
  verifyProofBundle,
} from '../../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import {
  cloneBundle,
  type Department,
  logKey,
  MemoryLog,
  NOW,
  nobleVerify,
  ProofWorld,
  witnessKey,
} from '../../support/proof-fixtures.js';

function outcome(report: VerificationReport): Record<string, boolean> {
  return Object.fromEntries(report.steps.map((s) => [s.id, s.ok]));
}

function detail(report: VerificationReport, id: string): string {
  return report.steps.find((s) => s.id === id)?.detail ?? '(no such step)';
}

const ALL_PASS = { signature: true, inclusion: true, checkpoint: true, validity: true, status: true };

describe('verifyProofBundle', () => {
  let world: ProofWorld;
  let dmv: Department;
  let id: string;
  let bundle: ProofBundleV1;
  let options: VerifyBundleOptions;

  beforeAll(() => {
    world = new ProofWorld();
    dmv = world.department('DMV');
    world.certify(dmv, { recordDigest: '01'.repeat(32) });
    id = world.certify(dmv, { recordDigest: 'cd'.repeat(32), metadata: { class: 'B', points: 0 } });
    world.certify(dmv);
    world.seal();
    bundle = world.bundle(id);
    options = { verify: verifyEd25519, trustedLogKeys: [world.log.verifierKey], now: NOW };
  });

  describe('a genuine bundle', () => {
    it('passes every step with node:crypto, and the steps come in reading order', () => {
      const report = verifyProofBundle(bundle, options);
      expect(report.steps.map((s) => s.id)).toEqual([
        'signature',
        'inclusion',
        'checkpoint',
        'validity',
        'status',
      ]);
      expect(outcome(report)).toEqual(ALL_PASS);
      expect(report.ok).toBe(true);
    });

    it('passes every step with @noble/curves (zip215: false), the browser implementation', () => {
      expect(verifyProofBundle(bundle, { ...options, verify: nobleVerify }).ok).toBe(true);
    });

    it('survives a JSON round trip, as it does over HTTP', () => {
      expect(verifyProofBundle(JSON.parse(JSON.stringify(bundle)), options).ok).toBe(true);
    });

    it('says in plain words who signed, where the entry is, and that no witnesses are configured', () => {
      const report = verifyProofBundle(bundle, options);
      expect(detail(report, 'signature')).toBe(
        `DMV signed this certification on 2026-11-21T10:00:00Z with key ${dmv.keyPair.keyId} (in use since 2026-01-01T00:00:00Z).`,
      );
      expect(detail(report, 'inclusion')).toBe(
        `The certification is entry ${bundle.leafIndex} of the ${bundle.treeSize} entries in the checkpoint's log tree.`,
      );
      expect(detail(report, 'checkpoint')).toMatch(
        /^Signed by the log proofs\.test\.example\/chancery \(key [0-9a-f]{8}\) at \d+ entries\. No witnesses configured/,
      );
      expect(detail(report, 'validity')).toBe('Valid from 2026-01-01T00:00:00Z until 2036-01-01T00:00:00Z.');
      expect(detail(report, 'status')).toMatch(/^Active\. The node reports no suspension or revocation/);
    });
  });

  describe('a tampered entry', () => {
    it('a changed record digest breaks the signature (the event no longer matches the command) and inclusion', () => {
      const t = cloneBundle(bundle);
      (t.entry.data as Record<string, unknown>)['recordDigest'] = 'ee'.repeat(32);
      const report = verifyProofBundle(t, options);
      expect(outcome(report)).toMatchObject({ signature: false, inclusion: false, checkpoint: true });
      expect(detail(report, 'signature')).toBe("the entry's recordDigest differs from the signed command's");
      expect(report.ok).toBe(false);
    });

    it('a changed signed payload (digest in both places) breaks the Ed25519 signature', () => {
      const t = cloneBundle(bundle);
      (t.entry.data as Record<string, unknown>)['recordDigest'] = 'ee'.repeat(32);
      (t.entry.envelope as Record<string, Record<string, unknown>>)['payload']!['recordDigest'] = 'ee'.repeat(
        32,
      );
      const report = verifyProofBundle(t, options);
      expect(outcome(report)).toMatchObject({ signature: false, inclusion: false });
      expect(detail(report, 'signature')).toMatch(/^the signature of DMV does not verify/);
    });

    it('a validity window stretched in the entry only is caught by the signature step', () => {
      const t = cloneBundle(bundle);
      (t.entry.data as Record<string, unknown>)['validUntil'] = '2099-01-01T00:00:00Z';
      expect(detail(verifyProofBundle(t, options), 'signature')).toBe(
        "the entry's validUntil differs from the signed command's",
      );
    });

    it('a certification id that is not derived from the signed command is refused', () => {
      const other = world.certify(dmv);
      world.seal();
      const t = cloneBundle(world.bundle(other));
      t.certificationId = id;
      expect(detail(verifyProofBundle(t, options), 'signature')).toMatch(
        /is not the one DMV's command yields/,
      );
    });

    it('a bundle for another certification than the one asked for fails', () => {
      const report = verifyProofBundle(bundle, {
        ...options,
        expectedCertificationId: 'crt_aaaaaaaaaaaaaaaaaaaaaaaa',
      });
      expect(detail(report, 'signature')).toBe(
        `this proof is for ${id}, not for crt_aaaaaaaaaaaaaaaaaaaaaaaa`,
      );
    });
  });

  describe('the issuing key', () => {
    it('a key swapped for another department key fails: its id is derived from the key', () => {
      const t = cloneBundle(bundle);
      t.key = { ...t.key, publicKey: world.department('FAKE').keyPair.publicKeyBase64 };
      expect(detail(verifyProofBundle(t, options), 'signature')).toBe(
        `the public key does not match key id ${dmv.keyPair.keyId}`,
      );
    });

    it('another key with its own matching id fails: the command names the key it was signed with', () => {
      const t = cloneBundle(bundle);
      const other = world.department('DMV').keyPair;
      t.key = { ...t.key, keyId: other.keyId, publicKey: other.publicKeyBase64 };
      expect(detail(verifyProofBundle(t, options), 'signature')).toMatch(
        /^the command names key .* but the bundle carries key/,
      );
    });

    it('a key retired after the signature still vouches for it', () => {
      const t = cloneBundle(bundle);
      t.key = { ...t.key, retiredAt: '2026-11-21T10:00:00Z' };
      const report = verifyProofBundle(t, options);
      expect(outcome(report).signature).toBe(true);
      expect(detail(report, 'signature')).toContain(
        'in use from 2026-01-01T00:00:00Z until 2026-11-21T10:00:00Z',
      );
    });

    it('a key retired before the signature does not', () => {
      const t = cloneBundle(bundle);
      t.key = { ...t.key, retiredAt: '2026-11-21T09:59:59Z' };
      expect(detail(verifyProofBundle(t, options), 'signature')).toBe(
        'signed at 2026-11-21T10:00:00Z, after the key was retired at 2026-11-21T09:59:59Z',
      );
    });

    it('an unreadable retirement time fails closed', () => {
      const t = cloneBundle(bundle);
      t.key = { ...t.key, retiredAt: 'yesterday' };
      expect(outcome(verifyProofBundle(t, options)).signature).toBe(false);
    });
  });

  describe('inclusion', () => {
    it('a flipped proof hash fails inclusion only', () => {
      const t = cloneBundle(bundle);
      const first = Buffer.from(t.inclusionProof[0]!, 'base64');
      first[0]! ^= 1;
      (t.inclusionProof as string[])[0] = first.toString('base64');
      const report = verifyProofBundle(t, options);
      expect(outcome(report)).toEqual({ ...ALL_PASS, inclusion: false });
      expect(detail(report, 'inclusion')).toBe(
        "the inclusion proof does not lead to the checkpoint's root: the entry or the proof was altered",
      );
    });

    it('a missing proof hash is a length error, not a hashing attempt', () => {
      const t = cloneBundle(bundle);
      (t.inclusionProof as string[]).pop();
      expect(detail(verifyProofBundle(t, options), 'inclusion')).toMatch(
        /^proof has \d+ hashes, expected \d+$/,
      );
    });

    it('a leaf index moved to another leaf fails', () => {
      const t = cloneBundle(bundle);
      t.leafIndex = bundle.leafIndex + 1;
      expect(outcome(verifyProofBundle(t, options)).inclusion).toBe(false);
    });

    it('a tree size that disagrees with the checkpoint fails', () => {
      const t = cloneBundle(bundle);
      t.treeSize = bundle.treeSize + 1;
      const report = verifyProofBundle(t, options);
      expect(detail(report, 'inclusion')).toBe(
        `the bundle says the log has ${bundle.treeSize + 1} entries, the checkpoint says ${bundle.treeSize}`,
      );
      expect(outcome(report).checkpoint).toBe(false);
    });
  });

  describe('the checkpoint', () => {
    it('a key the caller does not trust fails the checkpoint step', () => {
      const stranger = logKey(world.log.origin, 99).vkey;
      const report = verifyProofBundle(bundle, { ...options, trustedLogKeys: [stranger] });
      expect(outcome(report)).toEqual({ ...ALL_PASS, checkpoint: false });
      expect(detail(report, 'checkpoint')).toBe(
        'the checkpoint is not signed by any key you trust: it may come from another log',
      );
    });

    it('no trusted key at all fails', () => {
      expect(detail(verifyProofBundle(bundle, { ...options, trustedLogKeys: [] }), 'checkpoint')).toBe(
        'no trusted log key was given',
      );
    });

    it('a malformed trusted key is reported, not thrown', () => {
      const report = verifyProofBundle(bundle, { ...options, trustedLogKeys: ['not a key'] });
      expect(detail(report, 'checkpoint')).toMatch(/^the trusted key not a key is malformed/);
    });

    it('a re-rooted checkpoint (root changed, old signature kept) fails both checkpoint and inclusion', () => {
      const t = cloneBundle(bundle);
      const lines = t.checkpoint.split('\n');
      lines[2] = encodeBase64(new Uint8Array(32).fill(9));
      t.checkpoint = lines.join('\n');
      const report = verifyProofBundle(t, options);
      expect(outcome(report)).toMatchObject({ inclusion: false, checkpoint: false });
      expect(detail(report, 'checkpoint')).toMatch(/^the checkpoint was altered/);
    });

    it('a checkpoint signed by a trusted key of another log is refused: the key name must be the origin', () => {
      const other = logKey('other.example/log', 11);
      const t = cloneBundle(bundle);
      const text = parseNote(bundle.checkpoint).text;
      t.checkpoint = formatNote(signNote(text, [other.signer]));
      const report = verifyProofBundle(t, { ...options, trustedLogKeys: [other.vkey] });
      expect(outcome(report)).toEqual({ ...ALL_PASS, checkpoint: false });
      expect(detail(report, 'checkpoint')).toBe(
        `the checkpoint is for log ${world.log.origin}, which no trusted key names`,
      );
    });

    it('with several trusted logs, the one whose origin the checkpoint names vouches for it', () => {
      const otherLog = new MemoryLog('other.example/log', 11);
      const otherWorld = new ProofWorld(otherLog);
      const d = otherWorld.department('DMV');
      const otherId = otherWorld.certify(d);
      otherWorld.seal();
      // The caller trusts both logs, but the checkpoint's origin must match the key that signed it.
      const report = verifyProofBundle(otherWorld.bundle(otherId), {
        ...options,
        trustedLogKeys: [world.log.verifierKey, otherLog.verifierKey],
      });
      expect(report.ok).toBe(true);
    });

    it('counts witness cosignatures against the quorum', () => {
      const w1 = witnessKey('w1.example', 21);
      const w2 = witnessKey('w2.example', 22);
      const world2 = new ProofWorld();
      const d = world2.department('DMV');
      const cid = world2.certify(d);
      const sealed = world2.seal();
      const note = parseNote(sealed.note);
      world2.log.setNote(
        formatNote({
          text: note.text,
          signatures: [...note.signatures, w1.cosign(note.text, 1_800_000_000)],
        }),
      );
      const b = world2.bundle(cid);
      const base = { ...options, trustedLogKeys: [world2.log.verifierKey] };
      const one = verifyProofBundle(b, { ...base, witnesses: { keys: [w1.vkey, w2.vkey], quorum: 1 } });
      expect(outcome(one).checkpoint).toBe(true);
      expect(detail(one, 'checkpoint')).toMatch(/Cosigned by 1 of 2 witnesses \(1 required\)\.$/);
      const two = verifyProofBundle(b, { ...base, witnesses: { keys: [w1.vkey, w2.vkey], quorum: 2 } });
      expect(outcome(two).checkpoint).toBe(false);
      expect(detail(two, 'checkpoint')).toMatch(/Only 1 of the required 2 witnesses cosigned it\.$/);
      // Unknown cosignatures are ignored when no witnesses are configured.
      expect(verifyProofBundle(b, base).ok).toBe(true);
    });
  });

  describe('the validity window', () => {
    it('before validFrom and at validUntil the record is not valid', () => {
      expect(
        detail(
          verifyProofBundle(bundle, { ...options, now: Date.parse('2025-12-31T23:59:59Z') }),
          'validity',
        ),
      ).toBe('not valid yet: valid from 2026-01-01T00:00:00Z');
      expect(
        detail(
          verifyProofBundle(bundle, { ...options, now: Date.parse('2036-01-01T00:00:00Z') }),
          'validity',
        ),
      ).toBe('expired: was valid until 2036-01-01T00:00:00Z');
    });

    it('no end date means valid from validFrom on', () => {
      const open = world.certify(dmv, { validUntil: null });
      world.seal();
      const report = verifyProofBundle(world.bundle(open), {
        ...options,
        now: Date.parse('2999-01-01T00:00:00Z'),
      });
      expect(report.ok).toBe(true);
      expect(detail(report, 'validity')).toBe('Valid since 2026-01-01T00:00:00Z, with no end date.');
    });
  });

  describe('the status', () => {
    let revokedId: string;
    let revoked: ProofBundleV1;
    beforeAll(() => {
      revokedId = world.certify(dmv);
      world.changeStatus(dmv, revokedId, 'RevokeCertification', 'issued in error');
      world.seal();
      revoked = world.bundle(revokedId);
    });

    it('a revoked record fails the status step with who, when and why, and nothing else', () => {
      const report = verifyProofBundle(revoked, options);
      expect(outcome(report)).toEqual({ ...ALL_PASS, status: false });
      expect(detail(report, 'status')).toBe('Revoked on 2026-11-21T10:00:00Z by DMV: issued in error');
      expect(revoked.status.leafIndex).toBeGreaterThan(revoked.leafIndex);
    });

    it('a suspended record fails; a reinstated one passes', () => {
      const s = world.certify(dmv);
      world.changeStatus(dmv, s, 'SuspendCertification', 'under review');
      world.seal();
      expect(detail(verifyProofBundle(world.bundle(s), options), 'status')).toBe(
        'Suspended on 2026-11-21T10:00:00Z by DMV: under review',
      );
      world.changeStatus(dmv, s, 'ReinstateCertification', 'review done');
      world.seal();
      const report = verifyProofBundle(world.bundle(s), options);
      expect(report.ok).toBe(true);
      expect(detail(report, 'status')).toMatch(
        /^Active: reinstated on 2026-11-21T10:00:00Z by DMV \(log entry \d+\)\. A version 1 proof cannot show that no later change exists\.$/,
      );
    });

    it('hiding the revocation behind the certification entry with a relabelled status fails', () => {
      const t = cloneBundle(revoked);
      t.status = { ...t.status, status: 'active' };
      expect(detail(verifyProofBundle(t, options), 'status')).toBe(
        'the bundle says active, but its status entry says revoked',
      );
    });

    it("another record's status entry cannot stand in", () => {
      const t = cloneBundle(revoked);
      t.status = { ...bundle.status };
      expect(detail(verifyProofBundle(t, options), 'status')).toMatch(/^the status entry is about crt_/);
    });

    it('a status entry older than the certification is refused', () => {
      const t = cloneBundle(revoked);
      t.status = { ...t.status, leafIndex: revoked.leafIndex - 1 };
      expect(detail(verifyProofBundle(t, options), 'status')).toBe(
        'the status entry comes before the certification in the log',
      );
    });

    it('a non-status event is refused', () => {
      const t = cloneBundle(revoked);
      t.status = { ...t.status, entry: { ...t.status.entry, type: 'RecordAmended' } };
      expect(detail(verifyProofBundle(t, options), 'status')).toBe(
        'the status entry is a RecordAmended event, not a status change',
      );
    });

    it('a status entry that is not in the log (reason edited) fails its inclusion proof', () => {
      const t = cloneBundle(revoked);
      (t.status.entry.data as Record<string, unknown>)['reason'] = 'something kinder';
      expect(detail(verifyProofBundle(t, options), 'status')).toBe(
        "the status proof does not lead to the checkpoint's root: the entry or the proof was altered",
      );
    });
  });

  describe('the document', () => {
    it('matches when the SHA-256 is the certified digest, in either case', () => {
      const report = verifyProofBundle(bundle, { ...options, documentDigest: 'CD'.repeat(32) });
      expect(report.steps.at(-1)).toEqual({
        id: 'document',
        label: 'Your document matches the certified one',
        ok: true,
        detail: `Your document's SHA-256 is ${'cd'.repeat(32)}, the certified digest.`,
      });
      expect(report.ok).toBe(true);
    });

    it('fails for another document', () => {
      const report = verifyProofBundle(bundle, { ...options, documentDigest: '00'.repeat(32) });
      expect(outcome(report)).toEqual({ ...ALL_PASS, document: false });
      expect(report.ok).toBe(false);
    });
  });

  describe('hostile shapes', () => {
    it.each([
      ['null', null, 'bundle must be an object'],
      ['an array', [], 'bundle must be an object'],
      ['version 2 with v1 fields', { version: 2 }, 'bundle has an unknown field "status"'],
      ['version 3', { version: 3 }, 'version must be 1'],
      ['a string leaf index', { leafIndex: '3' }, 'leafIndex must be a non-negative safe integer'],
      ['an unsafe tree size', { treeSize: 2 ** 53 }, 'treeSize must be a non-negative safe integer'],
      [
        '65 proof hashes',
        { inclusionProof: new Array(65).fill('A'.repeat(44)) },
        'inclusionProof has more than 64 hashes',
      ],
      [
        'an unknown status',
        { status: { status: 'lost' } },
        'status.status must be one of active, suspended, revoked',
      ],
      [
        'a huge key id',
        { key: { keyId: 'k'.repeat(10_000) } },
        'key.keyId must be a non-empty string of at most 512 characters',
      ],
    ])('%s is refused as unreadable, in one step', (_name, patch, reason) => {
      const t = patch === null || Array.isArray(patch) ? patch : mergeDeep(cloneBundle(bundle), patch);
      const report = verifyProofBundle(t, options);
      expect(report).toEqual({
        ok: false,
        headline: 'not-verified',
        caveats: [],
        steps: [{ id: 'bundle', label: 'The proof can be read', ok: false, detail: reason }],
      });
    });

    it('a batch path on a single certification fails, rather than being ignored', () => {
      const t = {
        ...cloneBundle(bundle),
        batch: { root: 'A'.repeat(43) + '=', count: 2, index: 0, path: [], recordDigest: 'cd'.repeat(32) },
      };
      const report = verifyProofBundle(t, options);
      expect(outcome(report)).toEqual({ ...ALL_PASS, signature: false, batch: false });
      expect(detail(report, 'signature')).toBe(
        'the entry certifies one record, yet the bundle places it in a batch',
      );
      expect(detail(report, 'batch')).toBe('the entry is a RecordCertified event, which certifies no batch');
    });

    it('never throws, whatever JSON it is given', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const report = verifyProofBundle(value, options);
          expect(report.ok).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('never throws when any field of a genuine bundle is replaced by arbitrary JSON', () => {
      const paths = leafPaths(bundle);
      fc.assert(
        fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
          const t = cloneBundle(bundle);
          setPath(t, path, value);
          const report = verifyProofBundle(t, options);
          expect(typeof report.ok).toBe('boolean');
        }),
        { numRuns: 400 },
      );
    });
  });
});

describe('a record certified in a batch', () => {
  const BULK_PASS = { ...ALL_PASS, batch: true };
  const digestHex = (i: number) => createHash('sha256').update(`diploma ${i}`).digest('hex');
  const DIGESTS = Array.from({ length: 1100 }, (_, i) => digestHex(i));
  let world: ProofWorld;
  let university: Department;
  let batchId: string;
  let ids: string[];
  let otherIds: string[];
  let options: VerifyBundleOptions;
  let b7: ProofBundleV1;

  beforeAll(() => {
    world = new ProofWorld();
    university = world.department('UNIVERSITY');
    ({ batchId, ids } = world.certifyBatch(university, DIGESTS, { metadata: { ceremony: 'summer' } }));
    otherIds = world.certifyBatch(university, DIGESTS.slice(0, 3)).ids;
    world.changeStatus(university, ids[5]!, 'RevokeCertification', 'degree withdrawn');
    world.seal();
    options = { verify: verifyEd25519, trustedLogKeys: [world.log.verifierKey], now: NOW };
    b7 = world.bundle(ids[7]!);
  });

  it('passes every step, the batch path last, with node:crypto and with @noble/curves', () => {
    const report = verifyProofBundle(b7, { ...options, expectedCertificationId: ids[7]! });
    expect(report.steps.map((s) => s.id)).toEqual([
      'signature',
      'inclusion',
      'checkpoint',
      'validity',
      'status',
      'batch',
    ]);
    expect(outcome(report)).toEqual(BULK_PASS);
    expect(detail(report, 'signature')).toMatch(
      /^UNIVERSITY signed a batch of 1100 records on 2026-11-21T10:00:00Z/,
    );
    expect(detail(report, 'inclusion')).toMatch(/^The record's batch is entry \d+ of the \d+ entries/);
    expect(detail(report, 'batch')).toBe(
      `Record 8 of the 1100 in batch ${batchId}: its digest leads to the batch root the department signed.`,
    );
    expect(verifyProofBundle(JSON.parse(JSON.stringify(b7)), { ...options, verify: nobleVerify }).ok).toBe(
      true,
    );
    expect(b7.batch).toMatchObject({ count: 1100, index: 7, recordDigest: DIGESTS[7] });
    expect(b7.batch!.path).toHaveLength(11);
  });

  it('verifies records at every corner of the tree: first, last, around powers of two', () => {
    for (const index of [0, 1, 511, 512, 513, 1023, 1024, 1099]) {
      const report = verifyProofBundle(world.bundle(ids[index]!), options);
      expect(report.ok, `record ${index}: ${JSON.stringify(report.steps.filter((s) => !s.ok))}`).toBe(true);
    }
    expect(verifyProofBundle(world.bundle(otherIds[2]!), options).ok).toBe(true);
  });

  it("compares a document with the record's own digest, not the batch's", () => {
    const matching = verifyProofBundle(b7, { ...options, documentDigest: DIGESTS[7]! });
    expect(outcome(matching)).toEqual({ ...BULK_PASS, document: true });
    const neighbour = verifyProofBundle(b7, { ...options, documentDigest: DIGESTS[8]! });
    expect(outcome(neighbour)).toEqual({ ...BULK_PASS, document: false });
  });

  it('a record revoked on its own fails the status step; its neighbours stay valid', () => {
    const revoked = world.bundle(ids[5]!);
    const report = verifyProofBundle(revoked, options);
    expect(outcome(report)).toEqual({ ...BULK_PASS, status: false });
    expect(detail(report, 'status')).toBe('Revoked on 2026-11-21T10:00:00Z by UNIVERSITY: degree withdrawn');
    expect(revoked.status.entry.stream).toBe(`certification-${ids[5]}`);
    expect(verifyProofBundle(world.bundle(ids[4]!), options).ok).toBe(true);
  });

  it("the batch entry stands for the status only of its own batch's records", () => {
    const other = cloneBundle(b7);
    other.status = { ...world.bundle(otherIds[0]!).status };
    expect(detail(verifyProofBundle(other, options), 'status')).toMatch(
      /^the status entry is the entry of batch bat_\w+, not of this record's batch$/,
    );
    // As for a single certification, a node that leaves out a later revocation is not caught by the
    // bundle itself (docs/proofs.md, "Not proven by the bundle"): witnesses and monitors watch for that.
    const hidden = cloneBundle(world.bundle(ids[5]!));
    hidden.status = { ...b7.status };
    expect(verifyProofBundle(hidden, options).ok).toBe(true);
  });

  it('another digest on the same path fails the batch step', () => {
    const t = cloneBundle(b7);
    t.batch = { ...t.batch!, recordDigest: DIGESTS[8]! };
    const report = verifyProofBundle(t, options);
    expect(outcome(report)).toEqual({ ...BULK_PASS, batch: false });
    expect(detail(report, 'batch')).toBe(
      'the batch path does not lead to the signed batch root: the record digest or the path was altered',
    );
  });

  it('an altered path fails; a path of the wrong length fails before hashing', () => {
    const t = cloneBundle(b7);
    t.batch = { ...t.batch!, path: [...t.batch!.path].reverse() };
    expect(outcome(verifyProofBundle(t, options))).toEqual({ ...BULK_PASS, batch: false });
    const short = cloneBundle(b7);
    short.batch = { ...short.batch!, path: short.batch!.path.slice(1) };
    expect(detail(verifyProofBundle(short, options), 'batch')).toBe('proof has 10 hashes, expected 11');
  });

  it("moving a record's id to another place in the batch fails the signature step", () => {
    // Record 8's digest and path, presented under record 7's id.
    const t = cloneBundle(world.bundle(ids[8]!));
    t.certificationId = ids[7]!;
    const report = verifyProofBundle(t, options);
    expect(outcome(report)).toMatchObject({ signature: false, batch: true });
    expect(detail(report, 'signature')).toBe(
      `the certification id ${ids[7]} is not record 8 of batch ${batchId}`,
    );
    expect(detail(verifyProofBundle(b7, { ...options, expectedCertificationId: ids[8]! }), 'signature')).toBe(
      `this proof is for ${ids[7]}, not for ${ids[8]}`,
    );
  });

  it('a root or count in the bundle that differs from the signed one fails', () => {
    const root = cloneBundle(b7);
    root.batch = { ...root.batch!, root: world.bundle(otherIds[0]!).batch!.root };
    expect(detail(verifyProofBundle(root, options), 'batch')).toBe(
      'the batch root in the bundle is not the one the department signed',
    );
    const count = cloneBundle(b7);
    count.batch = { ...count.batch!, count: 1099 };
    expect(detail(verifyProofBundle(count, options), 'batch')).toBe(
      'the bundle says the batch has 1099 records, the signed entry says 1100',
    );
  });

  it("editing the entry's signed root breaks the signature and the inclusion proof", () => {
    const t = cloneBundle(b7);
    (t.entry.data as Record<string, unknown>)['batchRoot'] = 'ab'.repeat(32);
    const report = verifyProofBundle(t, options);
    expect(outcome(report)).toMatchObject({ signature: false, inclusion: false });
    expect(detail(report, 'signature')).toBe("the entry's batchRoot differs from the signed command's");
  });

  it('a batch entry without its batch path fails closed', () => {
    const { batch: _dropped, ...t } = cloneBundle(b7);
    const report = verifyProofBundle(t, options);
    expect(outcome(report)).toMatchObject({ signature: false, batch: false });
    expect(detail(report, 'batch')).toBe('the entry certifies a batch, but the bundle gives no path into it');
  });

  it('a one-record batch verifies with an empty path', () => {
    const single = world.certifyBatch(university, [DIGESTS[42]!]).ids[0]!;
    world.seal();
    const bundle = world.bundle(single);
    expect(bundle.batch).toMatchObject({ count: 1, index: 0, path: [] });
    expect(verifyProofBundle(bundle, options).ok).toBe(true);
  });

  it('never throws when any field of a bulk bundle is replaced by arbitrary JSON', () => {
    const paths = leafPaths(b7);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const t = cloneBundle(b7);
        setPath(t, path, value);
        expect(typeof verifyProofBundle(t, options).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});

describe('the tlog-proof form', () => {
  it('carries the leaf as extra, so the text proof alone proves inclusion under the checkpoint', () => {
    const world = new ProofWorld();
    const d = world.department('DMV');
    const id = world.certify(d);
    world.certify(d);
    const sealed = world.seal();
    const bundle = world.bundle(id);
    const proof = parseTlogProof(tlogProofOf(bundle));
    expect(proof.index).toBe(bundle.leafIndex);
    expect(proof.checkpointNote).toBe(sealed.note);
    expect(proof.extra).toEqual(canonicalBytes(bundle.entry));
    expect(() =>
      verifyInclusion(
        proof.index,
        sealed.treeSize,
        leafHash(proof.extra!),
        [...proof.inclusionProof],
        sealed.rootHash,
      ),
    ).not.toThrow();
  });
});

function mergeDeep(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    const current = target[k];
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      current !== null &&
      typeof current === 'object'
    ) {
      mergeDeep(current as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
  return target;
}

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...leafPaths(v, [...prefix, k]));
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}
