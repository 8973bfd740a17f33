/**
 * What the mirror makes of what upstream says, decided without I/O. A
 * checkpoint must be signed by the log and extend the last one the mirror
 * accepted: at the same size the same root (else a split view), at a larger
 * size a consistency proof from it (else inconsistent). A page of entries,
 * added to the mirror's tree in a TreeOverlay, must lead to the signed root;
 * once applied, the mirror's own tree must have that root.
 *
 * What a correct log could not have said raises a MirrorHalt carrying the
 * evidence. What only makes this upstream unusable (a note the log did not
 * sign, a size behind the mirror's) raises an
 * UpstreamError, and the mirror fails over.
 */

import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import {
  type Checkpoint,
  encodeBase64,
  hashesEqual,
  LogProofError,
  leafHash,
  type NoteVerifier,
  parseCheckpoint,
  stateMapRootOf,
  verifyConsistency,
  verifyNote,
} from '../../domain/log/index.js';
import { TreeOverlay } from '../../infrastructure/federation/tree-overlay.js';
import { UpstreamError } from '../../infrastructure/federation/upstream-client.js';
import type { SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import type { Sequencer } from '../../infrastructure/sequencer/sequencer.js';
import type { UpstreamEntry } from '../replay/entry-replay.js';
import { MirrorHalt } from './mirror-halt.js';

/** Upstream's newest checkpoint, verified under the log key. */
export interface UpstreamCheckpoint {
  readonly note: string;
  readonly text: string;
  readonly checkpoint: Checkpoint;
}

export interface UpstreamVerifierOptions {
  /** The log's verifier key (type 0x01): the mirror's only trust anchor. */
  readonly logKey: string;
  readonly logVerifier: NoteVerifier;
  /** The mirror's own log: its tree, and the checkpoint it last accepted. */
  readonly sequencer: Sequencer;
}

export class UpstreamVerifier {
  constructor(private readonly options: UpstreamVerifierOptions) {}

  /** Upstream's checkpoint note, which must verify under the log key and name the log's origin. */
  checkpoint(note: string): UpstreamCheckpoint {
    const { logVerifier } = this.options;
    try {
      const verified = verifyNote(note, [logVerifier]);
      const checkpoint = parseCheckpoint(verified.text);
      if (checkpoint.origin !== logVerifier.keyName)
        throw new UpstreamError(`checkpoint of ${checkpoint.origin}`);
      return { note, text: verified.text, checkpoint };
    } catch (error) {
      // Not signed by the log: not the log's word, so no evidence against it; this upstream is unusable.
      if (error instanceof LogProofError)
        throw new UpstreamError(`its checkpoint does not verify: ${error.message}`);
      throw error;
    }
  }

  /**
   * Whether upstream's checkpoint is the accepted one itself (true) or a larger
   * one (false), which must then be shown to extend it by extendsAccepted.
   */
  isAccepted(accepted: SealedCheckpoint, upstream: UpstreamCheckpoint): boolean {
    const target = upstream.checkpoint;
    if (target.treeSize < accepted.treeSize)
      throw new UpstreamError(`it is behind: size ${target.treeSize}, this mirror has ${accepted.treeSize}`);
    if (target.treeSize > accepted.treeSize) return false;
    if (!hashesEqual(target.rootHash, accepted.rootHash)) {
      throw new MirrorHalt(
        'split-view',
        `two log-signed roots for tree size ${target.treeSize}`,
        accepted.note,
        upstream.note,
      );
    }
    return true;
  }

  /** A larger checkpoint: upstream's consistency proof from the accepted one must verify. */
  extendsAccepted(accepted: SealedCheckpoint, upstream: UpstreamCheckpoint, proof: Uint8Array[]): void {
    const target = upstream.checkpoint;
    try {
      verifyConsistency(accepted.treeSize, target.treeSize, proof, accepted.rootHash, target.rootHash);
    } catch (error) {
      throw new MirrorHalt(
        'inconsistent',
        `the checkpoint of size ${target.treeSize} is not consistent with the accepted one of size ` +
          `${accepted.treeSize}: ${(error as Error).message}`,
        accepted.note,
        upstream.note,
        proof.map(encodeBase64),
      );
    }
  }

  /** The root at size `end` of the mirror's tree with entries it has verified or pulled but not applied. */
  rootWith(unapplied: readonly UpstreamEntry[], end: number): Uint8Array {
    const { sequencer } = this.options;
    const overlay = new TreeOverlay(sequencer.hashes, sequencer.sequencedSize());
    for (const entry of unapplied) overlay.append(leafHashOf(entry));
    return overlay.root(end);
  }

  /** A page that ends at the checkpoint: the extended tree's root must be the signed root. */
  pageAtCheckpoint(root: Uint8Array, start: number, upstream: UpstreamCheckpoint): void {
    const end = upstream.checkpoint.treeSize;
    if (!hashesEqual(root, upstream.checkpoint.rootHash)) {
      throw new MirrorHalt(
        'root-mismatch',
        `entries ${start}..${end - 1} give the root ${encodeBase64(root)}, the log signed ` +
          `${encodeBase64(upstream.checkpoint.rootHash)} for size ${end}`,
        this.acceptedNote(),
        upstream.note,
      );
    }
  }

  /** A page that ends before the checkpoint: its extended tree must be a prefix of the signed tree. */
  pagePrefix(root: Uint8Array, end: number, upstream: UpstreamCheckpoint, proof: Uint8Array[]): void {
    try {
      verifyConsistency(end, upstream.checkpoint.treeSize, proof, root, upstream.checkpoint.rootHash);
    } catch (error) {
      throw new MirrorHalt(
        'root-mismatch',
        `entries up to ${end - 1} are not a prefix of the tree the log signed at size ` +
          `${upstream.checkpoint.treeSize}: ${(error as Error).message}`,
        this.acceptedNote(),
        upstream.note,
        proof.map(encodeBase64),
      );
    }
  }

  /** The mirror's tree has reached the checkpoint: its own root must be the signed one. */
  ownTree(upstream: UpstreamCheckpoint): void {
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    const own = sequencer.rootAt(target.treeSize);
    if (!hashesEqual(own, target.rootHash)) {
      throw new MirrorHalt(
        'root-mismatch',
        `this mirror's tree has root ${encodeBase64(own)} at size ${target.treeSize}, the log signed ${encodeBase64(target.rootHash)}`,
        this.acceptedNote(),
        upstream.note,
      );
    }
    this.ownState(upstream);
    const accepted = sequencer.latestCheckpoint();
    if (accepted !== null) {
      // Implied by a tree that only grows, and cheap to check from the mirror's own hashes.
      verifyConsistency(
        accepted.treeSize,
        target.treeSize,
        sequencer.consistencyProof(accepted.treeSize, target.treeSize),
        accepted.rootHash,
        target.rootHash,
      );
    }
  }

  /**
   * The state map root the log signed must be the one this mirror recomputed by replaying the same
   * entries in the same order: a log that lies about the current state (a hidden revocation, a key
   * that was never registered) is caught here, before its checkpoint is accepted or cosigned.
   */
  private ownState(upstream: UpstreamCheckpoint): void {
    const target = upstream.checkpoint;
    const signed = stateMapRootOf(target);
    const own = this.options.sequencer.stateRootAt(target.treeSize);
    if (signed === null || own === null || hashesEqual(own, signed)) return;
    throw new MirrorHalt(
      'map-root-mismatch',
      `this mirror's state map has root ${encodeBase64(own)} after ${target.treeSize} entries, the log signed ${encodeBase64(signed)}`,
      this.acceptedNote(),
      upstream.note,
    );
  }

  private acceptedNote(): string | null {
    return this.options.sequencer.latestCheckpoint()?.note ?? null;
  }
}

/** The leaf bytes of an entry as the log hashed them. */
export function leafBytesOf(entry: UpstreamEntry): Uint8Array {
  // The leaf is the RFC 8785 form of { type, stream, data, envelope }: re-encoding it gives the hashed bytes.
  return canonicalBytes({
    type: entry.type,
    stream: entry.stream,
    data: entry.data,
    envelope: entry.envelope,
  });
}

/** The leaf hash of an entry as the log hashed it. */
export function leafHashOf(entry: UpstreamEntry): Uint8Array {
  return leafHash(leafBytesOf(entry));
}
