/**
 * Finding 2, "forging a department's certificate with the log key alone": whoever holds the node's
 * node.key (the log key) but no department key and no authority key generates a key that was never
 * registered, signs a CertifyRecord as TRANSPORT with it, and puts it in a tree of its own whose checkpoint
 * it signs with node.key, with a state map of its own that says the key is TRANSPORT's. It must fail,
 * with the page's verifier and with `chancery verify --document`. Rewriting the key's window in a genuine
 * bundle must fail or change nothing.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/domain/canonical/canonical-json.js';
import { certificationIdFor } from '../../src/domain/certification/certification-id.js';
import { certificationStream } from '../../src/domain/certification/events.js';
import {
  ed25519NoteSigner,
  encodeBase64,
  formatCheckpoint,
  formatNote,
  type HashReader,
  leafHash,
  proveRecord,
  signNote,
  stateMapExtensionLine,
  storedHashes,
  treeHash,
} from '../../src/domain/log/index.js';
import { stateKey } from '../../src/domain/log-state/state-records.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import type { JsonObject } from '../../src/domain/shared/json.js';
import { InMemoryStateMap, stateProofToJson } from '../../src/domain/state-map/index.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { signCommand } from '../../src/protocol/sign-command.js';
import { runCli } from '../e2e/support/cli-process.js';
import { bundleOf, certifyOne, trustOf } from '../support/real-bundles.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

// biome-ignore lint/suspicious/noExplicitAny: the forger builds the bundle as free-form JSON
type Bundle = Record<string, any>;

/** A log of the forger's own: leaves, their RFC 6962 tree, and a checkpoint signed with the stolen log key. */
function forgedLog(
  entries: JsonObject[],
  origin: string,
  logKey: ReturnType<typeof readKeyFile>,
  mapRoot?: Uint8Array,
) {
  const hashes: Uint8Array[] = [];
  const reader: HashReader = { readHashes: (indexes) => indexes.map((i) => hashes[i]!) };
  entries.forEach((entry, i) => {
    hashes.push(...storedHashes(i, leafHash(canonicalBytes(entry)), reader));
  });
  const size = entries.length;
  const text = formatCheckpoint({
    origin,
    treeSize: size,
    rootHash: treeHash(size, reader),
    extensions: mapRoot === undefined ? [] : [stateMapExtensionLine(mapRoot)],
  });
  const signer = ed25519NoteSigner(origin, logKey.publicKey, (m) => logKey.sign(m));
  return {
    checkpoint: formatNote(signNote(text, [signer])),
    included: (i: number) => ({
      entry: entries[i]!,
      leafIndex: i,
      inclusionProof: proveRecord(size, i, reader).map(encodeBase64),
    }),
  };
}

