/**
 * `chancery rebuild` builds the state map from the events (issue 10: existing
 * data folders upgrade). A folder whose map tables are gone, as in a folder
 * written before the map existed, or whose map rows were edited, is rebuilt
 * to the very root each signed checkpoint carries in its chancery-state-map
 * line, and the rebuilt map proves the records' real states against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, parseNote, stateMapRootOf } from '../../src/domain/log/index.js';
import { stateKey } from '../../src/domain/log-state/state-records.js';
import type { JsonValue } from '../../src/domain/shared/json.js';
import { verifyStateProof } from '../../src/domain/state-map/index.js';
import { openNodeDatabase } from '../../src/infrastructure/projections/node-database.js';
import { StateMapStore } from '../../src/infrastructure/state-map/state-map-store.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('chancery rebuild and the state map', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-rebuild-map-'));
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

  /** The map root every published checkpoint signs, by tree size, beside the node's own root there. */
  function signedRoots(node: RunningNode, sizes: readonly number[]) {
    return sizes.map((treeSize) => {
      const note = node.sequencer.checkpointAt(treeSize)!.note;
      const signed = stateMapRootOf(parseCheckpoint(parseNote(note).text));
      // null once the node released that version (only checkpoints a bundle may still cite stay provable).
      const own = node.sequencer.stateRootAt(treeSize);
      return { treeSize, signed: signed === null ? null : hex(signed), own: own === null ? null : hex(own) };
    });
  }

  async function writeHistory(
    node: RunningNode,
  ): Promise<{ sizes: number[]; revoked: string; active: string }> {
    const authority: Signer = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
    const issuer: Signer = { actor: 'MAPREBUILD', keyPair: generateKeyPair() };
    await post(node, '/v1/identities', authority, 'RegisterIdentity', {
      identityId: 'MAPREBUILD',
      name: 'Map rebuild test',
      roles: ['issuer'],
      publicKeys: [issuer.keyPair.publicKeyBase64],
    });
    await post(node, '/v1/identities/MAPREBUILD/accredit', authority, 'AccreditIdentity', {
      identityId: 'MAPREBUILD',
      recordTypes: ['diploma'],
    });
    const ids: string[] = [];
    const sizes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) {
        const written = await post(node, '/v1/certifications', issuer, 'CertifyRecord', {
          recordDigest: hex(generateKeyPair().publicKey),
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        });
        ids.push(written.certificationId!);
      }
      if (round === 1) {
        await post(node, `/v1/certifications/${ids[0]}/revoke`, issuer, 'RevokeCertification', {
          certificationId: ids[0]!,
          reason: 'issued in error',
        });
      }
      await node.sealer.sealNow();
      sizes.push(node.sequencer.latestCheckpoint()!.treeSize);
    }
    return { sizes, revoked: ids[0]!, active: ids[1]! };
  }

  /** What a citizen's check would rely on: the records' states, proved against the signed root. */
  function provedStates(treeSize: number, signedRoot: string, ids: readonly string[]) {
    const db = openNodeDatabase(join(dataDir, 'node.db'));
    try {
      const map = new StateMapStore(db);
      map.migrate();
      return ids.map((id) => {
        const key = stateKey.certification(id);
        const { value, proof } = map.proveAt(key, treeSize);
        return {
          id,
          status: value?.['status'] ?? null,
          verifies: verifyStateProof(Buffer.from(signedRoot, 'hex'), key, value, proof),
        };
      });
    } finally {
      db.close();
    }
  }

  it('rebuilds dropped map tables to the root every checkpoint signed, and proves the states against it', async () => {
    let node = await start();
    const { sizes, revoked, active } = await writeHistory(node);
    const before = signedRoots(node, sizes);
    expect(before.at(-1)!.own).toBe(before.at(-1)!.signed);
    for (const r of before) expect([null, r.signed]).toContain(r.own);
    expect(new Set(before.map((r) => r.signed)).size).toBe(sizes.length);
    await node.close();

    // A folder from before the map: no state tables, no void entries, no saved write in progress.
    const db = new Database(join(dataDir, 'node.db'));
    const dropped = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'state\\_%' ESCAPE '\\' OR name = 'log_void_entries')",
      )
      .all() as { name: string }[];
    expect(dropped.map((t) => t.name)).toContain('state_pages');
    for (const { name } of dropped) db.exec(`DROP TABLE ${name}`);
    db.close();

    const rebuilt = jsonOf<{ logSize: number; checkpoint: { treeSize: number } | null }>(
      await runCli(['rebuild', '--data', dataDir, '--json']),
    );
    expect(rebuilt).toMatchObject({ logSize: sizes.at(-1), checkpoint: { treeSize: sizes.at(-1) } });

    node = await start();
    try {
      const after = signedRoots(node, sizes);
      expect(after.map((r) => r.signed)).toEqual(before.map((r) => r.signed));
      // The latest checkpoint's version is kept; older ones may be released, never different.
      expect(after.at(-1)!.own).toBe(before.at(-1)!.signed);
      for (const r of after) expect([null, r.signed]).toContain(r.own);
    } finally {
      await node.close();
    }
    const last = before.at(-1)!;
    expect(provedStates(last.treeSize, last.signed!, [revoked, active, 'crt_never_certified'])).toEqual([
      { id: revoked, status: 'revoked', verifies: true },
      { id: active, status: 'active', verifies: true },
      { id: 'crt_never_certified', status: null, verifies: true },
    ]);
  });

  it('puts back a revoked record whose stored state was edited to active', async () => {
    let node = await start();
    const sizes = [node.sequencer.latestCheckpoint()!.treeSize];
    const before = signedRoots(node, sizes);
    await node.close();

    // The operator's edit: every stored copy of every certification's state now says "active".
    const db = new Database(join(dataDir, 'node.db'));
    // Values live in state_values_at once a version is written as pages, in state_changes until then.
    const edited = ['state_values_at', 'state_changes']
      .map(
        (table) =>
          db
            .prepare(`UPDATE ${table} SET value = replace(value, '"status":"revoked"', '"status":"active"')`)
            .run().changes,
      )
      .reduce((a, b) => a + b, 0);
    db.close();
    expect(edited).toBeGreaterThan(0);

    await runCli(['rebuild', '--data', dataDir, '--json']);
    node = await start();
    try {
      expect(signedRoots(node, sizes)).toEqual(before);
    } finally {
      await node.close();
    }
    const db2 = openNodeDatabase(join(dataDir, 'node.db'));
    try {
      const stored = 'SELECT value FROM state_values_at UNION ALL SELECT value FROM state_changes';
      const text = (db2.prepare(stored).all() as { value: string }[]).map((r) => r.value);
      expect(text.some((v) => v.includes('"status":"revoked"'))).toBe(true);
    } finally {
      db2.close();
    }
  });
});
