/** openAlerts: what /v1/operations, `chancery status` and the console call an open alert, and how severe. */

import { describe, expect, it } from 'vitest';
import { type AlertInputs, openAlerts } from '../../../src/node/open-alerts.js';

const healthy: AlertInputs = {
  storeError: null,
  feedError: null,
  logHalted: null,
  quorum: { required: 'all w1, w2', met: true, down: [] },
  mirrorHalted: null,
  unsealedWaitMs: 0,
  staleAfterMs: 5000,
  evidence: [],
};

describe('openAlerts', () => {
  it('opens none on a healthy node', () => {
    expect(openAlerts(healthy)).toEqual([]);
  });

  it('names a lost quorum (critical) and each witness down (warning), with stable ids', () => {
    const alerts = openAlerts({
      ...healthy,
      quorum: { required: 'all w1, w2', met: false, down: [{ name: 'w2', error: 'fetch failed' }] },
    });
    expect(alerts).toEqual([
      {
        id: 'quorum-lost',
        kind: 'quorum-lost',
        severity: 'critical',
        subject: null,
        detail: 'witnesses up cannot meet the quorum (all w1, w2)',
      },
      {
        id: 'witness-down:w2',
        kind: 'witness-down',
        severity: 'warning',
        subject: 'w2',
        detail: 'fetch failed',
      },
    ]);
  });

  it('raises store, feed, log, mirror, staleness and split-view evidence', () => {
    const kinds = openAlerts({
      ...healthy,
      storeError: 'event store unreachable: ECONNREFUSED',
      feedError: 'event feed lost',
      logHalted: 'log sealing halted',
      mirrorHalted: 'root-mismatch: …',
      unsealedWaitMs: 6000,
      evidence: [
        { source: 'witness', kind: 'split-view', count: 1 },
        { source: 'mirror', kind: 'root-mismatch', count: 2 },
      ],
    }).map((a) => [a.id, a.severity]);
    expect(kinds).toEqual([
      ['store-unavailable', 'critical'],
      ['event-feed-lost', 'critical'],
      ['log-halted', 'critical'],
      ['mirror-halted', 'critical'],
      ['checkpoint-stale', 'warning'],
      ['split-view:witness/split-view', 'critical'],
      ['federation-evidence:mirror/root-mismatch', 'critical'],
    ]);
  });
});
