/**
 * The log's side of C2SP tlog-witness: after each seal, every witness of the
 * trust policy that has a URL is asked, in parallel, to cosign the newest
 * checkpoint, with a consistency proof from the size it last cosigned. The
 * cosignatures that come back are checked and published as a
 * CheckpointCosigned event: at once when they first meet the quorum (so
 * `wait=final` answers early), and again when every witness has answered or
 * failed and more arrived.
 *
 * Nothing here is on the sealing path. The sealer signs and publishes
 * checkpoints as before; a slow or dead witness only delays its own
 * cosignature. Each witness has its own worker with a request timeout and
 * exponential backoff, and always works on the newest checkpoint: a witness
 * that cosigns checkpoint N has vouched for every smaller one too.
 */

import { isQuorumMet, type TrustPolicy, withCosignatures } from '../../domain/federation/index.js';
import { encodeBase64, type NoteSignature, parseNote } from '../../domain/log/index.js';
import type { Histogram } from '../metrics/metrics-registry.js';
import type { SealedCheckpoint } from '../sequencer/log-reader.js';
import { type CheckpointCosignedData, checkpointCosignedEvent } from './cosignature-event.js';
import { WitnessClient } from './witness-client.js';

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** 409s in a row before a round gives up on a witness (each one teaches the client the witness's size). */
const MAX_CONFLICTS_PER_ATTEMPT = 3;

/** What the submitter needs from the log: the newest sealed checkpoint (bare note) and consistency proofs. */
export interface SubmitterLog {
  latestCheckpoint(): SealedCheckpoint | null;
  consistencyProof(from: number, to: number): Uint8Array[];
}

export interface WitnessSubmitterOptions {
  readonly policy: TrustPolicy;
  readonly log: SubmitterLog;
  /** The published cosigned note of a size, if any (published lines are kept, never replaced). */
  readonly cosignedNote: (treeSize: number) => string | null;
  /** Appends a CheckpointCosigned event; resolves once it is durable. */
  readonly publish: (event: ReturnType<typeof checkpointCosignedEvent>) => Promise<void>;
  /** Milliseconds for backoffs, refreshes and latencies (default Date.now); only tests replace it. */
  readonly clock?: () => number;
  readonly timeoutMs?: number;
  readonly latency?: Histogram;
  readonly quorumLatency?: Histogram;
  readonly fetch?: typeof fetch;
  readonly onError?: (message: string) => void;
  /**
   * How often the latest checkpoint is submitted again when no newer one came: the witnesses' fresh
   * cosignatures keep an idle log's state "as of" recent (default 60 s; 0 never).
   */
  readonly refreshIntervalMs?: number;
}

/** An idle log's checkpoint is cosigned again this often by default. */
const DEFAULT_REFRESH_MS = 60_000;

interface Round {
  readonly checkpoint: SealedCheckpoint;
  /** A resubmission of a checkpoint already cosigned, for fresh cosignatures. */
  readonly refresh: boolean;
  readonly text: string;
  readonly startedAt: number;
  readonly cosignatures: Map<number, NoteSignature>;
  /** Witnesses that answered this round, with a cosignature or a failure. */
  readonly settled: Set<number>;
  published: number;
  quorumPublished: boolean;
}

interface WitnessState {
  readonly index: number;
  readonly client: WitnessClient;
  /** The tree size this witness last cosigned for the log, when known. */
  size: number | null;
  running: boolean;
  failures: number;
  retryAt: number;
  lastError: string | null;
  lastLatencyMs: number | null;
  /** Clock time (ms) of this witness's last cosignature, for "last success" in metrics and status. */
  lastSuccessAt: number | null;
}

export interface WitnessSubmissionStatus {
  readonly name: string;
  readonly url: string;
  readonly cosignedSize: number | null;
  readonly lastError: string | null;
  readonly lastLatencyMs: number | null;
  /** When this witness last gave a cosignature (RFC 3339), or null if none since start. */
  readonly lastSuccessAt: string | null;
}

export class WitnessSubmitter {
  private round: Round | null = null;
  private readonly witnesses: WitnessState[];
  private stopped = true;
  private publishing: Promise<void> = Promise.resolve();
  private readonly sleepers = new Set<() => void>();
  private readonly clock: () => number;
  /** Milliseconds from a checkpoint's first sight to its quorum note being durable, newest last (bounded). */
  readonly quorumLatenciesMs: number[] = [];
  /** Likewise, to the note carrying every witness's cosignature (rounds where all of them cosigned). */
  readonly allCosignedLatenciesMs: number[] = [];

  constructor(private readonly options: WitnessSubmitterOptions) {
    this.clock = options.clock ?? Date.now;
    const transport = { timeoutMs: options.timeoutMs, fetch: options.fetch };
    this.witnesses = options.policy.witnesses.flatMap((witness, index) =>
      witness.url === null
        ? []
        : [
            {
              index,
              client: new WitnessClient(witness, witness.url, transport),
              size: null,
              running: false,
              failures: 0,
              retryAt: 0,
              lastError: null,
              lastLatencyMs: null,
              lastSuccessAt: null,
            },
          ],
    );
  }

  private refreshTimer: NodeJS.Timeout | null = null;

  start(): void {
    this.stopped = false;
    this.checkpointServed();
    const interval = this.options.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
    if (interval > 0) {
      this.refreshTimer = setInterval(() => this.refresh(interval), Math.max(1000, interval / 4));
      this.refreshTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    for (const wake of this.sleepers) wake();
    await this.publishing;
  }

  /** Call whenever the log serves a new checkpoint (and once at start). */
  checkpointServed(): void {
    if (this.stopped) return;
    const latest = this.options.log.latestCheckpoint();
    if (latest === null || (this.round !== null && latest.treeSize <= this.round.checkpoint.treeSize)) return;
    this.begin(latest, false);
  }

  /** Submits the latest checkpoint again once its round is older than the interval and nothing newer came. */
  private refresh(intervalMs: number): void {
    const round = this.round;
    if (this.stopped || round === null || this.clock() - round.startedAt < intervalMs) return;
    const latest = this.options.log.latestCheckpoint();
    if (latest === null || latest.treeSize !== round.checkpoint.treeSize) return;
    this.begin(latest, true);
  }

  private begin(latest: SealedCheckpoint, refresh: boolean): void {
    const text = parseNote(latest.note).text;
    const round: Round = {
      checkpoint: latest,
      refresh,
      text,
      startedAt: this.clock(),
      cosignatures: new Map(),
      settled: new Set(),
      published: 0,
      quorumPublished: false,
    };
    this.round = round;
    for (const w of this.witnesses) {
      // A witness known to be past this size has already vouched for it; nothing to ask. One that is
      // failing counts as answered, so the others' cosignatures are published without waiting out its backoff.
      if ((w.size !== null && w.size > latest.treeSize) || w.failures > 0) round.settled.add(w.index);
      // A backoff belongs to the old round's failures; a new checkpoint is worth one prompt try.
      w.retryAt = Math.min(w.retryAt, this.clock() + BACKOFF_FIRST_MS);
      this.kick(w);
    }
  }

  status(): WitnessSubmissionStatus[] {
    return this.witnesses.map((w) => ({
      name: w.client.witness.name,
      url: w.client.url,
      cosignedSize: w.size,
      lastError: w.lastError,
      lastLatencyMs: w.lastLatencyMs,
      lastSuccessAt: w.lastSuccessAt === null ? null : new Date(w.lastSuccessAt).toISOString(),
    }));
  }

  private kick(w: WitnessState): void {
    if (w.running || this.stopped) return;
    w.running = true;
    void this.work(w).finally(() => {
      w.running = false;
      const round = this.round;
      if (round !== null && !this.stopped && !round.cosignatures.has(w.index) && !this.isAhead(w, round)) {
        this.kick(w);
      }
    });
  }

  private isAhead(w: WitnessState, round: Round): boolean {
    return w.size !== null && w.size > round.checkpoint.treeSize;
  }

  private async work(w: WitnessState): Promise<void> {
    for (;;) {
      const round = this.round;
      if (this.stopped || round === null || round.cosignatures.has(w.index) || this.isAhead(w, round)) return;
      const wait = w.retryAt - this.clock();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      try {
        await this.submit(w, round);
        w.failures = 0;
        w.lastError = null;
      } catch (error) {
        w.failures++;
        w.lastError = describe(error);
        w.retryAt = this.clock() + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (w.failures - 1));
        if (w.failures === 1) this.options.onError?.(`witness ${w.client.witness.name}: ${w.lastError}`);
      }
      round.settled.add(w.index);
      this.maybePublish(round);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** One add-checkpoint exchange (plus retries on 409, which tell the witness's size). Throws on failure. */
  private async submit(w: WitnessState, round: Round): Promise<void> {
    const { treeSize } = round.checkpoint;
    for (let conflicts = 0; conflicts < MAX_CONFLICTS_PER_ATTEMPT; conflicts++) {
      // Never told: start from 0, and the witness's 409 says where it stands.
      const old = w.size ?? 0;
      if (old > treeSize) return;
      const proof = old === 0 || old === treeSize ? [] : this.options.log.consistencyProof(old, treeSize);
      const started = this.clock();
      const reply = await w.client.addCheckpoint(old, proof, round.checkpoint.note, round.text);
      if ('cosignature' in reply) {
        const latencyMs = this.clock() - started;
        w.lastLatencyMs = latencyMs;
        w.lastSuccessAt = this.clock();
        this.options.latency?.observe(latencyMs / 1000, { witness: w.client.witness.name });
        w.size = treeSize;
        round.cosignatures.set(w.index, reply.cosignature);
        return;
      }
      // The same size back: the witness holds another root for it. Nothing a retry could fix.
      if (reply.heldSize === old)
        throw new Error(
          `409 at its own size ${reply.heldSize}: it holds a different checkpoint (split view?)`,
        );
      w.size = reply.heldSize;
    }
    throw new Error(`${MAX_CONFLICTS_PER_ATTEMPT} conflicts in a row`);
  }

  private maybePublish(round: Round): void {
    if (round !== this.round || this.stopped) return;
    const count = round.cosignatures.size;
    if (count === 0 || count <= round.published) return;
    const names = new Set([...round.cosignatures.keys()].map((i) => this.options.policy.witnesses[i]!.name));
    const quorum = isQuorumMet(this.options.policy, names);
    const everyoneAnswered = this.witnesses.every((w) => round.settled.has(w.index));
    const firstQuorum = quorum && !round.quorumPublished;
    // Early for the quorum (wait=final answers then), and once more with whatever the others added.
    if (!firstQuorum && !everyoneAnswered) return;
    round.published = count;
    if (firstQuorum) round.quorumPublished = true;
    const cosignatures = [...round.cosignatures.values()];
    this.publishing = this.publishing.then(async () => {
      const { checkpoint } = round;
      // A refresh publishes the fresh cosignatures alone: merged with the old ones, the old would win.
      const base = round.refresh
        ? checkpoint.note
        : (this.options.cosignedNote(checkpoint.treeSize) ?? checkpoint.note);
      const data: CheckpointCosignedData = {
        origin: round.text.slice(0, round.text.indexOf('\n')),
        treeSize: checkpoint.treeSize,
        rootHash: encodeBase64(checkpoint.rootHash),
        note: withCosignatures(base, cosignatures, this.options.policy),
      };
      try {
        await this.options.publish(checkpointCosignedEvent(data));
        if (firstQuorum) this.recordQuorumLatency(round);
        if (cosignatures.length === this.witnesses.length)
          record(this.allCosignedLatenciesMs, this.clock() - round.startedAt);
      } catch (error) {
        // Not fatal: the next answer publishes again, with everything collected so far.
        round.published = 0;
        if (firstQuorum) round.quorumPublished = false;
        this.options.onError?.(
          `publishing cosignatures of ${checkpoint.treeSize}: ${(error as Error).message}`,
        );
      }
    });
  }

  private recordQuorumLatency(round: Round): void {
    const ms = this.clock() - round.startedAt;
    this.options.quorumLatency?.observe(ms / 1000);
    record(this.quorumLatenciesMs, ms);
  }
}

/** An error in one line; fetch's network failures carry the reason (ECONNREFUSED, a timeout) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const reason =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
  return reason === null ? error.message : `${error.message} (${reason})`;
}

/** Keeps the newest latencies, bounded: a long-running node must not grow this without end. */
function record(latencies: number[], ms: number): void {
  latencies.push(ms);
  if (latencies.length > 10_000) latencies.splice(0, 5_000);
}
