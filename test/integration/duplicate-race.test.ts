/**
 * "Duplicates: while a certification exists for the same digest, issuer and
 * record type, certifying again answers 409 RECORD_ALREADY_CERTIFIED" — also
 * when the same certification (different command ids) reaches three API nodes
 * on one store at the same moment. Each node checks its own read model before
 * appending, and none of them has seen the others' writes yet: that check
 * alone lets several through. The verdict that counts is the ordered state
 * machine's: in log order the first certification of a record is valid and
 * every later one (not an explicit reissue) is void, answered 409, never a
 * certification. Exactly one request per record succeeds.
 *
 * It runs on one SQLite file and on the machine's PostgreSQL (a database of
 * its own, dropped afterwards), as the rotation race does.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import type { EventStoreConfig } from '../../src/node/open-event-store.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { signCommand } from '../../src/protocol/sign-command.js';
import { allLogEntries, type JsonAnswer, postJson, startApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/federation-nodes.js';
import type { NodeProcess } from '../support/node-process.js';
import { createTestDatabase, type TestDatabase, uniqueSchema } from '../support/postgres-server.js';

const NODES = 3;
/** Records each certified NODES times at once, one request per node. */
const RECORDS = 40;
const RACE_TIMEOUT_MS = 180_000;

const tmp = mkdtempSync(join(tmpdir(), 'chancery-duplicate-'));
const nodes: NodeProcess[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await database?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the duplicate race, on three API nodes sharing one store', () => {
  it(
    'sqlite: of one certification sent to three nodes at once, exactly one succeeds and the others are 409',
    async () => {
      await duplicateRace('sqlite', { kind: 'sqlite', path: join(tmp, 'sqlite', 'events.db') });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    'postgres: of one certification sent to three nodes at once, exactly one succeeds and the others are 409',
    async () => {
      database = await createTestDatabase('duplicate');
      await duplicateRace('postgres', {
        kind: 'postgres',
        url: database.url,
        schema: uniqueSchema('duplicate'),
      });
    },
    RACE_TIMEOUT_MS,
  );
});

const digestOf = (i: number) => (i + 1).toString(16).padStart(64, 'd');

/** The refusal either way it is decided: by the node's read model before appending, or void in log order. */
function expectDuplicateRefusal(answer: JsonAnswer, digest: string, winner: string): void {
  const already = `DMV already certified this record (driving-licence, sha256 ${digest}) as ${winner}`;
  const reissue = `; to certify it anew, reissue it: chancery certify --reissue ${winner} (payload reissueOf)`;
  const common = {
    type: 'urn:chancery:problem:record-already-certified',
    title: 'This issuer already certified this record; reissue it explicitly to certify it anew',
    status: 409,
    code: 'RECORD_ALREADY_CERTIFIED',
    instance: '/v1/certifications',
  };
  expect(answer.status, JSON.stringify(answer.body)).toBe(409);
  if ('certificationId' in answer.body) {
    expect(answer.body).toEqual({
      ...common,
      detail: `${already}, which is active${reissue}`,
      certificationId: winner,
      certificationStatus: 'active',
    });
  } else {
    expect(answer.body).toEqual({
      ...common,
      detail: expect.stringMatching(
        new RegExp(`^${escapeRegExp(already)} by an earlier entry than \\d+${escapeRegExp(reissue)}$`),
      ),
    });
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function duplicateRace(name: string, store: EventStoreConfig): Promise<void> {
  const { nodes: cluster } = await startApiCluster(join(tmp, name), store, 'duplicate.test/chancery', NODES);
  nodes.push(...cluster);
  const founder = cluster[0]!;
  const authority = new ChanceryClient(founder.url, {
    actor: 'AUTHORITY',
    keyPair: readKeyFile(join(founder.dataDir, 'authority.key')),
  });
  const key = generateKeyPair();
  await authority.registerIdentity({
    identityId: 'DMV',
    name: 'DMV',
    roles: ['issuer'],
    publicKeys: [key.publicKeyBase64],
  });
  await authority.accredit('DMV', ['driving-licence']);
  // Every node must know the accreditation first: otherwise it would refuse for another reason.
  for (const node of cluster) {
    await eventually(`node ${node.url} to know the accreditation`, async () => {
      const identity = (await (await fetch(`${node.url}/v1/identities/DMV`)).json()) as {
        accreditations?: string[];
      };
      return identity.accreditations?.includes('driving-licence') === true ? true : undefined;
    });
  }

  const signer = { actor: 'DMV', keyPair: key };
  // Each record: the same certification signed three times (three command ids), one to each node at once.
  const answers = await Promise.all(
    Array.from({ length: RECORDS }, (_, i) =>
      Promise.all(
        cluster.map((node) =>
          postJson(
            `${node.url}/v1/certifications`,
            signCommand(signer, 'CertifyRecord', {
              recordDigest: digestOf(i),
              recordType: 'driving-licence',
              validFrom: '2026-01-01T00:00:00Z',
            }),
          ),
        ),
      ),
    ),
  );

  const winners = new Map<string, string>();
  for (const [i, perRecord] of answers.entries()) {
    const won = perRecord.filter((a) => a.status === 201);
    expect(won.length, `record ${i}: ${JSON.stringify(perRecord.map((a) => a.body))}`).toBe(1);
    const winner = String(won[0]!.body['certificationId']);
    winners.set(digestOf(i), winner);
    for (const answer of perRecord)
      if (answer.status !== 201) expectDuplicateRefusal(answer, digestOf(i), winner);
  }

  // In log order: the first RecordCertified of each record is the acknowledged one; every later one is
  // void and no certification on any node.
  await eventually('every node to have sealed the whole log', async () => {
    const logs = await Promise.all(cluster.map((n) => new ChanceryClient(n.url).log()));
    return logs.every((l) => l.treeSize === l.sequencedSize && l.treeSize === logs[0]!.treeSize)
      ? true
      : undefined;
  });
  const seen = new Set<string>();
  let voidCount = 0;
  for (const entry of await allLogEntries(new ChanceryClient(founder.url))) {
    if (entry.leaf.type !== 'RecordCertified') continue;
    const data = entry.leaf.data as { certificationId: string; recordDigest: string };
    const first = !seen.has(data.recordDigest);
    seen.add(data.recordDigest);
    expect(data.certificationId === winners.get(data.recordDigest), `entry ${entry.position}`).toBe(first);
    if (first) continue;
    voidCount++;
    for (const node of cluster)
      expect((await fetch(`${node.url}/v1/certifications/${data.certificationId}`)).status).toBe(404);
  }
  expect(seen.size).toBe(RECORDS);
  // The race this test is about happened: duplicates got past the nodes' own checks into the log.
  expect(voidCount).toBeGreaterThan(0);
}
