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
 *  2. Pull the entries the mirror lacks, a page at a time, each checked
 *     against the signed root before anything of it is written. By default
 *     from C2SP tlog-tiles (tiles-reader.ts): entry bundles, whose leaves
 *     must hash to hash tiles that are themselves tied to the signed root;
 *     the consistency proof of step 1 is then computed here from hash tiles.
 *     With sync 'entries', for upstreams older than tiles (entries-reader.ts):
 *     pages of /v1/log/entries, the mirror's tree extended by the page must
 *     be consistent with the signed root by upstream's proof.
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
 *
 * This class runs the round; its parts each hold one step: UpstreamPoller
 * (rounds, backoff, failover), UpstreamClient (HTTP), TilesReader or
 * EntriesReader (reading one checkpoint's tree, each page checked),
 * UpstreamVerifier (the checks and their evidence), PendingReplay and
 * CheckpointPublisher (writing).
 */

import type { SignedPolicy, TrustPolicy } from '../../domain/federation/index.js';
import { ed25519NoteVerifier } from '../../domain/log/index.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import type { CosignedLog } from '../../infrastructure/federation/cosigned-log.js';
import type { FederationAlerts } from '../../infrastructure/federation/federation-alerts.js';
import { UpstreamClient } from '../../infrastructure/federation/upstream-client.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import type { Sequencer } from '../../infrastructure/sequencer/sequencer.js';
import type { EntryReplayer } from '../replay/entry-replay.js';
import { CheckpointPublisher } from './checkpoint-publisher.js';
import { EntriesReader } from './entries-reader.js';
import type { MirrorHalt } from './mirror-halt.js';
import { PendingReplay } from './pending-replay.js';
import { PolicyFollower, type PolicyRefusal } from './policy-follower.js';
import { TilesReader } from './tiles-reader.js';
import { UpstreamPoller } from './upstream-poller.js';
import type { MirrorSync, UpstreamReader } from './upstream-reader.js';
import { type UpstreamCheckpoint, UpstreamVerifier } from './upstream-verifier.js';

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
  /** The trust policy given at start; null follows upstream's log-signed one (it must list the log key). */
  readonly policy: TrustPolicy | null;
  /** Without a policy given at start: the log-signed version followed before a restart, or null. */
  readonly followed?: SignedPolicy | null;
  /** Called with each log-signed version adopted, before it is used (to persist it). */
  readonly onPolicy?: (signed: SignedPolicy) => void;
  /** How to read upstream: 'tiles' (the default) or 'entries' (the JSON API, for older upstreams). */
  readonly sync?: MirrorSync;
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
  /** How it reads upstream: 'tiles' or 'entries'. */
  readonly sync: MirrorSync;
  /** Leaves applied to the replica. */
  readonly replicatedSize: number;
  /** Tree size of the last checkpoint accepted (0 before the first). */
  readonly acceptedSize: number;
  /** Tree size of the newest checkpoint seen upstream. */
  readonly upstreamSize: number | null;
  /** Entries downloaded since this process started (a restart resumes from the replica, not from 0). */
  readonly entriesDownloaded: number;
  /** Hash tiles and entry bundles (tiles), or pages and proofs (entries), fetched since this process started. */
  readonly requests: number;
  readonly lastSyncAt: string | null;
  readonly lastError: string | null;
  /** Why the mirror stopped applying, or null while it runs. */
  readonly halted: string | null;
  /** The sequence of the log-signed policy followed; null with none yet, or with a policy given at start. */
  readonly policySequence: number | null;
  /** Why upstream's last policy offer was refused (the mirror kept its own); null when none was. */
  readonly policyRefused: PolicyRefusal | null;
}

export class MirrorReplicator {
  private readonly origin: string;
  private readonly poller: UpstreamPoller;
  private readonly verifier: UpstreamVerifier;
  private readonly pending: PendingReplay;
  private readonly publisher: CheckpointPublisher;
  /** Null when the policy was given at start: then upstream's is not followed. */
  private readonly follower: PolicyFollower | null;
  private halted: string | null = null;
  private upstreamSize: number | null = null;
  private downloaded = 0;
  private requests = 0;
  private readonly sync: MirrorSync;

  constructor(private readonly options: MirrorOptions) {
    if (options.upstreams.length === 0) throw new Error('a mirror needs at least one --upstream URL');
    const { logKey, sequencer, cosigned, store, projector, replayer, policy } = options;
    const logVerifier = ed25519NoteVerifier(logKey, verifyEd25519);
    this.origin = logVerifier.keyName;
    this.sync = options.sync ?? 'tiles';
    const transport = { timeoutMs: options.timeoutMs, fetch: options.fetch };
    this.poller = new UpstreamPoller({
      upstreams: options.upstreams.map((url) => new UpstreamClient(url, transport)),
      pollIntervalMs: options.pollIntervalMs,
      round: (upstream) => this.syncOnce(upstream),
      onHalt: (halt) => this.halt(halt),
      notice: options.notice,
    });
    this.verifier = new UpstreamVerifier({ logKey, logVerifier, sequencer });
    this.pending = new PendingReplay({
      replayer,
      onGenesis: options.onGenesis,
      stopped: () => this.poller.stopped,
    });
    this.publisher = new CheckpointPublisher({
      logKey,
      logVerifier,
      sequencer,
      cosigned,
      store,
      projector,
      policy: policy ?? options.followed?.policy ?? null,
    });
    this.follower = policy === null ? this.policyFollower(logVerifier) : null;
  }

