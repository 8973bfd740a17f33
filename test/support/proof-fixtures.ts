/**
 * An in-memory world for proof tests, until (and beside) the real sequencer:
 * a Merkle log over the tlog stored-hash layout that signs C2SP checkpoints
 * with a test key, and tiny certification and key read models fed by the same
 * events a node would record. Bundles come from the real builder.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { buildProofBundle } from '../../src/application/proofs/proof-bundle-builder.js';
import { canonicalBytes } from '../../src/domain/canonical/canonical-json.js';
import {
  batchIdFor,
  batchRecordIdFor,
  certificationIdFor,
} from '../../src/domain/certification/certification-id.js';
import {
  BATCH_DIGESTS_PER_EVENT,
  batchStream,
  type CertificationStatus,
  certificationStream,
} from '../../src/domain/certification/events.js';
import type { SignedEnvelope } from '../../src/domain/crypto/envelope.js';
import {
  batchLeafHash,
  batchRoot,
  createCosignature,
  type Ed25519Verify,
  ed25519NoteSigner,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  formatWitnessKey,
  type HashReader,
  leafHash,
  proveRecord,
  proveTree,
  SIGNATURE_TYPE_ED25519,
  signNote,
  storedHashes,
  treeHash,
} from '../../src/domain/log/index.js';
import type { ProofBundleV1 } from '../../src/domain/proof/proof-bundle.js';
import type { JsonObject, JsonValue } from '../../src/domain/shared/json.js';
import type { CertificationView } from '../../src/infrastructure/projections/certification-read-model.js';
import type { RegistryKey } from '../../src/infrastructure/projections/identity-registry.js';
import type {
  LogEntryRecord,
  LogReader,
  SealedCheckpoint,
} from '../../src/infrastructure/sequencer/log-reader.js';
import { generateKeyPair, type KeyPair } from '../../src/protocol/key-pair.js';
import { signCommand } from '../../src/protocol/sign-command.js';

export const TEST_ORIGIN = 'proofs.test.example/chancery';
export const SIGNED_AT = '2026-11-21T10:00:00Z';
export const NOW = Date.parse('2026-11-21T12:00:00Z');

/** RFC 8032 strict, as the page uses it. */
export const nobleVerify: Ed25519Verify = (publicKey, message, signature) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

function seedOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** A C2SP log key pair from a fixed seed: the signer for checkpoints and its vkey. */
export function logKey(origin: string, seedByte: number) {
  const seed = seedOf(seedByte);
  const publicKey = ed25519.getPublicKey(seed);
  return {
    vkey: formatVerifierKey(origin, SIGNATURE_TYPE_ED25519, publicKey),
    signer: ed25519NoteSigner(origin, publicKey, (message) => ed25519.sign(message, seed)),
  };
}

/** A witness (cosignature/v1) key from a fixed seed. */
export function witnessKey(name: string, seedByte: number) {
  const seed = seedOf(seedByte);
  const publicKey = ed25519.getPublicKey(seed);
  return {
    vkey: formatWitnessKey(name, publicKey),
    cosign: (checkpointText: string, timestamp: number) =>
      createCosignature(checkpointText, name, publicKey, timestamp, (m) => ed25519.sign(m, seed)),
  };
}

/** A LogReader over memory: append leaves, seal checkpoints on demand. */
export class MemoryLog implements LogReader {
  readonly verifierKey: string;
  private readonly signer;
  private readonly hashes: Uint8Array[] = [];
  private readonly leaves: LogEntryRecord[] = [];
  private readonly byPosition = new Map<bigint, number>();
  private checkpoint: SealedCheckpoint | null = null;
  private readonly reader: HashReader = {
    readHashes: (indexes) => indexes.map((i) => this.hashes[i]!),
  };

  constructor(
    readonly origin = TEST_ORIGIN,
    seedByte = 7,
  ) {
    const key = logKey(origin, seedByte);
    this.verifierKey = key.vkey;
    this.signer = key.signer;
  }

  append(entry: JsonObject, position: bigint): number {
    const leaf = canonicalBytes(entry);
    const leafIndex = this.leaves.length;
    this.hashes.push(...storedHashes(leafIndex, leafHash(leaf), this.reader));
    this.leaves.push({ leafIndex, position, leaf });
    this.byPosition.set(position, leafIndex);
    return leafIndex;
  }

  /** Signs a checkpoint over every leaf so far, optionally with extra (witness) signatures. */
  seal(): SealedCheckpoint {
    const treeSize = this.leaves.length;
    const rootHash = treeHash(treeSize, this.reader);
    const text = formatCheckpoint({ origin: this.origin, treeSize, rootHash, extensions: [] });
    this.checkpoint = { treeSize, rootHash, note: formatNote(signNote(text, [this.signer])) };
    return this.checkpoint;
  }

  /** Replaces the latest checkpoint's note (to add cosignatures). */
  setNote(note: string): void {
    if (this.checkpoint === null) throw new Error('nothing sealed');
    this.checkpoint = { ...this.checkpoint, note };
  }