describe('finding 2: forging a certification with the log key alone', () => {
  let t: TestNode;
  let tmp: string;
  let genuine: Bundle;
  const document = Buffer.from('a driving licence that TRANSPORT never issued\n');
  const documentDigest = createHash('sha256').update(document).digest('hex');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-finding-2-'));
    t = await startTestNode();
    const dept = await t.issuer('TRANSPORT', ['licence']);
    const id = await certifyOne(t, dept, 'a genuine licence');
    await t.seal();
    genuine = await bundleOf(t, id);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  /** The forged certification: a CertifyRecord as TRANSPORT signed with a key nobody registered. */
  function forgedEntry(key: ReturnType<typeof generateKeyPair>): JsonObject {
    const fields = {
      recordDigest: documentDigest,
      recordType: 'licence',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2036-01-01T00:00:00Z',
      metadata: { class: 'B' },
    };
    const envelope = signCommand({ actor: 'TRANSPORT', keyPair: key }, 'CertifyRecord', fields, {
      issuedAt: ISSUED_AT,
    });
    const certificationId = certificationIdFor('TRANSPORT', envelope.payload['commandId'] as string);
    return {
      type: 'RecordCertified',
      stream: certificationStream(certificationId),
      data: {
        ...genuine.entry.data,
        ...fields,
        certificationId,
        issuerId: 'TRANSPORT',
        certifiedAt: ISSUED_AT,
      },
      envelope: envelope as unknown as JsonObject,
    };
  }

  const nodeKey = () => readKeyFile(join(t.dataDir, 'node.key'));

  /**
   * The forger's version 2 bundle: a registration entry of its own (the unregistered key registering
   * itself to TRANSPORT, or the genuine registration of TRANSPORT's real key copied from the real log), the
   * forged certification, and a state map of its own that agrees with both, all under node.key.
   */
  function forgedV2(registration: 'self-signed' | 'genuine copied'): Bundle {
    const key = generateKeyPair();
    const entry = forgedEntry(key);
    const registrationEntry =
      registration === 'genuine copied'
        ? (genuine.registration.entry as JsonObject)
        : ({
            type: 'IdentityRegistered',
            stream: 'identity-TRANSPORT',
            data: { identityId: 'TRANSPORT', keys: [{ keyId: key.keyId, publicKey: key.publicKeyBase64 }] },
            envelope: signCommand({ actor: 'AUTHORITY', keyPair: key }, 'RegisterIdentity', {
              identityId: 'TRANSPORT',
              name: 'TRANSPORT department',
              roles: ['issuer'],
              publicKeys: [key.publicKeyBase64],
            }) as unknown as JsonObject,
          } as JsonObject);
    const certificationId =
      entry['data'] !== null ? ((entry['data'] as JsonObject)['certificationId'] as string) : '';
    const map = new InMemoryStateMap();
    map.set(stateKey.key(key.keyId), {
      identityId: 'TRANSPORT',
      publicKey: key.publicKeyBase64,
      registeredAt: 0,
      retiredAt: null,
    });
    map.set(stateKey.certification(certificationId), {
      status: 'active',
      issuerId: 'TRANSPORT',
      certifiedAt: 1,
      setAt: 1,
      batch: null,
    });
    const log = forgedLog([registrationEntry, entry], t.node.log.origin, nodeKey(), map.root());
    const proven = (k: string) => {
      const p = map.prove(k);
      return { value: p.value, proof: stateProofToJson(p.proof) };
    };
    return {
      version: 2,
      certificationId,
      ...log.included(1),
      treeSize: 2,
      checkpoint: log.checkpoint,
      state: {
        certification: proven(stateKey.certification(certificationId)),
        key: proven(stateKey.key(key.keyId)),
      },
      registration: log.included(0),
    };
  }

  /** The issue's forgery as a version 1 bundle: one leaf, a checkpoint with no state map, signed with node.key. */
  function forgedV1(): Bundle {
    const key = generateKeyPair();
    const entry = forgedEntry(key);
    const log = forgedLog([entry], t.node.log.origin, nodeKey());
    return {
      version: 1,
      certificationId: (entry['data'] as JsonObject)['certificationId'],
      ...log.included(0),
      treeSize: 1,
      checkpoint: log.checkpoint,
      status: { status: 'active', ...log.included(0) },
      key: {
        keyId: key.keyId,
        identityId: 'TRANSPORT',
        publicKey: key.publicKeyBase64,
        activeFrom: ISSUED_AT,
        retiredAt: null,
      },
    };
  }

  it('the forger does hold the log key: its checkpoints verify, and so does everything but the key authority', () => {
    const report = verifyProofBundle(forgedV2('self-signed'), { ...trustOf(t), documentDigest });
    expect(report.steps.filter((s) => !s.ok).map((s) => s.id)).toEqual(['authority']);
    expect(report.ok).toBe(false);
    expect(report.headline).toBe('not-verified');
    expect(report.steps.find((s) => s.id === 'authority')?.detail).toMatch(
      /^registration entry 0 is signed with key ed25519:\S+, not by a pinned authority key$/,
    );
  });

  it("a genuine registration copied from the real log does not make the forged key TRANSPORT's", () => {
    const report = verifyProofBundle(forgedV2('genuine copied'), { ...trustOf(t), documentDigest });
    expect(report.headline).toBe('not-verified');
    expect(report.steps.find((s) => s.id === 'authority')?.detail).toMatch(
      /^the registration does not bind key ed25519:\S+ to TRANSPORT$/,
    );
  });

  it("with no authority key pinned, a version 2 bundle fails rather than take the key on the log's word", () => {
    const { authorityKeys: _a, ...unpinned } = trustOf(t);
    const report = verifyProofBundle(forgedV2('self-signed'), { ...unpinned, documentDigest });
    expect(report.headline).toBe('not-verified');
    expect(report.steps.find((s) => s.id === 'authority')).toMatchObject({ ok: false });
  });

  it('chancery verify --document exits 1 on the forged bundles, version 2 and version 1', async () => {
    const docFile = join(tmp, 'licence.txt');
    writeFileSync(docFile, document);
    const trust = ['--trust', t.node.log.verifierKey, '--authority', t.authority.keyPair.publicKeyBase64];
    for (const [name, bundle] of [
      ['v2.json', forgedV2('self-signed')],
      ['v1.json', forgedV1()],
    ] as const) {
      const file = join(tmp, name);
      writeFileSync(file, JSON.stringify(bundle));
      const run = await runCli([
        'verify',
        file,
        ...trust,
        '--document',
        docFile,
        '--at',
        '2026-11-21T12:00:00Z',
      ]);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toContain("  ✗ The key is the department's, registered by the authority\n");
      expect(run.stdout).toContain('  ✓ Your document matches the certified one\n');
      expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^NOT VERIFIED: 1 of \d+ checks failed$/);
    }
  }, 60_000);

  it("rewriting the key's window in a genuine bundle fails (there is no unauthenticated activeFrom to rewrite)", () => {
    const base = verifyProofBundle(genuine, trustOf(t));
    expect(base.headline).toBe('verified');
    const withField = { ...structuredClone(genuine), key: { activeFrom: '2020-01-01T00:00:00Z' } };
    expect(verifyProofBundle(withField, trustOf(t)).steps).toEqual([
      expect.objectContaining({ id: 'bundle', ok: false, detail: 'bundle has an unknown field "key"' }),
    ]);
    for (const [field, value] of [
      ['registeredAt', 0],
      ['registeredAt', genuine.leafIndex + 1],
      ['retiredAt', genuine.leafIndex],
      ['identityId', 'AUTHORITY'],
    ] as const) {
      const edited = structuredClone(genuine);
      edited.state.key.value[field] = value;
      expect(verifyProofBundle(edited, trustOf(t)).headline, `${field} = ${value}`).toBe('not-verified');
    }
  });
});
