/**
 * The mirror: pulls the log from an upstream node (the primary, or another
 * mirror) and keeps a verified replica in its own store, from which it
 * serves the same read API and proofs.
 *
 * One round:
 *  1. Read upstream's latest checkpoint; it must verify under the trusted log
 *     key. Same size as the last accepted one: it must have the same root
 *     (else: split view). Larger: upstream's consistency proof from the last
 *     accepted checkpoint must verify (else: inconsistent).
 *  2. Pull the entries the mirror lacks, a page at a time. Each page is
 *     checked before anything of it is written: the root of the mirror's
 *     tree extended by the page (computed in a TreeOverlay) must be
 *     consistent with the signed root (an upstream consistency proof from the
 *     page's end to the checkpoint; equality at the checkpoint itself).
 *  3. Replay the verified entries, write by write, through the decider
 *     (entry-replay.ts) into the mirror's store; its sequencer builds the tree.
 *  4. Once its own tree reaches the checkpoint's size, accept the checkpoint:
 *     own root equal to the signed one, consistent with the last accepted
 *     one; publish it on the mirror's checkpoint stream (the mirror never
 *     signs under the log's origin: it republishes the log's own note), and
 *     the cosignatures that verify under the trust policy beside it.
 *
 * Anything that does not add up stops the mirror for good: it keeps its last
 * good state (nothing of the offending page was written), records an alert
 * with the evidence, and keeps serving what it has. An upstream that is
 * merely unreachable, behind or broken (an unsigned note) is failed over to
 * the next URL. Progress is the mirror's own store: after a restart, even a
 * kill -9, it resumes from its own size and downloads nothing it applied.
 */

import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import { type TrustPolicy, withCosignatures, witnessingOf } from '../../domain/federation/index.js';
import {
  type Checkpoint,
  decodeBase64,
  ed25519NoteVerifier,
  encodeBase64,
  formatNote,
  hashesEqual,
  LogProofError,
  leafHash,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  verifyConsistency,
  verifyNote,
} from '../../domain/log/index.js';
import type { JsonValue } from '../../domain/shared/json.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import {
  COSIGNATURE_STREAM,
  checkpointCosignedEvent,
} from '../../infrastructure/federation/cosignature-event.js';
import type { CosignedLog } from '../../infrastructure/federation/cosigned-log.js';
import type { AlertKind, FederationAlerts } from '../../infrastructure/federation/federation-alerts.js';
import { TreeOverlay } from '../../infrastructure/federation/tree-overlay.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { CHECKPOINT_STREAM, checkpointSealedEvent } from '../../infrastructure/sequencer/checkpoint-event.js';
import type { Sequencer } from '../../infrastructure/sequencer/sequencer.js';
import { type EntryReplayer, ReplayRejectedError, type UpstreamEntry } from '../replay/entry-replay.js';

const DEFAULT_POLL_MS = 200;
const DEFAULT_TIMEOUT_MS = 10_000;
const PAGE = 256;
const BACKOFF_MAX_MS = 5000;
/** A page's entries are a few KB each; a page of bulk slices can reach ~9 MB. Anything above is refused. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/** Something upstream said that a correct log could not have: the mirror stops and raises an alert. */
class MirrorHalt extends Error {
  constructor(
    readonly kind: AlertKind,
    message: string,
    readonly cosigned: string | null,
    readonly submitted: string | null,
    readonly proof: readonly string[] = [],
  ) {
    super(message);
    this.name = 'MirrorHalt';
  }
}

/** The upstream cannot be used right now (unreachable, behind, broken): try the next one. */
class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}

export interface MirrorOptions {
  readonly upstreams: readonly string[];
  /** The log's verifier key (type 0x01): the mirror's only trust anchor. */
  readonly logKey: string;
  readonly sequencer: Sequencer;
  readonly cosigned: CosignedLog;
  readonly store: EventStore;
  readonly projector: Projector;
  readonly replayer: EntryReplayer;
  readonly alerts: FederationAlerts;
  /** The trust policy to read cosignatures with; null fetches upstream's (it must list the log key). */
  readonly policy: TrustPolicy | null;
  readonly parsePolicy: (text: string) => TrustPolicy;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** After the log's first entry (the genesis) is applied. */
  readonly onGenesis?: () => Promise<void>;
  readonly notice?: (line: string) => void;
}

