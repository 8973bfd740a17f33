/**
 * How the mirror publishes a checkpoint it accepted, on its own streams: the
 * log's note on the checkpoint stream (the mirror never signs under the log's
 * origin: it republishes the log's own note), and beside it upstream's
 * cosignatures that verify under the trust policy, so that it serves the same
 * bytes as the primary.
 */

import { type TrustPolicy, withCosignatures, witnessingOf } from '../../domain/federation/index.js';
import {
  encodeBase64,
  formatNote,
  type NoteSignature,
  type NoteVerifier,
  parseNote,
} from '../../domain/log/index.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import {
  COSIGNATURE_STREAM,
  checkpointCosignedEvent,
} from '../../infrastructure/federation/cosignature-event.js';
import type { CosignedLog } from '../../infrastructure/federation/cosigned-log.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { CHECKPOINT_STREAM, checkpointSealedEvent } from '../../infrastructure/sequencer/checkpoint-event.js';
import type { Sequencer } from '../../infrastructure/sequencer/sequencer.js';
import type { UpstreamCheckpoint } from './upstream-verifier.js';

export interface CheckpointPublisherOptions {
  /** The log's verifier key (type 0x01): the mirror's only trust anchor. */
  readonly logKey: string;
  readonly logVerifier: NoteVerifier;
  readonly sequencer: Sequencer;
  readonly cosigned: CosignedLog;
  readonly store: EventStore;
  readonly projector: Projector;
  /** The trust policy to read cosignatures with; null until upstream's is adopted. */
  readonly policy: TrustPolicy | null;
}

export class CheckpointPublisher {
  private trustPolicy: TrustPolicy | null;

  constructor(private readonly options: CheckpointPublisherOptions) {
    this.trustPolicy = options.policy;
  }

  /** The trust policy cosignatures are read with (the configured one, or upstream's once adopted). */
  get policy(): TrustPolicy | null {
    return this.trustPolicy;
  }

  /** Reads cosignatures with upstream's policy from now on, here and in the mirror's cosigned log. */
  adoptPolicy(policy: TrustPolicy): void {
    this.trustPolicy = policy;
    this.options.cosigned.setPolicy(policy);
  }

  /** Publishes a checkpoint the mirror's own tree has reached and matched, then its cosignatures. */
  async publishCheckpoint(upstream: UpstreamCheckpoint): Promise<void> {
    const { sequencer, store, projector, logVerifier } = this.options;
    const target = upstream.checkpoint;
    const revision = sequencer.checkpointRevision();
    const appended = await store.append(
      CHECKPOINT_STREAM,
      [
        checkpointSealedEvent({
          origin: logVerifier.keyName,
          treeSize: target.treeSize,
          rootHash: encodeBase64(target.rootHash),
          note: this.bareNote(upstream),
        }),
      ],
      revision === null ? 'no_stream' : revision,
    );
    await projector.waitFor(appended.position, 60_000);
    await this.publishCosignatures(upstream);
  }

  /**
   * Publishes upstream's cosignatures of an accepted checkpoint on the mirror's
   * own stream, keeping only those that verify under the trust policy, in the
   * policy's order: the same bytes the primary serves. True if it published.
   */
  async publishCosignatures(upstream: UpstreamCheckpoint): Promise<boolean> {
    const policy = this.trustPolicy;
    if (policy === null) return false;
    const size = upstream.checkpoint.treeSize;
    const cosignatures = this.verifiedCosignatures(upstream, policy);
    if (cosignatures.length === 0) return false;
    const note = withCosignatures(this.bareNote(upstream), cosignatures, policy);
    const held = this.options.cosigned.cosignedNote(size);
    if (held !== null && parseNote(held).signatures.length >= parseNote(note).signatures.length) return false;
    const appended = await this.options.store.append(
      COSIGNATURE_STREAM,
      [
        checkpointCosignedEvent({
          origin: this.options.logVerifier.keyName,
          treeSize: size,
          rootHash: encodeBase64(upstream.checkpoint.rootHash),
          note,
        }),
      ],
      'any',
    );
    await this.options.projector.waitFor(appended.position, 60_000);
    return true;
  }

  /** The note's cosignatures by the policy's witnesses that verify under their keys. */
  private verifiedCosignatures(upstream: UpstreamCheckpoint, policy: TrustPolicy): NoteSignature[] {
    try {
      const witnessing = witnessingOf(upstream.note, policy, verifyEd25519, [this.options.logKey]);
      const cosigned = new Set(witnessing.cosigners.filter((c) => c.cosigned).map((c) => c.keyName));
      return parseNote(upstream.note).signatures.filter(
        (s) =>
          cosigned.has(s.keyName) &&
          policy.witnesses.some((w) => w.key.name === s.keyName && w.key.keyId === s.keyId),
      );
    } catch {
      // A cosignature that fails under a key the policy lists: keep the log's note without any.
      return [];
    }
  }

  /** The note with only the log's own signature: what the primary published on its checkpoint stream. */
  private bareNote(upstream: UpstreamCheckpoint): string {
    const { logVerifier } = this.options;
    const signature = parseNote(upstream.note).signatures.find(
      (s) => s.keyName === logVerifier.keyName && s.keyId === logVerifier.keyId,
    );
    return formatNote({ text: upstream.text, signatures: [signature!] });
  }
}
