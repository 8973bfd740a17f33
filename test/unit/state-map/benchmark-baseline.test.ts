/**
 * The `state` benchmark compares certify/s with the map against a node
 * started with `withoutStateMap` (bench/state.bench.ts). For that ratio to be
 * honest the baseline must be a working node that still judges writes in log
 * order (a write by an unregistered key is refused as before) and differs only
 * in having no authenticated map: its checkpoints carry no map root.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, parseNote, stateMapRootOf } from '../../../src/domain/log/index.js';
import { startNode } from '../../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../../src/node/node-config.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';
import { signCommand } from '../../../src/protocol/sign-command.js';

describe('the state benchmark baseline (a node without its state map)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-baseline-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('certifies and judges writes like a node, and signs checkpoints without a map root', async () => {
    const config = resolveNodeConfig({ dataDir, port: 0, sealIntervalMs: 3_600_000 }, {});
    const node = await startNode(config, { logging: false, listen: false, withoutStateMap: true });
    try {
      const post = async (url: string, envelope: unknown) =>
        node.app.inject({ method: 'POST', url, payload: envelope as object });
      const authority = { actor: node.init.identity.authorityId, keyPair: node.init.authorityKey! };
      const issuerKey = generateKeyPair();
      const registered = await post(
        '/v1/identities',
        signCommand(authority, 'RegisterIdentity', {
          identityId: 'BASELINE',
          name: 'Baseline',
          roles: ['issuer'],
          publicKeys: [issuerKey.publicKeyBase64],
        }),
      );
      expect(registered.statusCode).toBe(201);
      await post(
        '/v1/identities/BASELINE/accredit',
        signCommand(authority, 'AccreditIdentity', { identityId: 'BASELINE', recordTypes: ['diploma'] }),
      );
      const certify = (keyPair: ReturnType<typeof generateKeyPair>) =>
        post(
          '/v1/certifications',
          signCommand({ actor: 'BASELINE', keyPair }, 'CertifyRecord', {
            recordDigest: 'ab'.repeat(32),
            recordType: 'diploma',
            validFrom: '2026-01-01T00:00:00Z',
          }),
        );
      expect((await certify(issuerKey)).statusCode).toBe(201);
      expect((await certify(generateKeyPair())).statusCode).toBe(401);
      await node.sealer.sealNow();
      const note = node.sequencer.latestCheckpoint()!.note;
      expect(stateMapRootOf(parseCheckpoint(parseNote(note).text))).toBeNull();
      expect(note).not.toContain('chancery-state-map');
    } finally {
      await node.close();
    }
  });
});