  sequencedSize(): number {
    return this.leaves.length;
  }
  latestCheckpoint(): SealedCheckpoint | null {
    return this.checkpoint;
  }
  leafIndexForPosition(position: bigint): number | null {
    return this.byPosition.get(position) ?? null;
  }
  entry(leafIndex: number): LogEntryRecord | null {
    return this.leaves[leafIndex] ?? null;
  }
  entries(start: number, end: number, limit: number): LogEntryRecord[] {
    return this.leaves.slice(start, Math.min(end, start + limit));
  }
  inclusionProof(leafIndex: number, treeSize: number): Uint8Array[] {
    return proveRecord(treeSize, leafIndex, this.reader);
  }
  consistencyProof(from: number, to: number): Uint8Array[] {
    return proveTree(to, from, this.reader);
  }
  async waitForSeal(): Promise<SealedCheckpoint> {
    return this.seal();
  }
}

export interface Department {
  readonly actor: string;
  readonly keyPair: KeyPair;
}

const STATUS_EVENT: Record<string, { event: string; status: CertificationStatus }> = {
  SuspendCertification: { event: 'CertificationSuspended', status: 'suspended' },
  ReinstateCertification: { event: 'CertificationReinstated', status: 'active' },
  RevokeCertification: { event: 'CertificationRevoked', status: 'revoked' },
};

export interface CertifyFields {
  recordDigest?: string;
  recordType?: string;
  validFrom?: string;
  validUntil?: string | null;
  metadata?: Record<string, string | number | boolean> | null;
  issuedAt?: string;
}

/**
 * The log plus the read models a node would keep beside it. Every write goes
 * to all of them, as the projector and sequencer would, with a filler leaf
 * between writes so proofs have some depth.
 */
export class ProofWorld {
  readonly log: MemoryLog;
  private readonly views = new Map<string, CertificationView>();
  /** Each batch's tree in the stored-hash layout, as the read model keeps it. */
  private readonly batchTrees = new Map<string, { count: number; hashes: Uint8Array[] }>();
  private readonly registryKeys = new Map<string, RegistryKey>();
  private position = 100n;

  constructor(log = new MemoryLog()) {
    this.log = log;
    this.filler();
  }

  readonly certifications = {
    get: (id: string) => this.views.get(id),
    batchPath: (batchId: string, index: number) => {
      const tree = this.batchTrees.get(batchId);
      if (tree === undefined) return undefined;
      const reader: HashReader = { readHashes: (slots) => slots.map((i) => tree.hashes[i]!) };
      return {
        root: treeHash(tree.count, reader),
        count: tree.count,
        path: proveRecord(tree.count, index, reader),
      };
    },
  };
  readonly keys = { key: (keyId: string) => this.registryKeys.get(keyId) };

  private record(entry: JsonObject): bigint {
    this.position += 1n;
    this.log.append(entry, this.position);
    return this.position;
  }

  /** An unrelated leaf (another department's business). */
  filler(): void {
    this.record({
      type: 'Filler',
      stream: `other-${this.position}`,
      data: { n: Number(this.position) },
      envelope: null,
    });
  }

  department(actor: string, activeFrom = '2026-01-01T00:00:00Z'): Department {
    const keyPair = generateKeyPair();
    this.registryKeys.set(keyPair.keyId, {
      keyId: keyPair.keyId,
      identityId: actor,
      publicKey: keyPair.publicKeyBase64,
      publicKeyBytes: keyPair.publicKey,
      activeFrom,
      retiredAt: null,
    });
    return { actor, keyPair };
  }

  retireKey(department: Department, retiredAt: string): void {
    const key = this.registryKeys.get(department.keyPair.keyId)!;
    this.registryKeys.set(key.keyId, { ...key, retiredAt });
  }

  certify(department: Department, fields: CertifyFields = {}): string {
    const envelope = signCommand(
      department,
      'CertifyRecord',
      {
        recordDigest: fields.recordDigest ?? 'ab'.repeat(32),
        recordType: fields.recordType ?? 'driving-licence',
        validFrom: fields.validFrom ?? '2026-01-01T00:00:00Z',
        validUntil: fields.validUntil === undefined ? '2036-01-01T00:00:00Z' : fields.validUntil,
        metadata: fields.metadata ?? null,
      },
      { issuedAt: fields.issuedAt ?? SIGNED_AT },
    );
    const { payload } = envelope;
    const certificationId = certificationIdFor(department.actor, payload.commandId);
    const data = {
      certificationId,
      issuerId: department.actor,
      recordDigest: payload['recordDigest'] as string,
      recordType: payload['recordType'] as string,
      subjectRef: null,
      validFrom: payload['validFrom'] as string,
      validUntil: (payload['validUntil'] as string | null | undefined) ?? null,
      metadata: (payload['metadata'] as CertificationView['metadata'] | undefined) ?? null,
      certifiedAt: payload.issuedAt,
    };
    const position = this.record(this.entry('RecordCertified', certificationId, data, envelope));
    this.views.set(certificationId, {
      ...data,
      status: 'active',
      keyId: department.keyPair.keyId,
      statusHistory: [
        { status: 'active', reason: null, at: data.certifiedAt, by: department.actor, position },
      ],
      position,
    });
    this.filler();
    return certificationId;
  }