export interface MirrorStatus {
  readonly upstreams: readonly string[];
  readonly upstream: string;
  /** Leaves applied to the replica. */
  readonly replicatedSize: number;
  /** Tree size of the last checkpoint accepted (0 before the first). */
  readonly acceptedSize: number;
  /** Tree size of the newest checkpoint seen upstream. */
  readonly upstreamSize: number | null;
  /** Entries downloaded since this process started (a restart resumes from the replica, not from 0). */
  readonly entriesDownloaded: number;
  readonly lastSyncAt: string | null;
  readonly lastError: string | null;
  /** Why the mirror stopped applying, or null while it runs. */
  readonly halted: string | null;
}

interface UpstreamCheckpoint {
  readonly note: string;
  readonly text: string;
  readonly checkpoint: Checkpoint;
}

export class MirrorReplicator {
  private readonly logVerifier: NoteVerifier;
  private readonly origin: string;
  private readonly fetch: typeof fetch;
  private policy: TrustPolicy | null;
  private current = 0;
  private stopped = true;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private halted: string | null = null;
  private lastError: string | null = null;
  private lastSyncAt: string | null = null;
  private upstreamSize: number | null = null;
  private downloaded = 0;
  /** Verified entries not yet applied (a write cut by a checkpoint waits here for its rest). */
  private pending: UpstreamEntry[] = [];

