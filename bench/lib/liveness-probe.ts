import { formatNumber, nowMs, percentile } from './stats.js';
import type { BenchRow } from './types.js';

/** Probe interval: a liveness check every 25 ms, one at a time. */
export const LIVENESS_INTERVAL_MS = 25;

/**
 * Asks the node's /health/live one request at a time, 25 ms apart, until stopped: how long the node's event loop
 * kept a health check waiting while it took a large batch (a load balancer's probe times out after a few seconds).
 */
export function probeLiveness(url: string): { stop(): Promise<number[]> } {
  let running = true;
  const latencies: number[] = [];
  const loop = (async () => {
    while (running) {
      const started = nowMs();
      try {
        const response = await fetch(`${url}/health/live`);
        await response.arrayBuffer();
      } catch {
        // A refused or reset probe still took this long; the latency is what counts.
      }
      latencies.push(nowMs() - started);
      await new Promise((resolve) => setTimeout(resolve, LIVENESS_INTERVAL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

/** The row of a probe's latencies: p99 as the figure, p50, max and the number of probes beside it. */
export function livenessRow(id: string, during: string, live: readonly number[]): BenchRow {
  const max = Math.max(...live);
  return {
    id,
    metric: `/health/live ${during}, p99 (one probe at a time, ${LIVENESS_INTERVAL_MS} ms apart)`,
    value: percentile(live, 99),
    unit: 'ms',
    note: `p50 ${formatNumber(percentile(live, 50))} ms, max ${formatNumber(max)} ms, ${live.length} probes`,
    extra: { p50Ms: percentile(live, 50), maxMs: max, probes: live.length },
  };
}
