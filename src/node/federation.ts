/**
 * The federation side of a node, composed in one place so the node's
 * composition root only plugs it in: the cosigned view of the log and
 * finality (every node), the witness submitter (a primary with witnesses),
 * the replicator and the witness (a mirror-witness), alerts and /metrics.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FederationRouteDeps, FederationStatus } from '../api/routes/federation-routes.js';
import { MirrorReplicator, type MirrorStatus } from '../application/federation/mirror-replicator.js';
import { replicaGate } from '../application/federation/replica-gate.js';
import type { PlanContext } from '../application/pipeline/command-plan.js';
import { ProblemError } from '../application/problems/problem.js';
import { EntryReplayer, type ReplayJudge } from '../application/replay/entry-replay.js';
import type { SignedPayloadTexts } from '../domain/canonical/signed-payload-texts.js';
import {
  describeQuorum,
  isQuorumMet,
  parseTrustPolicy,
  policyDigest,
  policyForWitnesses,
  type SignedPolicy,
  type TrustPolicy,
  witnessingOf,
} from '../domain/federation/index.js';
import type { NoteSigner } from '../domain/log/index.js';
import { verifyEd25519 } from '../infrastructure/crypto/ed25519-verifier.js';
import type { EventStore } from '../infrastructure/eventstore/port.js';
import { COSIGNATURE_STREAM } from '../infrastructure/federation/cosignature-event.js';
import { CosignedLog } from '../infrastructure/federation/cosigned-log.js';
import { FederationAlerts } from '../infrastructure/federation/federation-alerts.js';
import type { FederationConfig } from '../infrastructure/federation/federation-config.js';
import {
  type FederationDatabase,
  openFederationDatabase,
} from '../infrastructure/federation/federation-database.js';
import { MirrorProbe, type MirrorSighting } from '../infrastructure/federation/mirror-probe.js';
import { PolicyNotes } from '../infrastructure/federation/policy-notes.js';
import { loadWitnessIdentity, Witness } from '../infrastructure/federation/witness.js';
import {
  type WitnessSubmissionStatus,
  WitnessSubmitter,
} from '../infrastructure/federation/witness-submitter.js';
import { type Histogram, MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import type { CertificationReadModel } from '../infrastructure/projections/certification-read-model.js';
import type { CommandIndex } from '../infrastructure/projections/command-index.js';
import type { IdentityRegistry } from '../infrastructure/projections/identity-registry.js';
import type { Projector } from '../infrastructure/projections/projector.js';
import type { Sequencer } from '../infrastructure/sequencer/sequencer.js';
import { registerFederationMetrics } from './metrics-federation.js';

export interface FederationContext {
  readonly config: FederationConfig;
  readonly dataDir: string;
  /** The log's verifier key: this node's own (primary) or the trusted one (mirror). */
  readonly logVerifierKey: string;
  readonly sequencer: Sequencer;
  readonly store: EventStore;
  readonly clock: () => number;
  readonly notice?: (line: string) => void;
  /** The node's metrics registry; federation adds its series to it. */
  readonly metrics?: MetricsRegistry;
  /** A primary's log key, which signs its trust policy as a note (mirrors have none: they serve the log's). */
  readonly logSigner?: NoteSigner;
}

export interface QuorumHealth {
  /** The policy's quorum, in words. */
  readonly required: string;
  /** The witnesses without a failure on their last attempt still meet it. */
  readonly met: boolean;
  readonly up: readonly string[];
  readonly down: readonly { readonly name: string; readonly error: string }[];
}

export interface FederationBindings {
  readonly projector: Projector;
  readonly registry: IdentityRegistry;
  readonly commands: CommandIndex;
  readonly certifications: CertificationReadModel;
  readonly directory: PlanContext['directory'];
  /** The ordered state machine: a mirror judges each write in log order before it replays it. */
  readonly logState: ReplayJudge;
  readonly maxSkewMs: number;
  /** Where a verified payload's RFC 8785 text waits for its log leaf (the sequencer's). */
  readonly payloadTexts?: SignedPayloadTexts;
  /** A mirror applied the log's genesis: the node can now settle who the authority is. */
  readonly onGenesis: () => Promise<void>;
}