  private policyFollower(logVerifier: ReturnType<typeof ed25519NoteVerifier>): PolicyFollower {
    return new PolicyFollower({
      logKey: this.options.logKey,
      logVerifier,
      followed: this.options.followed ?? null,
      adopt: (signed) => {
        this.options.onPolicy?.(signed);
        this.publisher.adoptPolicy(signed.policy);
      },
      notice: this.options.notice,
    });
  }

  /** The log-signed policy this mirror follows, to serve on unchanged; null with none (or one given at start). */
  get signedPolicy(): SignedPolicy | null {
    return this.follower?.signed ?? null;
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Pulls from upstream now instead of at the next poll. */
  pollNow(): void {
    this.poller.pollNow();
  }

  status(): MirrorStatus {
    return {
      upstreams: this.options.upstreams,
      upstream: this.poller.upstream.url,
      sync: this.sync,
      replicatedSize: this.options.sequencer.sequencedSize(),
      acceptedSize: this.options.sequencer.latestCheckpoint()?.treeSize ?? 0,
      upstreamSize: this.upstreamSize,
      entriesDownloaded: this.downloaded,
      requests: this.requests,
      lastSyncAt: this.poller.lastSyncAt,
      lastError: this.poller.lastError,
      halted: this.halted,
      policySequence: this.follower?.signed?.sequence ?? null,
      policyRefused: this.follower?.refused ?? null,
    };
  }

  private halt(error: MirrorHalt): void {
    this.halted = `${error.kind}: ${error.message}`;
    this.pending.clear();
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

  /** One round; true when it applied entries or accepted a checkpoint. */
  private async syncOnce(client: UpstreamClient): Promise<boolean> {
    await this.followPolicy(client);
    const note = await client.checkpointNote(this.sync === 'tiles' ? '/checkpoint' : '/v1/log/checkpoint');
    if (note === null) return false;
    const upstream = this.verifier.checkpoint(note);
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    this.upstreamSize = target.treeSize;
    const accepted = sequencer.latestCheckpoint();
    if (accepted !== null && this.verifier.isAccepted(accepted, upstream))
      return this.publisher.publishCosignatures(upstream);
    const reader = this.reader(client, upstream);
    try {
      if (accepted !== null)
        this.verifier.extendsAccepted(accepted, upstream, await reader.consistencyProof(accepted.treeSize));
      return await this.pullAndAccept(reader, upstream);
    } finally {
      this.requests += reader.requests;
    }
  }

  private reader(client: UpstreamClient, upstream: UpstreamCheckpoint): UpstreamReader {
    if (this.sync === 'entries') return new EntriesReader(client, this.verifier, upstream);
    return new TilesReader(client, upstream, () => this.options.sequencer.latestCheckpoint()?.note ?? null);
  }

  /** Pulls up to the checkpoint, then accepts it once the mirror's own tree has reached it. */
  private async pullAndAccept(reader: UpstreamReader, upstream: UpstreamCheckpoint): Promise<boolean> {
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    const applied = await this.pull(reader, upstream);
    if (sequencer.sequencedSize() < target.treeSize) return applied;
    this.verifier.ownTree(upstream);
    await this.publisher.publishCheckpoint(upstream);
    return true;
  }

  /**
   * Without a policy of its own, the mirror reads cosignatures with upstream's, and follows it as it
   * changes: a primary started before its witnesses existed gets its policy later, and a mirror that
   * kept the first one would report "quorum none" forever. Only the log-signed form is trusted.
   */
  private async followPolicy(client: UpstreamClient): Promise<void> {
    await this.follower?.follow(client);
  }

  /** Pulls, verifies and applies the entries up to the checkpoint; true if any write was applied. */
  private async pull(reader: UpstreamReader, upstream: UpstreamCheckpoint): Promise<boolean> {
    const { sequencer } = this.options;
    const target = upstream.checkpoint;
    let applied = await this.pending.apply();
    for (;;) {
      const next = sequencer.sequencedSize() + this.pending.entries.length;
      if (next >= target.treeSize || this.poller.stopped) return applied;
      // Checked against the signed root by the reader before anything of it is written.
      const entries = await reader.page(next, this.pending.entries);
      this.downloaded += entries.length;
      this.pending.add(entries);
      applied = (await this.pending.apply()) || applied;
    }
  }
}
