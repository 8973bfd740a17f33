/**
 * Finding 3 of the "Verifiable current state" issue, "a rotation race halts
 * every mirror": an issuer sends 200 concurrent certifications signed with key
 * K1 through three API nodes on one store and rotates K1 out in the middle.
 * Each node checks K1 against its own registry before appending, and a node
 * that has not yet applied the rotation lets a K1 write through: it lands in
 * the log after the rotation. The adversary is the issuer itself (it can do
 * this on purpose), and a lock inside one process cannot stop it.
 *
 * What must hold: validity is decided in log order by the same state machine
 * on every node. A K1 write that lands after the rotation is void — never
 * acknowledged (401 KEY_RETIRED), never a certification, recorded as void in
 * the state map — and a mirror replays the whole log, void entries included,
 * without halting, to the same state map root the nodes signed.
 *
 * It runs on both shared stores several API nodes can use here: one SQLite
 * file, and the machine's PostgreSQL (a database of its own, dropped
 * afterwards), where the global order comes from the adapter's advisory lock.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import {
  formatVerifierKey,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
} from '../../src/domain/log/index.js';
import { stateMapRootOf } from '../../src/domain/log/state-map-extension.js';
import type { EventStoreConfig } from '../../src/node/open-event-store.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { signCommand } from '../../src/protocol/sign-command.js';
import { allLogEntries, postJson, startApiCluster } from '../support/api-cluster.js';
import { eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import type { NodeProcess } from '../support/node-process.js';
import { createTestDatabase, type TestDatabase, uniqueSchema } from '../support/postgres-server.js';

const NODES = 3;
const CERTIFICATIONS = 200;
const ORIGIN = 'race.test/chancery';
// Three node processes, 200 writes, a mirror's full replay: minutes on a loaded two-core machine.
const RACE_TIMEOUT_MS = 180_000;

const tmp = mkdtempSync(join(tmpdir(), 'chancery-race-'));
const allNodes: NodeProcess[] = [];
const mirrors: LiveNode[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  await Promise.all(mirrors.map((m) => m.close()));
  await Promise.all(allNodes.map((n) => n.stop()));
  await database?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the rotation race, on three API nodes sharing one store', () => {
  it(
    'sqlite: never acknowledges a write by a key an earlier entry retired, and a mirror replays it all without halting',
    async () => {
      await raceScenario('sqlite', { kind: 'sqlite', path: join(tmp, 'sqlite', 'events.db') });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'postgres: never acknowledges a write by a key an earlier entry retired, and a mirror replays it all without halting',
    async () => {
      database = await createTestDatabase('race');
      await raceScenario('postgres', { kind: 'postgres', url: database.url, schema: uniqueSchema('race') });
    },
    RACE_TIMEOUT_MS,
  );
});

async function raceScenario(name: string, store: EventStoreConfig): Promise<void> {
  const { nodes, logKey } = await startApiCluster(join(tmp, name), store, ORIGIN, NODES);
  allNodes.push(...nodes);
  const founder = nodes[0]!;
  const authority = new ChanceryClient(founder.url, {
    actor: 'AUTHORITY',
    keyPair: readKeyFile(join(founder.dataDir, 'authority.key')),
  });
  const k1 = generateKeyPair();
  const k2 = generateKeyPair();
  await authority.registerIdentity({
    identityId: 'TRANSPORT',
    name: 'Transport',
    roles: ['issuer'],
    publicKeys: [k1.publicKeyBase64],
  });
  await authority.accredit('TRANSPORT', ['driving-licence']);
  // Every node must know K1 before the race: otherwise they would refuse it for a reason other than the race.
  for (const node of nodes) {
    await eventually(`node ${node.url} to know K1`, async () =>
      (await fetch(`${node.url}/v1/keys/${encodeURIComponent(k1.keyId)}`)).status === 200 ? true : undefined,
    );
  }

  const signer = { actor: 'TRANSPORT', keyPair: k1 };
  const commands = Array.from({ length: CERTIFICATIONS }, (_, i) =>
    signCommand(signer, 'CertifyRecord', {
      recordDigest: i.toString(16).padStart(64, '0'),
      recordType: 'driving-licence',
      validFrom: '2026-01-01T00:00:00Z',
    }),
  );
  const rotation = signCommand(signer, 'RotateIdentityKey', {
    identityId: 'TRANSPORT',
    newPublicKey: k2.publicKeyBase64,
    retireKeyIds: [k1.keyId],
  });
  // A steady stream of K1 certifications round the three nodes, 30 in flight at a time; the rotation goes
  // to node 0 once half of them are answered, while the rest keep arriving at nodes that have not yet
  // applied it.
  const answers: { status: number; body: Record<string, unknown> }[] = [];
  let next = 0;
  let rotating: Promise<{ status: number; body: Record<string, unknown> }> | null = null;
  const worker = async () => {
    while (next < commands.length) {
      const i = next++;
      answers.push(await postJson(`${nodes[i % NODES]!.url}/v1/certifications`, commands[i]));
      if (answers.length === CERTIFICATIONS / 2 && rotating === null)
        rotating = postJson(`${founder.url}/v1/identities/TRANSPORT/rotate-key`, rotation);
    }
  };
  await Promise.all(Array.from({ length: 30 }, worker));
  answers.push(await rotating!);
  const rotated = answers.pop()!;
  expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);

  // Every answer is an acknowledgement or KEY_RETIRED, with the whole problem body for the latter.
  for (const answer of answers) {
    if (answer.status === 201) continue;
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      code: 'KEY_RETIRED',
      status: 401,
      type: 'urn:chancery:problem:key-retired',
    });
  }

  // In log order: the rotation's leaf, then every K1 certification after it is void.
  const client = new ChanceryClient(founder.url);
  await eventually('every node to have sealed the whole log', async () => {
    const logs = await Promise.all(nodes.map((n) => new ChanceryClient(n.url).log()));
    return logs.every((l) => l.treeSize === l.sequencedSize && l.treeSize === logs[0]!.treeSize)
      ? true
      : undefined;
  });
  const entries = await allLogEntries(client);
  const rotationIndex = entries.findIndex((e) => e.leaf.type === 'IdentityKeyRotated');
  expect(rotationIndex).toBeGreaterThan(0);
  const acknowledged = new Set(
    answers.filter((a) => a.status === 201).map((a) => String(a.body['certificationId'])),
  );
  let voidCount = 0;
  for (const [leafIndex, entry] of entries.entries()) {
    if (entry.leaf.type !== 'RecordCertified') continue;
    const certificationId = String((entry.leaf.data as Record<string, unknown>)['certificationId']);
    const shown = await fetch(`${founder.url}/v1/certifications/${certificationId}`);
    if (leafIndex < rotationIndex) {
      expect(acknowledged.has(certificationId), `entry ${leafIndex} is valid and was acknowledged`).toBe(
        true,
      );
      expect(shown.status).toBe(200);
    } else {
      voidCount++;
      expect(
        acknowledged.has(certificationId),
        `entry ${leafIndex} after the rotation was acknowledged`,
      ).toBe(false);
      expect(shown.status, `void entry ${leafIndex} is not a certification`).toBe(404);
    }
  }
  // The race this test is about happened: K1 writes reached the log after the rotation. (Without it the
  // test would prove nothing; 200 writes over three nodes with the rotation in the middle make it happen.)
  expect(voidCount).toBeGreaterThan(0);

  // A mirror replays everything, void entries included, and accepts the latest checkpoint: same tree, same state.
  const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const mirror = await startLiveNode({
    federation: { role: 'mirror', upstream: [founder.url], trust: logVkey },
  });
  mirrors.push(mirror);
  const latest = parseCheckpoint(
    parseNote(await (await fetch(`${founder.url}/v1/log/checkpoint`)).text()).text,
  );
  const mirrored = await eventually(
    'the mirror to accept the latest checkpoint',
    async () => {
      const status = await mirror.json<{ mirror: { halted: string | null } }>('/v1/federation/status');
      expect(status.mirror.halted).toBeNull();
      const note = await mirror.text('/v1/log/checkpoint');
      const checkpoint = parseCheckpoint(parseNote(note).text);
      return checkpoint.treeSize >= latest.treeSize ? checkpoint : undefined;
    },
    60_000,
  );
  expect(mirrored.treeSize).toBe(latest.treeSize);
  expect(stateMapRootOf(mirrored)).toEqual(stateMapRootOf(latest));
  expect(stateMapRootOf(latest)).not.toBeNull();
  expect(await mirror.json<{ alerts: number }>('/v1/federation/status')).toMatchObject({ alerts: 0 });
}
