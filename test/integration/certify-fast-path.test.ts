/**
 * A CertifyRecord's stream is named after the command (actor, command id), so
 * a command the command index has not seen is appended with 'no_stream'
 * without reading its stream first. These tests pin what that must not
 * change: a command applied already (by another node, or a crashed run) but
 * not yet known to this node's command index is still answered as a retry,
 * and a reused command id is still refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandService } from '../../src/application/commands/command-service.js';
import { ProblemError } from '../../src/application/problems/problem.js';
import type { CommandIndex } from '../../src/infrastructure/projections/command-index.js';
import { IdentityRegistry } from '../../src/infrastructure/projections/identity-registry.js';
import { FIXED_NOW, ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t.close();
});

/** A second service on the same node whose command index never knows anything: a node lagging behind the store. */
function laggingService(): CommandService {
  const registry = new IdentityRegistry(t.node.db);
  registry.migrate(t.node.db);
  return new CommandService({
    store: t.node.store,
    registry,
    commands: { get: () => undefined } as unknown as CommandIndex,
    projector: t.node.projector,
    clock: () => FIXED_NOW,
    maxSkewMs: 300_000,
    links: { publicUrl: 'http://lagging.example' },
  });
}

function certificationReads(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter(([stream]) => String(stream).startsWith('certification-')).length;
}

describe('certifying a record without reading its stream first', () => {
  it('appends a new certification with no read of its stream', async () => {
    const issuer = await t.issuer('FRESH', ['diploma']);
    const reads = vi.spyOn(t.node.store, 'readStream');
    try {
      const created = await t.post(
        '/v1/certifications',
        t.sign(issuer, 'CertifyRecord', {
          recordDigest: '51'.repeat(32),
          recordType: 'diploma',
          validFrom: ISSUED_AT,
        }),
      );
      expect(created.statusCode).toBe(201);
      expect(JSON.parse(created.body)).toMatchObject({
        events: ['RecordCertified'],
        streamRevision: '0',
        replayed: false,
      });
      expect(certificationReads(reads)).toBe(0);
    } finally {
      reads.mockRestore();
    }
  });

  it('answers a command already in the store, unknown to the command index, as a retry', async () => {
    const issuer = await t.issuer('LAGGING', ['diploma']);
    const envelope = t.sign(issuer, 'CertifyRecord', {
      recordDigest: '52'.repeat(32),
      recordType: 'diploma',
      validFrom: ISSUED_AT,
    });
    const first = JSON.parse((await t.post('/v1/certifications', envelope)).body);
    const before = await t.lastPosition();

    const reads = vi.spyOn(t.node.store, 'readStream');
    try {
      const again = await laggingService().execute(envelope, ['CertifyRecord']);
      const { proofUrl: _first, ...original } = first;
      const { proofUrl: _again, ...retried } = again;
      expect(retried).toEqual({ ...original, replayed: true });
      // The 'no_stream' append was refused, so the stream was read to answer.
      expect(certificationReads(reads)).toBeGreaterThan(0);
    } finally {
      reads.mockRestore();
    }
    expect(await t.lastPosition()).toBe(before);
    expect(await t.node.store.readStream(first.stream)).toHaveLength(1);
  });

  it('refuses a command id reused for another record, even when the command index does not know it', async () => {
    const issuer = await t.issuer('REUSER', ['diploma']);
    const fields = { recordType: 'diploma', validFrom: ISSUED_AT };
    const commandId = 'reused-command-id';
    const first = await t.post(
      '/v1/certifications',
      t.sign(issuer, 'CertifyRecord', { ...fields, recordDigest: '53'.repeat(32) }, { commandId }),
    );
    expect(first.statusCode).toBe(201);
    const before = await t.lastPosition();
    const other = t.sign(
      issuer,
      'CertifyRecord',
      { ...fields, recordDigest: '54'.repeat(32) },
      { commandId },
    );
    const refusal = await laggingService()
      .execute(other, ['CertifyRecord'])
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refusal).toBeInstanceOf(ProblemError);
    expect((refusal as ProblemError).code).toBe('COMMAND_ID_REUSED');
    expect(await t.lastPosition()).toBe(before);
  });
});