  constructor(private readonly options: MirrorOptions) {
    if (options.upstreams.length === 0) throw new Error('a mirror needs at least one --upstream URL');
    this.logVerifier = ed25519NoteVerifier(options.logKey, verifyEd25519);
    this.origin = this.logVerifier.keyName;
    this.fetch = options.fetch ?? fetch;
    this.policy = options.policy;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** The trust policy cosignatures are read with (the configured one, or upstream's once fetched). */
  currentPolicy(): TrustPolicy | null {
    return this.policy;
  }

  status(): MirrorStatus {
    return {
      upstreams: this.options.upstreams,
      upstream: this.upstream(),
      replicatedSize: this.options.sequencer.sequencedSize(),
      acceptedSize: this.options.sequencer.latestCheckpoint()?.treeSize ?? 0,
      upstreamSize: this.upstreamSize,
      entriesDownloaded: this.downloaded,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      halted: this.halted,
    };
  }

  private upstream(): string {
    return this.options.upstreams[this.current % this.options.upstreams.length]!.replace(/\/+$/, '');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let progressed = false;
      try {
        progressed = await this.syncOnce();
        this.failures = 0;
        this.lastError = null;
        this.lastSyncAt = new Date().toISOString();
      } catch (error) {
        if (error instanceof MirrorHalt) {
          this.halt(error);
          return;
        }
        if (this.stopped) return;
        this.failures++;
        const message = error instanceof Error ? error.message : String(error);
        const from = this.upstream();
        // Fail over: the next URL may be a healthy replica of the same log.
        this.current++;
        if (this.lastError !== message)
          this.options.notice?.(`mirror: upstream ${from}: ${message}; trying ${this.upstream()}`);
        this.lastError = `${from}: ${message}`;
      }
      if (this.stopped) return;
      if (!progressed) await this.sleep(this.delay());
    }
  }

  private delay(): number {
    const poll = this.options.pollIntervalMs ?? DEFAULT_POLL_MS;
    if (this.failures === 0) return poll;
    // All upstreams failing: back off, but a failover to the next URL is tried promptly.
    return this.failures < this.options.upstreams.length
      ? poll
      : Math.min(BACKOFF_MAX_MS, poll * 2 ** Math.min(10, this.failures - this.options.upstreams.length + 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private halt(error: MirrorHalt): void {
    this.halted = `${error.kind}: ${error.message}`;
    this.pending = [];
    this.options.alerts.record({
      source: 'mirror',
      kind: error.kind,
      origin: this.origin,
      detail: error.message,
      cosigned: error.cosigned,
      submitted: error.submitted,
      proof: error.proof,
    });
    this.options.notice?.(
      `mirror ALERT (${error.kind}): ${error.message}; replication stopped, last good state kept`,
    );
  }

  private async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.upstream()}${path}`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamError(cause?.code ?? cause?.message ?? (error as Error).message);
    }
    return response;
  }

  private async getText(path: string): Promise<string | null> {
    const response = await this.get(path);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_PAGE_BYTES) throw new UpstreamError(`${path}: ${length} bytes is too large`);
    const text = await response.text();
    if (response.status === 503) return null;
    if (!response.ok) throw new UpstreamError(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return text;
  }

  private async getJson<T>(path: string): Promise<T> {
    const text = await this.getText(path);
    if (text === null) throw new UpstreamError(`${path}: not ready (503)`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UpstreamError(`${path}: not JSON`);
    }
  }

  /** Upstream's newest checkpoint, verified under the log key; null when it has none yet. */
  private async upstreamCheckpoint(): Promise<UpstreamCheckpoint | null> {
    const note = await this.getText('/v1/log/checkpoint');
    if (note === null) return null;
    try {
      const verified = verifyNote(note, [this.logVerifier]);
      const checkpoint = parseCheckpoint(verified.text);
      if (checkpoint.origin !== this.origin) throw new UpstreamError(`checkpoint of ${checkpoint.origin}`);
      return { note, text: verified.text, checkpoint };
    } catch (error) {
      // Not signed by the log: not the log's word, so no evidence against it; this upstream is unusable.
      if (error instanceof LogProofError)
        throw new UpstreamError(`its checkpoint does not verify: ${error.message}`);
      throw error;
    }
  }

  /** The note with only the log's own signature: what the primary published on its checkpoint stream. */
  private bareNote(upstream: UpstreamCheckpoint): string {
    const signature = parseNote(upstream.note).signatures.find(
      (s) => s.keyName === this.logVerifier.keyName && s.keyId === this.logVerifier.keyId,
    );
    return formatNote({ text: upstream.text, signatures: [signature!] });
  }

  private async ensurePolicy(): Promise<void> {
    if (this.policy !== null) return;
    const text = await this.getText('/v1/federation/policy');
    if (text === null) return;
    let policy: TrustPolicy;
    try {
      policy = this.options.parsePolicy(text);
    } catch (error) {
      throw new UpstreamError(`its trust policy cannot be read: ${(error as Error).message}`);
    }
    // A policy that does not name the log this mirror trusts says nothing about its cosignatures.
    if (!policy.logs.some((log) => log.vkey === this.options.logKey))
      throw new UpstreamError('its trust policy does not list the trusted log key');
    this.policy = policy;
    this.options.cosigned.setPolicy(policy);
  }

  /** One round; true when it applied entries or accepted a checkpoint. */
  private async syncOnce(): Promise<boolean> {
    await this.ensurePolicy();
    const upstream = await this.upstreamCheckpoint();
    if (upstream === null) return false;
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    this.upstreamSize = target.treeSize;
    const accepted = sequencer.latestCheckpoint();
    if (accepted !== null) {
      if (target.treeSize < accepted.treeSize)
        throw new UpstreamError(
          `it is behind: size ${target.treeSize}, this mirror has ${accepted.treeSize}`,
        );
      if (target.treeSize === accepted.treeSize) {
        if (!hashesEqual(target.rootHash, accepted.rootHash)) {
          throw new MirrorHalt(
            'split-view',
            `two log-signed roots for tree size ${target.treeSize}`,
            accepted.note,
            upstream.note,
          );
        }
        return this.adoptCosignatures(upstream);
      }
      const proof = await this.consistencyProof(accepted.treeSize, target.treeSize);
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
    const applied = await this.pull(upstream);
    if (sequencer.sequencedSize() < target.treeSize) return applied;
    await this.accept(upstream);
    return true;
  }

  private async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    const body = await this.getJson<{ proof?: unknown }>(`/v1/log/consistency?from=${from}&to=${to}`);
    if (!Array.isArray(body.proof) || body.proof.length > 64)
      throw new UpstreamError('malformed consistency proof');
    return body.proof.map((hash) => {
      const bytes = typeof hash === 'string' ? decodeBase64(hash) : undefined;
      if (bytes === undefined || bytes.length !== 32) throw new UpstreamError('malformed consistency proof');
      return bytes;
    });
  }

  /** Pulls, verifies and applies the entries up to the checkpoint; true if any write was applied. */
  private async pull(upstream: UpstreamCheckpoint): Promise<boolean> {
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    let applied = await this.applyPending();
    for (;;) {
      const next = sequencer.sequencedSize() + this.pending.length;
      if (next >= target.treeSize || this.stopped) return applied;
      const page = await this.getJson<{ entries?: unknown }>(
        `/v1/log/entries?start=${next}&end=${target.treeSize}&limit=${PAGE}`,
      );
      if (!Array.isArray(page.entries) || page.entries.length === 0)
        throw new UpstreamError(`no entries from ${next}`);
      const entries = page.entries.map((raw, i) => this.readEntry(raw, next + i));
      this.downloaded += entries.length;
      this.verifyPage(entries, upstream, next);
      const end = next + entries.length;
      if (end < target.treeSize) await this.verifyPrefix(upstream, entries, end);
      this.pending.push(...entries);
      applied = (await this.applyPending()) || applied;
    }
  }

  private readEntry(raw: unknown, expectedIndex: number): UpstreamEntry {
    const entry = raw as { leafIndex?: unknown; leaf?: unknown } | null;
    const leaf = entry?.leaf as
      | { type?: unknown; stream?: unknown; data?: unknown; envelope?: unknown }
      | undefined;
    if (
      entry === null ||
      entry.leafIndex !== expectedIndex ||
      leaf === undefined ||
      leaf === null ||
      typeof leaf.type !== 'string' ||
      typeof leaf.stream !== 'string' ||
      leaf.data === undefined ||
      leaf.envelope === undefined
    ) {
      throw new UpstreamError(`malformed entry at ${expectedIndex}`);
    }
    return {
      leafIndex: expectedIndex,
      type: leaf.type,
      stream: leaf.stream,
      data: leaf.data as JsonValue,
      envelope: leaf.envelope as JsonValue,
    };
  }

  private overlay(extra: readonly UpstreamEntry[]): TreeOverlay {
    const { sequencer } = this.options;
    const overlay = new TreeOverlay(sequencer.hashes, sequencer.sequencedSize());
    for (const entry of [...this.pending, ...extra]) overlay.append(leafHashOf(entry));
    return overlay;
  }

  /** A page that ends at the checkpoint: the extended tree's root must be the signed root. */
  private verifyPage(entries: readonly UpstreamEntry[], upstream: UpstreamCheckpoint, start: number): void {
    const end = start + entries.length;
    if (end !== upstream.checkpoint.treeSize) return;
    const root = this.overlay(entries).root(end);
    if (!hashesEqual(root, upstream.checkpoint.rootHash)) {
      throw new MirrorHalt(
        'root-mismatch',
        `entries ${start}..${end - 1} give the root ${encodeBase64(root)}, the log signed ` +
          `${encodeBase64(upstream.checkpoint.rootHash)} for size ${end}`,
        this.options.sequencer.latestCheckpoint()?.note ?? null,
        upstream.note,
      );
    }
  }

  /** A page that ends before the checkpoint: its extended tree must be a prefix of the signed tree. */
  private async verifyPrefix(upstream: UpstreamCheckpoint, entries: readonly UpstreamEntry[], end: number) {
    const root = this.overlay(entries).root(end);
    const proof = await this.consistencyProof(end, upstream.checkpoint.treeSize);
    try {
      verifyConsistency(end, upstream.checkpoint.treeSize, proof, root, upstream.checkpoint.rootHash);
    } catch (error) {
      throw new MirrorHalt(
        'root-mismatch',
        `entries up to ${end - 1} are not a prefix of the tree the log signed at size ` +
          `${upstream.checkpoint.treeSize}: ${(error as Error).message}`,
        this.options.sequencer.latestCheckpoint()?.note ?? null,
        upstream.note,
        proof.map(encodeBase64),
      );
    }
  }

  /** Replays the pending writes in order; a write that may continue beyond them stays pending. */
  private async applyPending(): Promise<boolean> {
    let applied = false;
    while (this.pending.length > 0 && !this.stopped) {
      const first = this.pending[0]!;
      let result: Awaited<ReturnType<EntryReplayer['replayNext']>>;
      try {
        result = await this.options.replayer.replayNext(this.pending);
      } catch (error) {
        if (error instanceof ReplayRejectedError) {
          throw new MirrorHalt(
            'entry-rejected',
            error.message,
            null,
            JSON.stringify(first).slice(0, 64 * 1024),
          );
        }
        throw error;
      }
      if (!result.applied) return applied;
      this.pending = this.pending.slice(result.count);
      applied = true;
      if (first.leafIndex === 0) await this.options.onGenesis?.();
    }
    return applied;
  }

  /** The mirror's tree has reached the checkpoint: check it against its own tree and publish it. */
  private async accept(upstream: UpstreamCheckpoint): Promise<void> {
    const { sequencer, store, projector } = this.options;
    const target = upstream.checkpoint;
    const own = sequencer.rootAt(target.treeSize);
    if (!hashesEqual(own, target.rootHash)) {
      throw new MirrorHalt(
        'root-mismatch',
        `this mirror's tree has root ${encodeBase64(own)} at size ${target.treeSize}, the log signed ${encodeBase64(target.rootHash)}`,
        sequencer.latestCheckpoint()?.note ?? null,
        upstream.note,
      );
    }
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
    const revision = sequencer.checkpointRevision();
    const appended = await store.append(
      CHECKPOINT_STREAM,
      [
        checkpointSealedEvent({
          origin: this.origin,
          treeSize: target.treeSize,
          rootHash: encodeBase64(target.rootHash),
          note: this.bareNote(upstream),
        }),
      ],
      revision === null ? 'no_stream' : revision,
    );
    await projector.waitFor(appended.position, 60_000);
    await this.adoptCosignatures(upstream);
  }