/** A policy file must name this log: otherwise its quorum says nothing about this log's checkpoints. */
function readPolicy(file: string, logKey: string): TrustPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the policy ${file}: ${(error as Error).message}`);
  }
  const policy = parseTrustPolicy(text);
  if (!policy.logs.some((log) => log.vkey === logKey))
    throw new Error(`the policy ${file} does not list this log's key ${logKey}`);
  return policy;
}

/** The policy a node follows: the file, the --witness list (majority quorum), or the log alone (quorum none). */
export function resolvePolicy(config: FederationConfig, logKey: string): TrustPolicy | null {
  if (config.policyFile !== null) return readPolicy(config.policyFile, logKey);
  if (config.role === 'mirror') return null;
  const n = config.witnesses.length;
  return policyForWitnesses(logKey, config.witnesses, config.witnessQuorum ?? Math.floor(n / 2) + 1);
}

/** Routes that write on a primary; on a mirror they would fork its replica, so it refuses them. */
const MIRROR_WRITES = /^\/v1\/directory\/entries\/[^/]+\/versions\/[^/]+\/data$/;

export class Federation {
  readonly log: CosignedLog;
  readonly alerts: FederationAlerts;
  readonly witness: Witness | null;
  readonly metrics: MetricsRegistry;
  private readonly latency: Histogram;
  private readonly quorumLatency: Histogram;
  private readonly db: FederationDatabase;
  private readonly policyNotes: PolicyNotes;
  /** A primary's log-signed policy note; a mirror's comes from its replicator. */
  private readonly publishedNote: string | null;
  /** The signed policy a following mirror resumes with after a restart. */
  private readonly followed: SignedPolicy | null;
  private submitter: WitnessSubmitter | null = null;
  private replicator: MirrorReplicator | null = null;
  private probe: MirrorProbe | null = null;
  private started = false;

  constructor(private readonly context: FederationContext) {
    const { config, dataDir, sequencer, clock, logVerifierKey } = context;
    this.metrics = context.metrics ?? new MetricsRegistry();
    this.db = openFederationDatabase(join(dataDir, 'federation.db'));
    this.alerts = new FederationAlerts(this.db, clock);
    this.alerts.onAlert((alert) =>
      context.notice?.(`federation ALERT ${alert.source} ${alert.kind}: ${alert.detail}`),
    );
    this.policyNotes = new PolicyNotes(this.db, clock);
    const configured = resolvePolicy(config, logVerifierKey);
    const { logSigner } = context;
    this.publishedNote =
      config.role === 'primary' && configured !== null && logSigner !== undefined
        ? this.policyNotes.publish(sequencer.origin, configured.text, logSigner)
        : null;
    // A mirror that follows upstream's policy resumes with the version it followed last, never an older one.
    this.followed =
      config.role === 'mirror' && configured === null ? this.policyNotes.followed(logVerifierKey) : null;
    this.log = new CosignedLog(sequencer, configured ?? this.followed?.policy ?? null);
    this.witness =
      config.role === 'mirror'
        ? new Witness({
            db: this.db,
            alerts: this.alerts,
            identity: loadWitnessIdentity(join(dataDir, 'witness.key'), config.witnessName ?? undefined),
            logKeys: [logVerifierKey],
            clock,
            // A mirror-witness cosigns only what its own replica replayed and recomputed (tree and state).
            replica: replicaGate({
              sequencer,
              alerts: this.alerts,
              replication: {
                halted: () => this.replicator?.status().halted ?? null,
                pollNow: () => this.replicator?.pollNow(),
              },
            }),
          })
        : null;
    const histograms = registerFederationMetrics(this.metrics, this);
    this.latency = histograms.cosignLatency;
    this.quorumLatency = histograms.quorumLatency;
  }

