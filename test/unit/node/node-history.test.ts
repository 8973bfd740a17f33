/**
 * The node history ring: a fixed number of samples per node, oldest first,
 * the oldest overwritten once full, unknown values kept as null; and the
 * samples taken from an operator view (itself, each witness, its mirror lag).
 */

import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../../src/node/history-ring.js';
import { MAX_NODES, NodeHistory, samplesOf } from '../../../src/node/node-history.js';
import type { OperationsStatus } from '../../../src/protocol/operations-status.js';

const sample = (n: number) => ({
  up: 1,
  logSize: n,
  lag: null,
  cosignedLag: n % 2,
  lastCosignatureAt: null,
  cosignLatencyMs: 1.5,
});

function ops(witnesses: string[], size = 10): OperationsStatus {
  return {
    origin: 'ops.example/log',
    role: 'primary',
    ready: true,
    notReadyReason: null,
    components: {
      store: { ok: true, detail: null },
      eventFeed: { ok: true, detail: null },
      log: { ok: true, detail: null },
    },
    finality: { state: 'ok', reason: null, quorum: '1', checkpointTreeSize: size, finalTreeSize: size },
    log: { sequencedSize: size, checkpointAgeSeconds: 1, unsealedLeaves: 0, sealLatencyMs: null },
    witnesses: witnesses.map((name, i) => ({
      name,
      url: `http://w${i}`,
      up: i === 0,
      cosignedSize: 7,
      lastSuccessAt: '2026-12-02T10:00:00.000Z',
      lastLatencyMs: 12,
      lastError: i === 0 ? null : 'ECONNREFUSED',
    })),
    mirrors: witnesses.slice(0, 1).map((name) => ({
      name,
      url: 'http://w0',
      up: true,
      replicatedSize: 9,
      lagEntries: 1,
      checkedAt: '2026-12-02T10:00:00.000Z',
      error: null,
    })),
    mirror: null,
    alerts: [],
  };
}

describe('HistoryRing', () => {
  it('keeps at most its capacity, oldest first, overwriting the oldest', () => {
    const ring = new HistoryRing(3);
    for (let t = 1; t <= 5; t++) ring.push(t, sample(t * 10));
    expect(ring.length).toBe(3);
    expect(ring.columnsOldestFirst()).toEqual({
      t: [3, 4, 5],
      up: [1, 1, 1],
      logSize: [30, 40, 50],
      lag: [null, null, null],
      cosignedLag: [0, 0, 0],
      lastCosignatureAt: [null, null, null],
      cosignLatencyMs: [1.5, 1.5, 1.5],
    });
  });

  it('answers what it has before it is full', () => {
    const ring = new HistoryRing(1440);
    ring.push(7, sample(1));
    expect(ring.columnsOldestFirst().t).toEqual([7]);
    expect(() => new HistoryRing(0)).toThrow('capacity 0: expected >= 1');
  });
});

describe('NodeHistory', () => {
  it('samples itself, each witness and the mirror behind it', () => {
    const samples = samplesOf(ops(['witness-a', 'witness-b']));
    expect([...samples.keys()]).toEqual(['ops.example/log', 'witness-a', 'witness-b']);
    expect(samples.get('ops.example/log')).toEqual({
      role: 'self',
      sample: {
        up: 1,
        logSize: 10,
        lag: null,
        cosignedLag: null,
        lastCosignatureAt: null,
        cosignLatencyMs: null,
      },
    });
    expect(samples.get('witness-a')).toEqual({
      role: 'mirror-witness',
      sample: {
        up: 1,
        logSize: 9,
        lag: 1,
        cosignedLag: 3,
        lastCosignatureAt: Date.parse('2026-12-02T10:00:00.000Z') / 1000,
        cosignLatencyMs: 12,
      },
    });
    expect(samples.get('witness-b')).toMatchObject({
      role: 'witness',
      sample: { up: 0, logSize: 7, lag: null },
    });
  });

  it('keeps a bounded ring per node and a bounded number of nodes', () => {
    const history = new NodeHistory(60_000, 4);
    for (let i = 0; i < 10; i++) history.record(ops(['witness-a'], i), 1_000_000 + i * 60_000);
    const view = history.view();
    expect(view).toMatchObject({ intervalSeconds: 60, capacity: 4 });
    expect(view.nodes.map((n) => [n.name, n.samples.t.length])).toEqual([
      ['ops.example/log', 4],
      ['witness-a', 4],
    ]);
    expect(view.nodes[0]!.samples.logSize).toEqual([6, 7, 8, 9]);
    const many = new NodeHistory(60_000, 2);
    many.record(ops(Array.from({ length: MAX_NODES + 10 }, (_, i) => `w${i}`)), 0);
    expect(many.view().nodes).toHaveLength(MAX_NODES);
  });
});