  /**
   * Publishes upstream's cosignatures of an accepted checkpoint on the mirror's
   * own stream, keeping only those that verify under the trust policy, in the
   * policy's order: the same bytes the primary serves. True if it published.
   */
  private async adoptCosignatures(upstream: UpstreamCheckpoint): Promise<boolean> {
    const { policy } = this;
    if (policy === null) return false;
    const size = upstream.checkpoint.treeSize;
    let cosignatures: ReturnType<typeof parseNote>['signatures'];
    try {
      const witnessing = witnessingOf(upstream.note, policy, verifyEd25519, [this.options.logKey]);
      const cosigned = new Set(witnessing.cosigners.filter((c) => c.cosigned).map((c) => c.keyName));
      cosignatures = parseNote(upstream.note).signatures.filter(
        (s) =>
          cosigned.has(s.keyName) &&
          policy.witnesses.some((w) => w.key.name === s.keyName && w.key.keyId === s.keyId),
      );
    } catch {
      // A cosignature that fails under a key the policy lists: keep the log's note without any.
      return false;
    }
    if (cosignatures.length === 0) return false;
    const note = withCosignatures(this.bareNote(upstream), cosignatures, policy);
    const held = this.options.cosigned.cosignedNote(size);
    if (held !== null && parseNote(held).signatures.length >= parseNote(note).signatures.length) return false;
    const appended = await this.options.store.append(
      COSIGNATURE_STREAM,
      [
        checkpointCosignedEvent({
          origin: this.origin,
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
}

function leafHashOf(entry: UpstreamEntry): Uint8Array {
  // The leaf is the RFC 8785 form of { type, stream, data, envelope }: re-encoding it gives the hashed bytes.
  return leafHash(
    canonicalBytes({ type: entry.type, stream: entry.stream, data: entry.data, envelope: entry.envelope }),
  );
}