  get role(): FederationConfig['role'] {
    return this.context.config.role;
  }

  get policy(): TrustPolicy | null {
    return this.log.policy;
  }

  /** Wires the parts that need the projector and the read models; call once they exist. */
  bind(bindings: FederationBindings): void {
    const { config, sequencer, store, logVerifierKey, notice } = this.context;
    const policy = this.log.policy;
    if (config.role === 'primary' && policy !== null && policy.witnesses.some((w) => w.url !== null)) {
      this.submitter = new WitnessSubmitter({
        policy,
        log: sequencer,
        cosignedNote: (size) => this.log.cosignedNote(size),
        publish: async (event) => {
          await store.append(COSIGNATURE_STREAM, [event], 'any');
        },
        // Backoffs, refreshes and latencies run on real time, whatever clock the node signs times with.
        timeoutMs: config.witnessTimeoutMs,
        latency: this.latency,
        quorumLatency: this.quorumLatency,
        ...(notice === undefined ? {} : { onError: (line: string) => notice(line) }),
      });
      sequencer.onCheckpointServed(() => this.submitter?.checkpointServed());
      // A Chancery mirror-witness serves add-checkpoint at its base URL, so that URL also answers /v1/operations.
      this.probe = new MirrorProbe({
        mirrors: policy.witnesses.flatMap((w) =>
          w.url === null ? [] : [{ name: w.name, url: w.url.replace(/\/+$/, '') }],
        ),
        intervalMs: config.mirrorProbeMs,
        timeoutMs: config.witnessTimeoutMs,
      });
    }
    if (config.role === 'mirror') {
      this.replicator = new MirrorReplicator({
        upstreams: config.upstreams,
        logKey: logVerifierKey,
        sequencer,
        cosigned: this.log,
        store,
        projector: bindings.projector,
        replayer: new EntryReplayer({
          store,
          projector: bindings.projector,
          registry: bindings.registry,
          commands: bindings.commands,
          certifications: bindings.certifications,
          directory: bindings.directory,
          logState: bindings.logState,
          maxSkewMs: bindings.maxSkewMs,
          trees: bindings.certifications,
          ...(bindings.payloadTexts === undefined ? {} : { payloadTexts: bindings.payloadTexts }),
        }),
        alerts: this.alerts,
        policy: config.policyFile === null ? null : policy,
        followed: this.followed,
        onPolicy: (signed) => this.policyNotes.record(signed.sequence, signed.policy.text, signed.note),
        pollIntervalMs: config.mirrorPollMs,
        sync: config.mirrorSync,
        onGenesis: bindings.onGenesis,
        ...(notice === undefined ? {} : { notice }),
      });
    }
  }

  /** Starts submitting or replicating; the node has caught up with its own store. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.submitter?.start();
    this.replicator?.start();
    this.probe?.start();
  }

  async stop(): Promise<void> {
    this.probe?.stop();
    await this.submitter?.stop();
    await this.replicator?.stop();
    this.log.close();
  }

  close(): void {
    this.db.close();
  }

  /** Milliseconds from each checkpoint's first sight to its quorum note being durable (primary). */
  quorumLatenciesMs(): readonly number[] {
    return this.submitter?.quorumLatenciesMs ?? [];
  }

  /** Milliseconds from each checkpoint's first sight to the note carrying every witness's cosignature. */
  allCosignedLatenciesMs(): readonly number[] {
    return this.submitter?.allCosignedLatenciesMs ?? [];
  }

  /** Refuses what a mirror must not do: any write would fork its replica from the log. */
  gate(method: string, path: string): ProblemError | null {
    if (this.context.config.role !== 'mirror') return null;
    const writes = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    if ((writes && path !== '/add-checkpoint') || (method === 'GET' && MIRROR_WRITES.test(path))) {
      return new ProblemError(
        'MIRROR_READ_ONLY',
        `this node is a mirror of ${this.context.sequencer.origin}: send writes to the log's nodes`,
        { upstreams: [...this.context.config.upstreams] },
      );
    }
    return null;
  }

