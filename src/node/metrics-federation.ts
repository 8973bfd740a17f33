/**
 * Federation series on /metrics: checkpoint and finality, witnesses as seen by
 * a primary (up, last success, cosign latency, quorum), a witness's own
 * answers, mirror replication and lag, and alerts. Names predating prom-client
 * are kept: docs/federation.md and the tests refer to them.
 */

import type { MirrorStatus } from '../application/federation/mirror-replicator.js';
import type { CosignedLog } from '../infrastructure/federation/cosigned-log.js';
import type { FederationAlerts } from '../infrastructure/federation/federation-alerts.js';
import type { MirrorSighting } from '../infrastructure/federation/mirror-probe.js';
import type { Witness } from '../infrastructure/federation/witness.js';
import type { WitnessSubmissionStatus } from '../infrastructure/federation/witness-submitter.js';
import type { Histogram, MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import { mirrorLags } from './mirror-lags.js';

/** The parts of Federation these series read; read at scrape time, so they may be wired later. */
export interface FederationView {
  readonly log: CosignedLog;
  readonly alerts: FederationAlerts;
  readonly witness: Witness | null;
  submissions(): readonly WitnessSubmissionStatus[];
  mirrorStatus(): MirrorStatus | null;
  /** Primary: each mirror-witness's replicated size, as it last said. */
  mirrorSightings(): readonly MirrorSighting[];
  quorumHealth(): { readonly met: boolean } | null;
}

export interface FederationHistograms {
  readonly cosignLatency: Histogram;
  readonly quorumLatency: Histogram;
}

export function registerFederationMetrics(
  metrics: MetricsRegistry,
  view: FederationView,
): FederationHistograms {
  registerCheckpointMetrics(metrics, view);
  registerSubmissionMetrics(metrics, view);
  registerWitnessMetrics(metrics, view);
  registerMirrorMetrics(metrics, view);
  return {
    cosignLatency: metrics.histogram(
      'chancery_witness_cosign_latency_seconds',
      'Time from sending add-checkpoint to a verified cosignature, per witness (primary).',
      { labelNames: ['witness'] },
    ),
    quorumLatency: metrics.histogram(
      'chancery_checkpoint_quorum_latency_seconds',
      'Time from a checkpoint being served to its quorum-cosigned note being published (primary).',
    ),
  };
}

function registerCheckpointMetrics(metrics: MetricsRegistry, { log }: FederationView): void {
  metrics.gauge(
    'chancery_checkpoint_size',
    'Tree size of the latest checkpoint this node serves.',
    () => log.latestCheckpoint()?.treeSize ?? 0,
  );
  metrics.gauge(
    'chancery_checkpoint_final',
    '1 when the latest checkpoint is cosigned by the witness quorum, else 0.',
    () => {
      const latest = log.latestCheckpoint()?.treeSize ?? 0;
      return latest > 0 && log.finalTreeSize() >= latest ? 1 : 0;
    },
  );
  metrics.gauge('chancery_final_tree_size', 'Tree size of the largest checkpoint the quorum cosigned.', () =>
    log.finalTreeSize(),
  );
  metrics.gauge('chancery_log_sequenced_size', 'Leaves in this node’s copy of the log (log size).', () =>
    log.sequencedSize(),
  );
}

function registerSubmissionMetrics(metrics: MetricsRegistry, view: FederationView): void {
  const perWitness = (value: (w: WitnessSubmissionStatus) => number | null) => () =>
    view.submissions().flatMap((w) => {
      const v = value(w);
      return v === null ? [] : [{ labels: { witness: w.name }, value: v }];
    });
  metrics.gauge(
    'chancery_witness_submission_size',
    'Tree size each witness last cosigned (primary).',
    perWitness((w) => w.cosignedSize ?? 0),
    ['witness'],
  );
  metrics.gauge(
    'chancery_witness_up',
    '1 unless the last add-checkpoint to this witness failed (primary).',
    perWitness((w) => (w.lastError === null ? 1 : 0)),
    ['witness'],
  );
  metrics.gauge(
    'chancery_witness_last_success_timestamp_seconds',
    'Unix time of the last cosignature this witness gave (primary); absent until it gave one.',
    perWitness((w) => (w.lastSuccessAt === null ? null : Date.parse(w.lastSuccessAt) / 1000)),
    ['witness'],
  );
  metrics.gauge(
    'chancery_witness_quorum_up',
    '1 when the witnesses that answered last could make a checkpoint final (primary); absent without witnesses.',
    () => {
      const health = view.quorumHealth();
      return health === null ? [] : [{ value: health.met ? 1 : 0 }];
    },
  );
}

function registerWitnessMetrics(metrics: MetricsRegistry, { alerts, witness }: FederationView): void {
  metrics.counter(
    'chancery_witness_alerts_total',
    'Split views and inconsistencies detected (witness) or refused replication (mirror), with evidence.',
    () => alerts.countsByKind().map((c) => ({ labels: { source: c.source, kind: c.kind }, value: c.count })),
    ['source', 'kind'],
  );
  metrics.gauge(
    'chancery_witness_cosigned_size',
    'Tree size this witness last cosigned, per log.',
    () => (witness?.states() ?? []).map((s) => ({ labels: { origin: s.origin }, value: s.treeSize })),
    ['origin'],
  );
  metrics.counter(
    'chancery_witness_requests_total',
    'add-checkpoint answers of this witness, by status.',
    () => {
      if (witness === null) return [];
      const stats = witness.stats();
      return [
        { labels: { status: '200' }, value: stats.cosigned },
        ...Object.entries(stats.refused).map(([status, n]) => ({ labels: { status }, value: n })),
      ];
    },
    ['status'],
  );
}

function registerMirrorMetrics(metrics: MetricsRegistry, view: FederationView): void {
  const mirror = (value: (m: MirrorStatus) => number | null) => () => {
    const status = view.mirrorStatus();
    const v = status === null ? null : value(status);
    return v === null ? [] : [{ value: v }];
  };
  metrics.gauge(
    'chancery_mirror_replicated_size',
    'Leaves this mirror applied.',
    mirror((m) => m.replicatedSize),
  );
  metrics.gauge(
    'chancery_mirror_halted',
    '1 when this mirror stopped replicating on an alert.',
    mirror((m) => (m.halted === null ? 0 : 1)),
  );
  const ownLag = mirror((m) =>
    m.upstreamSize === null ? null : Math.max(0, m.upstreamSize - m.replicatedSize),
  );
  metrics.gauge(
    'chancery_mirror_lag_entries',
    'Entries a mirror has not applied yet: on a mirror (no label), of its upstream’s latest checkpoint; on a primary (label mirror), of the primary’s log, by the size each mirror-witness says it verified.',
    () => [
      ...ownLag(),
      ...mirrorLags(view.mirrorSightings(), view.log.sequencedSize()).flatMap((m) =>
        m.lagEntries === null ? [] : [{ labels: { mirror: m.name }, value: m.lagEntries }],
      ),
    ],
    ['mirror'],
  );
  metrics.gauge(
    'chancery_mirror_last_sync_timestamp_seconds',
    'Unix time this mirror last finished a round with its upstream.',
    mirror((m) => (m.lastSyncAt === null ? null : Date.parse(m.lastSyncAt) / 1000)),
  );
}
