/**
 * The node's own series on /metrics, beside federation's (metrics-federation.ts), the store's
 * (metrics-store.ts), writes (metrics-commands.ts) and HTTP (api/metrics-http.ts): certifications,
 * sealing, the event feed and the store's reachability, and the process defaults (event-loop lag).
 */

import type { EventStore } from '../infrastructure/eventstore/port.js';
import { MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import type { CertificationReadModel } from '../infrastructure/projections/certification-read-model.js';
import type { Projector } from '../infrastructure/projections/projector.js';
import type { Sequencer } from '../infrastructure/sequencer/sequencer.js';
import type { SealWatch } from './seal-watch.js';
import { storeError } from './store-probe.js';

/** One registry per node: several nodes in one process must not share series. */
export function createNodeMetrics(): MetricsRegistry {
  const metrics = new MetricsRegistry();
  metrics.collectProcessMetrics();
  return metrics;
}

export interface NodeMetricSources {
  readonly store: EventStore;
  readonly projector: Projector;
  readonly sequencer: Sequencer;
  readonly certifications: CertificationReadModel;
  readonly seal: SealWatch;
}

export function registerNodeMetrics(metrics: MetricsRegistry, sources: NodeMetricSources): void {
  const { store, projector, sequencer, certifications, seal } = sources;
  metrics.counter(
    'chancery_certifications_total',
    'Certification records in this node’s read model (rate() gives certifications per second).',
    () => certifications.count(),
  );
  metrics.gauge(
    'chancery_checkpoint_age_seconds',
    'Seconds since this node last served a new checkpoint (since start for one it found on disk).',
    () => seal.checkpointAgeSeconds(),
  );
  metrics.gauge('chancery_log_unsealed_leaves', 'Leaves sequenced but not yet under a checkpoint.', () =>
    Math.max(0, sequencer.sequencedSize() - (sequencer.latestCheckpoint()?.treeSize ?? 0)),
  );
  metrics.gauge(
    'chancery_event_feed_up',
    '1 while the read models follow the store’s event feed, 0 while it is lost or stopped.',
    () => (projector.disconnected === null && projector.error === null ? 1 : 0),
  );
  metrics.gaugeAsync('chancery_store_up', '1 when the event store answered a read just now.', async () =>
    (await storeError(store)) === null ? 1 : 0,
  );
}
