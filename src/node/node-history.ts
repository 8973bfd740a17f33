/**
 * The server-side history behind the console's node detail view: every
 * interval the node samples its own operator view (/v1/operations) and keeps,
 * per node it knows (itself, each witness and mirror of its trust policy), up
 * or down, log size, lag, cosigned lag, last cosignature time and cosign
 * latency, in a fixed-size ring.
 *
 * Size: HISTORY_CAPACITY samples per node, by default one a minute, is the
 * last 24 hours: a whole day and night, so an operator opening the console in
 * the morning sees the night's outage, at the resolution of the witnesses'
 * one-minute refresh. That is ~80 KB per node (seven float64 columns), at
 * most MAX_NODES nodes (~5 MB), whatever the uptime. Longer trends are
 * Prometheus's job (/metrics).
 */

import type { NodeHistorySeries, NodeHistoryView } from '../protocol/node-history.js';
import type { OperationsStatus } from '../protocol/operations-status.js';
import { HistoryRing, type HistorySample } from './history-ring.js';

export const HISTORY_CAPACITY = 1440;
export const DEFAULT_HISTORY_INTERVAL_MS = 60_000;
/** Nodes come from the trust policy, so they are few; a bound all the same, so memory stays bounded. */
export const MAX_NODES = 64;

const EMPTY: HistorySample = {
  up: null,
  logSize: null,
  lag: null,
  cosignedLag: null,
  lastCosignatureAt: null,
  cosignLatencyMs: null,
};

type Role = NodeHistorySeries['role'];

/** One sample per node in an operator view. */
export function samplesOf(ops: OperationsStatus): Map<string, { role: Role; sample: HistorySample }> {
  const out = new Map<string, { role: Role; sample: HistorySample }>();
  out.set(ops.origin, {
    role: 'self',
    sample: {
      ...EMPTY,
      up: ops.ready ? 1 : 0,
      logSize: ops.log.sequencedSize,
      lag: ops.mirror?.lagEntries ?? null,
    },
  });
  const mirrors = new Map(ops.mirrors.map((m) => [m.name, m]));
  for (const w of ops.witnesses) {
    const m = mirrors.get(w.name);
    out.set(w.name, {
      role: m === undefined ? 'witness' : 'mirror-witness',
      sample: {
        up: w.up ? 1 : 0,
        logSize: m?.replicatedSize ?? w.cosignedSize,
        lag: m?.lagEntries ?? null,
        cosignedLag: w.cosignedSize === null ? null : Math.max(0, ops.log.sequencedSize - w.cosignedSize),
        lastCosignatureAt: w.lastSuccessAt === null ? null : Date.parse(w.lastSuccessAt) / 1000,
        cosignLatencyMs: w.lastLatencyMs,
      },
    });
  }
  for (const m of ops.mirrors)
    if (!out.has(m.name))
      out.set(m.name, {
        role: 'mirror-witness',
        sample: { ...EMPTY, up: m.up ? 1 : 0, logSize: m.replicatedSize, lag: m.lagEntries },
      });
  return out;
}

export class NodeHistory {
  private readonly rings = new Map<string, { role: Role; ring: HistoryRing }>();

  constructor(
    readonly intervalMs: number,
    readonly capacity = HISTORY_CAPACITY,
  ) {}

  record(ops: OperationsStatus, atMs: number): void {
    for (const [name, { role, sample }] of samplesOf(ops)) {
      let entry = this.rings.get(name);
      if (entry === undefined) {
        if (this.rings.size >= MAX_NODES) continue;
        entry = { role, ring: new HistoryRing(this.capacity) };
        this.rings.set(name, entry);
      }
      entry.role = role;
      entry.ring.push(atMs / 1000, sample);
    }
  }

  view(): NodeHistoryView {
    return {
      intervalSeconds: this.intervalMs / 1000,
      capacity: this.capacity,
      nodes: [...this.rings].map(([name, { role, ring }]) => ({
        name,
        role,
        samples: ring.columnsOldestFirst(),
      })),
    };
  }
}

/** Samples `operations` at once and then every interval, until stopped. */
export function startHistorySampling(
  history: NodeHistory,
  operations: () => Promise<OperationsStatus>,
): { stop(): void } {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      history.record(await operations(), Date.now());
    } catch {
      // A failed sample is a gap; the node's own alerts say why.
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), history.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