  /** What each witness said last (primary with witnesses); empty elsewhere. */
  submissions(): readonly WitnessSubmissionStatus[] {
    return this.submitter?.status() ?? [];
  }

  /** How far each mirror-witness of the policy says its replica got (primary); empty elsewhere. */
  mirrorSightings(): readonly MirrorSighting[] {
    return this.probe?.status() ?? [];
  }

  /** This mirror's replication, or null when the node is no mirror. */
  mirrorStatus(): MirrorStatus | null {
    return this.replicator?.status() ?? null;
  }

  /**
   * Whether the witnesses that answered last time could still make a checkpoint final: null when
   * nothing is asked of witnesses (no policy, or a policy without witness URLs).
   */
  quorumHealth(): QuorumHealth | null {
    const policy = this.log.policy;
    const submissions = this.submissions();
    if (policy === null || this.submitter === null) return null;
    const up = submissions.filter((s) => s.lastError === null).map((s) => s.name);
    return {
      required: describeQuorum(policy),
      met: isQuorumMet(policy, new Set(up)),
      up,
      down: submissions
        .filter((s) => s.lastError !== null)
        .map((s) => ({ name: s.name, error: s.lastError! })),
    };
  }

  /** Finality of the latest checkpoint, for /v1/status. */
  finality(): { checkpointTreeSize: number; finalTreeSize: number; final: boolean } {
    const checkpointTreeSize = this.log.latestCheckpoint()?.treeSize ?? 0;
    const finalTreeSize = this.log.finalTreeSize();
    return {
      checkpointTreeSize,
      finalTreeSize,
      final: checkpointTreeSize > 0 && finalTreeSize >= checkpointTreeSize,
    };
  }

  status(): FederationStatus {
    const policy = this.log.policy;
    const latest = this.log.latestCheckpoint();
    let cosigners: FederationStatus['checkpoint'] = null;
    if (latest !== null) {
      let witnessing: ReturnType<typeof witnessingOf> | null = null;
      try {
        witnessing =
          policy === null ? null : witnessingOf(latest.note, policy, verifyEd25519, [this.log.verifierKey]);
      } catch {
        witnessing = null;
      }
      cosigners = {
        treeSize: latest.treeSize,
        final: this.finality().final,
        cosigners: (witnessing?.cosigners ?? []).map((c) => ({
          name: c.name,
          cosigned: c.cosigned,
          timestamp: c.timestamp,
        })),
      };
    }
    return {
      role: this.role,
      origin: this.context.sequencer.origin,
      logVerifierKey: this.log.verifierKey,
      policy:
        policy === null
          ? null
          : {
              digest: policyDigest(policy.text),
              quorum: describeQuorum(policy),
              witnesses: policy.witnesses.map((w) => ({ name: w.name, vkey: w.vkey, url: w.url })),
            },
      checkpoint: cosigners,
      finalTreeSize: this.log.finalTreeSize(),
      witness:
        this.witness === null
          ? null
          : {
              name: this.witness.identity.name,
              vkey: this.witness.identity.vkey,
              logs: this.witness.states(),
            },
      mirror: this.replicator?.status() ?? null,
      submissions: this.submitter?.status() ?? null,
      alerts: this.alerts.total(),
    };
  }

  routeDeps(): FederationRouteDeps {
    return {
      witness: this.witness,
      alerts: this.alerts,
      policyText: () => this.log.policy?.text ?? null,
      policyNote: () =>
        this.publishedNote ?? this.replicator?.signedPolicy?.note ?? this.followed?.note ?? null,
      status: () => this.status(),
      metrics: () => this.metrics.render(),
      finalCheckpoint: () => {
        const size = this.log.finalTreeSize();
        return size === 0 ? null : this.log.checkpointAt(size);
      },
      policyDigest: () => {
        const text = this.log.policy?.text;
        return text === undefined ? null : policyDigest(text);
      },
    };
  }
}
