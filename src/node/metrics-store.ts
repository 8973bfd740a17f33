/**
 * Store series: append latency as callers see it (queue wait and durable
 * commit), for every adapter, and group-commit batch sizes where the adapter
 * batches (the sqlite and PostgreSQL adapters' observeCommits).
 */

import type { EventStore } from '../infrastructure/eventstore/port.js';
import { BATCH_SIZE_BUCKETS, type MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';

interface CommitObservable {
  observeCommits(listener: (batchSize: number, durationMs: number) => void): void;
}

function observesCommits(store: unknown): store is CommitObservable {
  return typeof (store as Partial<CommitObservable>).observeCommits === 'function';
}

/**
 * The store, with append timed. A Proxy rather than a wrapper class: every other member of the port
 * (and an adapter's extras, such as stats()) reaches the adapter unchanged, bound to it.
 */
export function meteredStore(store: EventStore, metrics: MetricsRegistry): EventStore {
  const appendLatency = metrics.histogram(
    'chancery_store_append_duration_seconds',
    'Time an append took as its caller saw it (queue wait and durable commit), by outcome.',
    { labelNames: ['outcome'] },
  );
  if (observesCommits(store)) {
    const batchSize = metrics.histogram(
      'chancery_store_group_commit_size',
      'Appends committed together in one transaction (one fsync or one PostgreSQL COMMIT).',
      { buckets: BATCH_SIZE_BUCKETS },
    );
    store.observeCommits((size) => batchSize.observe(size));
  }
  const append: EventStore['append'] = async (stream, events, expected) => {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await store.append(stream, events, expected);
      outcome = 'ok';
      return result;
    } finally {
      appendLatency.observe((performance.now() - started) / 1000, { outcome });
    }
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
