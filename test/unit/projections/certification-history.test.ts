import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { CertificationReadModel } from '../../../src/infrastructure/projections/certification-read-model.js';
import { CertificationSeriesQuery } from '../../../src/infrastructure/projections/certification-series.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { positionKey } from '../../../src/infrastructure/projections/position-key.js';

/**
 * A single certification's own entry in its status history is read from its row in `certifications`
 * (the projection writes no history row for it). These tests pin the history and the status series
 * it yields, on a fresh read model and on one built before, which holds that entry as a history row.
 */

const CERTIFIED_AT = '2026-12-02T10:00:00.000Z';
const SUSPENDED_AT = '2026-12-02T10:05:00.000Z';

function certified(id: string, position: bigint): RecordedEvent {
  return {
    stream: `certification-${id}`,
    revision: 0n,
    position,
    type: 'RecordCertified',
    data: {
      certificationId: id,
      issuerId: 'issuer-1',
      recordDigest: 'ab'.repeat(32),
      recordType: 'diploma',
      subjectRef: null,
      validFrom: '2026-12-01',
      validUntil: null,
      metadata: null,
      certifiedAt: CERTIFIED_AT,
    },
    metadata: { commandId: `cmd-${id}`, actor: 'issuer-1', keyId: 'key-1' },
    recordedAt: CERTIFIED_AT,
  };
}

function suspended(id: string, position: bigint): RecordedEvent {
  return {
    stream: `certification-${id}`,
    revision: 1n,
    position,
    type: 'CertificationSuspended',
    data: { certificationId: id, reason: 'under review', at: SUSPENDED_AT, by: 'issuer-1' },
    metadata: { commandId: `cmd-s-${id}`, actor: 'issuer-1', keyId: 'key-1' },
    recordedAt: SUSPENDED_AT,
  };
}

const expectedHistory = (position: bigint, suspendedAt: bigint) => [
  { status: 'active', reason: null, at: CERTIFIED_AT, by: 'issuer-1', position },
  { status: 'suspended', reason: 'under review', at: SUSPENDED_AT, by: 'issuer-1', position: suspendedAt },
];

function readModel() {
  const db = openNodeDatabase(':memory:');
  const model = new CertificationReadModel(db);
  model.migrate(db);
  return { db, model };
}

function statusSeries(db: ReturnType<typeof openNodeDatabase>) {
  const series = new CertificationSeriesQuery(db).series({
    bucket: 'day',
    buckets: 1,
    top: 10,
    nowSeconds: Date.parse(SUSPENDED_AT) / 1000,
  });
  return Object.fromEntries(series.byStatus.map((s) => [s.key, s.total]));
}

describe('a single certification’s status history', () => {
  it('starts with the certification, read from its row, then its changes', () => {
    const { db, model } = readModel();
    model.apply(certified('c1', 5n));
    expect(model.get('c1')?.statusHistory).toEqual(expectedHistory(5n, 9n).slice(0, 1));
    model.apply(suspended('c1', 9n));
    expect(model.get('c1')?.statusHistory).toEqual(expectedHistory(5n, 9n));
    expect(db.prepare('SELECT count(*) AS n FROM certification_status_history').get()).toEqual({ n: 1 });
    expect(statusSeries(db)).toEqual({ certified: 1, suspended: 1 });
  });

  it('does not repeat the certification a read model built before holds as a history row', () => {
    const { db, model } = readModel();
    model.apply(certified('c1', 5n));
    // What the projection wrote for a certification before: a history row at its own position.
    db.prepare('INSERT INTO certification_status_history VALUES (?, ?, ?, ?, ?, ?)').run(
      'c1',
      positionKey(5n),
      'active',
      null,
      CERTIFIED_AT,
      'issuer-1',
    );
    model.apply(suspended('c1', 9n));
    expect(model.get('c1')?.statusHistory).toEqual(expectedHistory(5n, 9n));
    expect(statusSeries(db)).toEqual({ certified: 1, suspended: 1 });
  });
});