  /**
   * Certifies a batch of records by their hex digests as the node would: the
   * BatchCertified entry, then the digest slices, each a log leaf. Returns the
   * batch id and every record's certification id, in order.
   */
  certifyBatch(
    department: Department,
    digests: readonly string[],
    fields: Omit<CertifyFields, 'recordDigest'> = {},
  ): { batchId: string; ids: string[] } {
    const bytes = digests.map((d) => new Uint8Array(Buffer.from(d, 'hex')));
    const envelope = signCommand(
      department,
      'CertifyBatch',
      {
        recordType: fields.recordType ?? 'diploma',
        validFrom: fields.validFrom ?? '2026-01-01T00:00:00Z',
        validUntil: fields.validUntil === undefined ? null : fields.validUntil,
        metadata: fields.metadata ?? null,
        batchRoot: Buffer.from(batchRoot(bytes)).toString('hex'),
        count: digests.length,
      },
      { issuedAt: fields.issuedAt ?? SIGNED_AT },
    );
    const { payload } = envelope;
    const batchId = batchIdFor(department.actor, payload.commandId);
    const data = {
      batchId,
      issuerId: department.actor,
      recordType: payload['recordType'] as string,
      validFrom: payload['validFrom'] as string,
      validUntil: (payload['validUntil'] as string | null | undefined) ?? null,
      metadata: (payload['metadata'] as CertificationView['metadata'] | undefined) ?? null,
      batchRoot: payload['batchRoot'] as string,
      count: digests.length,
      certifiedAt: payload.issuedAt,
    };
    const asEntry = (type: string, entryData: JsonObject): JsonObject => ({
      type,
      stream: batchStream(batchId),
      data: entryData,
      envelope: envelope as unknown as JsonValue,
    });
    const position = this.record(asEntry('BatchCertified', data));
    for (let from = 0; from < digests.length; from += BATCH_DIGESTS_PER_EVENT) {
      this.record(
        asEntry('BatchDigestsRecorded', {
          batchId,
          from,
          digestsBase64: Buffer.from(
            digests.slice(from, from + BATCH_DIGESTS_PER_EVENT).join(''),
            'hex',
          ).toString('base64'),
        }),
      );
    }
    const hashes: Uint8Array[] = [];
    const reader: HashReader = { readHashes: (slots) => slots.map((i) => hashes[i]!) };
    bytes.forEach((digest, index) => {
      hashes.push(...storedHashes(index, batchLeafHash(digest), reader));
    });
    this.batchTrees.set(batchId, { count: digests.length, hashes });
    const ids = digests.map((recordDigest, index) => {
      const certificationId = batchRecordIdFor(batchId, index);
      this.views.set(certificationId, {
        certificationId,
        issuerId: department.actor,
        recordDigest,
        recordType: data.recordType,
        subjectRef: null,
        validFrom: data.validFrom,
        validUntil: data.validUntil,
        metadata: data.metadata,
        status: 'active',
        certifiedAt: data.certifiedAt,
        keyId: department.keyPair.keyId,
        statusHistory: [
          { status: 'active', reason: null, at: data.certifiedAt, by: department.actor, position },
        ],
        position,
        batch: { batchId, index },
      });
      return certificationId;
    });
    this.filler();
    return { batchId, ids };
  }

  changeStatus(
    department: Department,
    certificationId: string,
    command: 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification',
    reason: string,
  ): void {
    const envelope = signCommand(department, command, { certificationId, reason }, { issuedAt: SIGNED_AT });
    const { event, status } = STATUS_EVENT[command]!;
    const data = { certificationId, reason, at: SIGNED_AT, by: department.actor };
    const position = this.record(this.entry(event, certificationId, data, envelope));
    const view = this.views.get(certificationId)!;
    this.views.set(certificationId, {
      ...view,
      status,
      statusHistory: [
        ...view.statusHistory,
        { status, reason, at: SIGNED_AT, by: department.actor, position },
      ],
    });
    this.filler();
  }

  private entry(
    type: string,
    certificationId: string,
    data: JsonObject,
    envelope: SignedEnvelope,
  ): JsonObject {
    return {
      type,
      stream: certificationStream(certificationId),
      data,
      envelope: envelope as unknown as JsonValue,
    };
  }

  seal(): SealedCheckpoint {
    return this.log.seal();
  }

  bundle(certificationId: string): ProofBundleV1 {
    return buildProofBundle(certificationId, this);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A deep copy of a bundle whose top-level fields can be reassigned, for tampering. */
export function cloneBundle(bundle: ProofBundleV1): Mutable<ProofBundleV1> & Record<string, unknown> {
  return JSON.parse(JSON.stringify(bundle));
}
