/**
 * `chancery rebuild`: the derived state in node.db is dropped and replayed
 * from the event store. The rebuilt log must be the same log: every leaf at
 * the same index with the same hash, the same root at every checkpointed
 * size, the same signed checkpoints, the same read models. The node database
 * is damaged before the rebuild, so a rebuild that kept anything would show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/domain/shared/json.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('chancery rebuild', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-rebuild-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = resolveNodeConfig({ dataDir, port: 0, sealIntervalMs: 3_600_000 }, {});
  const start = () => startNode(config, { logging: false, listen: false, clock: () => FIXED_NOW });

  async function post(
    node: RunningNode,
    url: string,
    signer: Signer,
    type: string,
    fields: Record<string, JsonValue>,
  ) {
    const response = await node.app.inject({
      method: 'POST',
      url,
      payload: signCommand(signer, type, fields, { issuedAt: ISSUED_AT }) as object,
    });
    if (response.statusCode >= 300) throw new Error(`${type}: ${response.statusCode} ${response.body}`);
    return response.json() as { certificationId?: string };
  }

  /** Everything a client can observe of the log and the read models. */
  async function snapshot(node: RunningNode, sizes: readonly number[], certificationIds: readonly string[]) {
    const log = node.sequencer;
    const size = log.sequencedSize();
    const entries = log.entries(0, size, size).map((e) => ({
      leafIndex: e.leafIndex,
      position: e.position.toString(),
      leafHash: hex(log.leafHash(e.leafIndex)),
      leaf: hex(e.leaf),
    }));
    const checkpoints = sizes.map((treeSize) => {
      const checkpoint = log.checkpointAt(treeSize);
      return {
        treeSize,
        root: hex(log.rootAt(treeSize)),
        publishedRoot: checkpoint === null ? null : hex(checkpoint.rootHash),
        note: checkpoint?.note ?? null,
      };
    });
    const certifications = [];
    for (const id of certificationIds) {
      certifications.push((await node.app.inject({ method: 'GET', url: `/v1/certifications/${id}` })).json());
    }
    const identities = (await node.app.inject({ method: 'GET', url: '/v1/identities?limit=100' })).json();
    const latest = log.latestCheckpoint();
    return {
      size,
      entries,
      checkpoints,
      latest: latest === null ? null : { treeSize: latest.treeSize, note: latest.note },
      certifications,
      identities,
      proofs: sizes.map((treeSize) => ({
        treeSize,
        inclusion: log.inclusionProof(0, treeSize).map(hex),
        consistency: log.consistencyProof(1, treeSize).map(hex),
      })),
    };
  }

  it('rebuilds node.db with identical leaves, roots, checkpoints and read models', async () => {
    let node = await start();
    const authority: Signer = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
    const issuer: Signer = { actor: 'REBUILD', keyPair: generateKeyPair() };
    await post(node, '/v1/identities', authority, 'RegisterIdentity', {
      identityId: 'REBUILD',
      name: 'Rebuild test',
      roles: ['issuer'],
      publicKeys: [issuer.keyPair.publicKeyBase64],
    });
    await post(node, '/v1/identities/REBUILD/accredit', authority, 'AccreditIdentity', {
      identityId: 'REBUILD',
      recordTypes: ['diploma'],
    });
    const certificationIds: string[] = [];
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 1 + round * 3; i++) {
        const written = await post(node, '/v1/certifications', issuer, 'CertifyRecord', {
          recordDigest: hex(generateKeyPair().publicKey),
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        });
        certificationIds.push(written.certificationId!);
      }
      if (round === 2) {
        await post(node, `/v1/certifications/${certificationIds[0]}/revoke`, issuer, 'RevokeCertification', {
          certificationId: certificationIds[0]!,
          reason: 'issued in error',
        });
      }
      await node.sealer.sealNow();
      sizes.push(node.sequencer.latestCheckpoint()!.treeSize);
    }
    expect(sizes).toEqual([...new Set(sizes)]);
    const before = await snapshot(node, sizes, certificationIds);
    expect(before.size).toBeGreaterThan(20);
    expect(before.latest?.treeSize).toBe(before.size);
    // The last event is the last checkpoint, which is not a leaf.
    const lastPosition = (await node.store.lastPosition())!.toString();
    await node.close();

    // Damage the derived state: a wrong leaf hash, checkpoints and a read model gone.
    const db = new Database(join(dataDir, 'node.db'));
    db.prepare('UPDATE log_hashes SET hash = zeroblob(32) WHERE slot = 0').run();
    db.exec('DELETE FROM log_checkpoints');
    db.exec(`DELETE FROM ${firstTableLike(db, 'certification')}`);
    db.close();

    const rebuilt = jsonOf<{ logSize: number; checkpoint: { treeSize: number } | null; position: string }>(
      await runCli(['rebuild', '--data', dataDir, '--json']),
    );
    expect(rebuilt).toMatchObject({
      logSize: before.size,
      checkpoint: { treeSize: before.size },
      position: lastPosition,
    });

    node = await start();
    try {
      const after = await snapshot(node, sizes, certificationIds);
      expect(after.entries).toEqual(before.entries);
      expect(after.checkpoints).toEqual(before.checkpoints);
      for (const checkpoint of after.checkpoints) expect(checkpoint.publishedRoot).toBe(checkpoint.root);
      expect(after).toEqual(before);
    } finally {
      await node.close();
    }
  });

  it('refuses a folder that never ran a node, with one line and exit 1', async () => {
    const empty = join(dataDir, 'nothing-here');
    const run = await runCli(['rebuild', '--data', empty]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^error: no node in \S*nothing-here \(no node\.json\): nothing to rebuild\n$/);
  });
});

/** The certification read model's main table, whatever its exact name. */
function firstTableLike(db: Database.Database, word: string): string {
  const row = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ORDER BY name LIMIT 1")
    .get(`%${word}%`) as { name: string } | undefined;
  if (row === undefined) throw new Error(`no table like ${word}`);
  return row.name;
}
