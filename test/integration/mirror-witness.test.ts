/**
 * A primary and a mirror-witness, in process, on loopback sockets:
 *  - the mirror replays every kind of write (identities and key rotation,
 *    single and bulk certifications with a status change, directory entries,
 *    access requests and grants, RFC 9421-signed uploads and fetches) through
 *    the decider, and serves byte-identical checkpoints and proofs;
 *  - the primary asks the witness to cosign; wait=final answers with the
 *    cosigned checkpoint; the mirror refuses writes;
 *  - the witness speaks C2SP tlog-witness with the spec's status codes,
 *    refuses a split view and an inconsistent checkpoint, records both notes,
 *    and raises the alert on its API and /metrics; its state survives a restart;
 *  - a mirror fed a tampered entry, from tiles or from /v1/log/entries, stops,
 *    keeps its last good state and raises the same kind of alert.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddCheckpointRequest } from '../../src/domain/federation/index.js';
import {
  batchRoot,
  ed25519NoteSigner,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
  signNote,
} from '../../src/domain/log/index.js';
import { generateKeyPair, type KeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { entryFields, ndjson, signedHeaders } from '../support/directory-fixtures.js';
import { authorityOf, eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { startTamperingProxy, type TamperingProxy, used } from '../support/tampering-proxy.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const ORIGIN = 'province.example/log';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function sign(signer: Signer, type: string, fields: Record<string, unknown>) {
  return signCommand(signer, type, fields as never, { issuedAt: ISSUED_AT });
}

async function post(node: LiveNode, url: string, body: unknown) {
  const response = await node.node.app.inject({ method: 'POST', url, payload: body as object });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

async function expectPosted(node: LiveNode, url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await post(node, url, body);
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

/** Registers a department with its own key, accredited or with other roles. */
async function department(primary: LiveNode, code: string, roles: string[], recordTypes: string[] = []) {
  const keyPair = generateKeyPair();
  const authority = authorityOf(primary);
  await expectPosted(
    primary,
    '/v1/identities',
    sign(authority, 'RegisterIdentity', {
      identityId: code,
      name: code,
      roles,
      publicKeys: [keyPair.publicKeyBase64],
    }),
  );
  if (recordTypes.length > 0)
    await expectPosted(
      primary,
      `/v1/identities/${code}/accredit`,
      sign(authority, 'AccreditIdentity', { identityId: code, recordTypes }),
    );
  return { actor: code, keyPair } as Signer & { keyPair: KeyPair };
}

/** Every kind of write the mirror must replay. Returns a certification id to prove. */
async function workload(primary: LiveNode): Promise<string> {
  const transport = await department(primary, 'TRANSPORT', ['issuer', 'publisher'], ['licence']);
  const university = await department(primary, 'UNIVERSITY', ['issuer'], ['diploma']);
  const health = await department(primary, 'HEALTH', ['consumer']);
  const certified = await expectPosted(
    primary,
    '/v1/certifications',
    sign(transport, 'CertifyRecord', {
      recordDigest: createHash('sha256').update('licence 1').digest('hex'),
      recordType: 'licence',
      validFrom: '2026-01-01T00:00:00Z',
    }),
  );
  const certificationId = certified['certificationId'] as string;
  const second = await expectPosted(
    primary,
    '/v1/certifications',
    sign(transport, 'CertifyRecord', {
      recordDigest: createHash('sha256').update('licence 2').digest('hex'),
      recordType: 'licence',
      validFrom: '2026-01-01T00:00:00Z',
    }),
  );
  await expectPosted(
    primary,
    `/v1/certifications/${second['certificationId']}/suspend`,
    sign(transport, 'SuspendCertification', { certificationId: second['certificationId'], reason: 'check' }),
  );
  // A batch of 600 records: its digests travel in two BatchDigestsRecorded slices beside the entry.
  const digests = Array.from({ length: 600 }, (_, i) =>
    createHash('sha256').update(`diploma ${i}`).digest('hex'),
  );
  const root = Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString(
    'hex',
  );
  await expectPosted(primary, '/v1/certifications/batches', {
    envelope: sign(university, 'CertifyBatch', {
      recordType: 'diploma',
      validFrom: '2026-07-01T00:00:00Z',
      batchRoot: root,
      count: digests.length,
    }),
    digests,
  });
  // The key rotation retires the old key: later writes replay only with the new one.
  const newKey = generateKeyPair();
  await expectPosted(
    primary,
    '/v1/identities/HEALTH/rotate-key',
    sign(health, 'RotateIdentityKey', { identityId: 'HEALTH', newPublicKey: newKey.publicKeyBase64 }),
  );
  const healthNow = { actor: 'HEALTH', keyPair: newKey };
  const entry = await expectPosted(
    primary,
    '/v1/directory/entries',
    sign(
      transport,
      'PublishCatalogEntry',
      entryFields({ languages: ['ENG'], temporal: { start: '2020-01-01' } }),
    ),
  );
  const entryId = entry['entryId'] as string;
  // The catalog's description: a command type of its own, replayed like any other.
  await expectPosted(
    primary,
    '/v1/directory/catalog',
    sign(authorityOf(primary), 'DescribeCatalog', { languages: ['ENG'], publisherType: 'RegionalAuthority' }),
  );
  const records = ndjson([{ id: 1, name: 'a', age: 3 }]);
  const uploadTarget = `/v1/directory/entries/${entryId}/versions`;
  const uploaded = await primary.node.app.inject({
    method: 'POST',
    url: uploadTarget,
    payload: records,
    headers: signedHeaders(transport.keyPair, 'POST', uploadTarget, {
      bytes: records,
      contentType: 'application/x-ndjson',
    }),
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const requested = await expectPosted(
    primary,
    `/v1/directory/entries/${entryId}/requests`,
    sign(healthNow, 'RequestAccess', { entryId, purpose: 'study', durationSeconds: 86_400 }),
  );
  await expectPosted(
    primary,
    `/v1/directory/requests/${requested['requestId']}/grant`,
    sign(transport, 'GrantAccess', {
      requestId: requested['requestId'],
      scope: { versions: 'all' },
      expiresAt: new Date(FIXED_NOW + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }),
  );
  const fetchTarget = `/v1/directory/entries/${entryId}/versions/latest/data`;
  const fetched = await primary.node.app.inject({
    method: 'GET',
    url: fetchTarget,
    headers: signedHeaders(newKey, 'GET', fetchTarget),
  });
  expect(fetched.statusCode, fetched.body).toBe(200);
  return certificationId;
}

describe('a primary and a mirror-witness', () => {
  const logKey = generateKeyPair();
  const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const keyDir = mkdtempSync(join(tmpdir(), 'chancery-logkey-'));
  let primary: LiveNode;
  let mirror: LiveNode;
  let witnessVkey: string;
  let certificationId: string;

  /** A checkpoint note signed with the log's own key: what a forking log would hand a witness. */
  const signedByLog = (treeSize: number, rootHash: Uint8Array) =>
    formatNote(
      signNote(formatCheckpoint({ origin: ORIGIN, treeSize, rootHash, extensions: [] }), [
        ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign),
      ]),
    );
  const addCheckpoint = (node: LiveNode, body: string) =>
    fetch(`${node.url}/add-checkpoint`, { method: 'POST', body });

  beforeAll(async () => {
    writeKeyFiles(join(keyDir, 'log.key'), logKey);
    const primaryPort = await freePort();
    const primaryUrl = `http://127.0.0.1:${primaryPort}`;
    mirror = await startLiveNode({ federation: { role: 'mirror', upstream: [primaryUrl], trust: logVkey } });
    witnessVkey = mirror.node.federation.witness!.identity.vkey;
    primary = await startLiveNode({
      port: primaryPort,
      clock: () => FIXED_NOW,
      env: { CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') },
      federation: { witness: [`${mirror.url}=${witnessVkey}`], witnessQuorum: 1 },
    });
    expect(primary.node.sequencer.verifierKey).toBe(logVkey);
    certificationId = await workload(primary);
  });

  afterAll(async () => {
    await primary?.close();
    await mirror?.close();
    for (const node of [primary, mirror])
      if (node !== undefined) rmSync(node.dataDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('replays every write and serves the same checkpoint and byte-identical proofs', async () => {
    const size = primary.node.sequencer.sequencedSize();
    await eventually('the mirror to accept the checkpoint of every entry', async () => {
      const status = await mirror.json<{ checkpointTreeSize: number }>('/v1/status');
      return status.checkpointTreeSize >= size ? true : undefined;
    });
    const note = await eventually('both nodes to serve the same cosigned checkpoint', async () => {
      const [a, b] = await Promise.all([
        primary.text('/v1/log/checkpoint'),
        mirror.text('/v1/log/checkpoint'),
      ]);
      return a === b && parseNote(a).signatures.length === 2 ? a : undefined;
    });
    const treeSize = parseCheckpoint(parseNote(note).text).treeSize;
    for (const index of [0, 1, Math.floor(treeSize / 2), treeSize - 1]) {
      const path = `/v1/log/proofs/inclusion?index=${index}&size=${treeSize}`;
      const [a, b] = await Promise.all([primary.text(path), mirror.text(path)]);
      expect(b, path).toBe(a);
    }
    const [bundleA, bundleB] = await Promise.all([
      primary.text(`/v1/proofs/${certificationId}`),
      mirror.text(`/v1/proofs/${certificationId}`),
    ]);
    expect(bundleB).toBe(bundleA);
    const mirrorStatus = await mirror.json<Record<string, unknown>>('/v1/federation/status');
    expect(mirrorStatus).toMatchObject({
      role: 'mirror',
      mirror: { halted: null, replicatedSize: primary.node.sequencer.sequencedSize() },
      witness: { vkey: witnessVkey, logs: [{ origin: ORIGIN }] },
      alerts: 0,
    });
  });

  it("serves the primary's catalog description and languages from its replay", async () => {
    const size = primary.node.sequencer.sequencedSize();
    await eventually('the mirror to replay every write', async () => {
      const status = await mirror.json<{ checkpointTreeSize: number }>('/v1/status');
      return status.checkpointTreeSize >= size ? true : undefined;
    });
    const [a, b] = await Promise.all([
      primary.json<Record<string, unknown>>('/v1/catalog.jsonld'),
      mirror.json<Record<string, unknown>>('/v1/catalog.jsonld'),
    ]);
    const said = (doc: Record<string, unknown>) => ({
      language: doc['dct:language'],
      publisherType: (doc['dct:publisher'] as Record<string, unknown>)['dct:type'],
      datasetLanguages: (doc['dcat:dataset'] as Record<string, unknown>[]).map((d) => d['dct:language']),
    });
    expect(said(b)).toEqual(said(a));
    expect(said(a).language).toEqual([
      expect.objectContaining({ '@id': 'http://publications.europa.eu/resource/authority/language/ENG' }),
    ]);
  });

  it('answers wait=final with the checkpoint the witness quorum cosigned', async () => {
    const transport = { actor: 'TRANSPORT', keyPair: generateKeyPair() };
    const authority = authorityOf(primary);
    await expectPosted(
      primary,
      '/v1/identities?wait=final',
      sign(authority, 'RegisterIdentity', {
        identityId: 'FINAL',
        name: 'final',
        roles: ['issuer'],
        publicKeys: [transport.keyPair.publicKeyBase64],
      }),
    ).then((result) => {
      const checkpoint = result['checkpoint'] as { treeSize: number; note: string };
      expect(checkpoint.treeSize).toBeGreaterThan(result['leafIndex'] as number);
      expect(parseNote(checkpoint.note).signatures.map((s) => s.keyName)).toEqual([
        ORIGIN,
        witnessVkey.split('+')[0],
      ]);
    });
    const status = await primary.json<Record<string, unknown>>('/v1/status');
    expect(status).toMatchObject({ role: 'primary', witnessVerifierKey: null });
  });

  it('refuses writes on the mirror', async () => {
    const response = await post(mirror, '/v1/identities', sign(authorityOf(primary), 'RegisterIdentity', {}));
    expect(response).toMatchObject({ status: 403, body: { code: 'MIRROR_READ_ONLY' } });
  });

  it('speaks tlog-witness: 409 with its size, 404, 403, 400 and 422', async () => {
    const held = mirror.node.federation.witness!.state(ORIGIN)!;
    const note = held.note;
    const stale = await addCheckpoint(
      mirror,
      formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: note }),
    );
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await stale.text()).toBe(`${held.treeSize}\n`);
    const again = await addCheckpoint(
      mirror,
      formatAddCheckpointRequest({ oldSize: held.treeSize, proof: [], checkpoint: note }),
    );
    expect(again.status).toBe(200);
    expect(await again.text()).toMatch(/^\u2014 \S+ [A-Za-z0-9+/]+=*\n$/);
    const foreign = note.replaceAll(ORIGIN, 'other.example/log');
    expect((await addCheckpoint(mirror, `old 0\n\n${foreign}`)).status).toBe(404);
    const other = generateKeyPair();
    const forged = formatNote(
      signNote(parseNote(note).text, [ed25519NoteSigner(ORIGIN, other.publicKey, other.sign)]),
    );
    expect((await addCheckpoint(mirror, `old 0\n\n${forged}`)).status).toBe(403);
    expect((await addCheckpoint(mirror, `old ${held.treeSize + 1}\n\n${note}`)).status).toBe(400);
    expect((await addCheckpoint(mirror, 'hello')).status).toBe(400);
  });

  it('refuses a split view and an inconsistent checkpoint, keeps both notes, and raises the alarm', async () => {
    const held = mirror.node.federation.witness!.state(ORIGIN)!;
    const fork = signedByLog(held.treeSize, new Uint8Array(32).fill(7));
    const split = await addCheckpoint(
      mirror,
      formatAddCheckpointRequest({ oldSize: held.treeSize, proof: [], checkpoint: fork }),
    );
    expect(split.status).toBe(409);
    expect(await split.text()).toBe(`${held.treeSize}\n`);
    const bigger = signedByLog(held.treeSize + 5, new Uint8Array(32).fill(8));
    const bogusProof = Array.from({ length: 8 }, () => new Uint8Array(32).fill(9));
    const inconsistent = await addCheckpoint(
      mirror,
      formatAddCheckpointRequest({ oldSize: held.treeSize, proof: bogusProof, checkpoint: bigger }),
    );
    expect(inconsistent.status).toBe(422);
    // Refused: the witness still holds what it cosigned before.
    expect(mirror.node.federation.witness!.state(ORIGIN)).toEqual(held);

    const alerts = await mirror.json<{ total: number; alerts: Record<string, unknown>[] }>(
      '/v1/federation/alerts',
    );
    expect(alerts.total).toBe(2);
    expect(alerts.alerts[1]).toMatchObject({
      source: 'witness',
      kind: 'split-view',
      origin: ORIGIN,
      cosigned: held.note,
      submitted: fork,
      proof: [],
    });
    expect(alerts.alerts[0]).toMatchObject({ source: 'witness', kind: 'inconsistent', submitted: bigger });
    const metrics = await mirror.text('/metrics');
    expect(metrics).toContain('chancery_witness_alerts_total{source="witness",kind="split-view"} 1');
    expect(metrics).toContain('chancery_witness_alerts_total{source="witness",kind="inconsistent"} 1');
    expect(metrics).toMatch(/chancery_checkpoint_size \d+/);
  });

  it('keeps what it cosigned and its evidence across a restart', async () => {
    const held = mirror.node.federation.witness!.state(ORIGIN)!;
    const dataDir = mirror.dataDir;
    const url = new URL(mirror.url);
    await mirror.close();
    mirror = await startLiveNode({
      dataDir,
      port: Number(url.port),
      federation: { role: 'mirror', upstream: [primary.url], trust: logVkey },
    });
    expect(mirror.node.federation.witness!.state(ORIGIN)).toEqual(held);
    expect(mirror.node.federation.witness!.identity.vkey).toBe(witnessVkey);
    expect((await mirror.json<{ total: number }>('/v1/federation/alerts')).total).toBe(2);
  });
});

/**
 * The proxy alters entry 3 wherever a mirror can read it: in /v1/log/entries pages and in the
 * /tile/entries bundle that holds it. Each way of syncing must catch it before writing anything.
 */
describe.each([
  {
    sync: 'tiles',
    route: '/tile/entries/',
    unused: '/v1/log/entries',
    reason:
      /^root-mismatch: entry bundle tile\/entries\/000\.p\/\d+ does not match the signed tree: its leaf 3 does not hash to hash 3 of its level-0 tile/,
  },
  {
    sync: 'entries',
    route: '/v1/log/entries',
    unused: '/tile/',
    reason: /^root-mismatch: entries 0\.\.\d+ give the root \S+, the log signed \S+ for size \d+$/,
  },
] as const)('a mirror fed a tampered entry (sync $sync)', ({ sync, route, unused, reason }) => {
  let primary: LiveNode;
  let mirror: LiveNode;
  let proxy: TamperingProxy;

  beforeAll(async () => {
    primary = await startLiveNode({ clock: () => FIXED_NOW });
    await workload(primary);
    await primary.node.sealer.sealNow();
    // Serves the primary's answers, except that entry 3 of the log says something else.
    proxy = await startTamperingProxy(primary.url, {
      leaf: (leafIndex, leaf) => {
        if (leafIndex === 3) leaf.data['name'] = 'someone else';
      },
    });
    mirror = await startLiveNode({
      federation: {
        role: 'mirror',
        upstream: [proxy.url],
        trust: primary.node.sequencer.verifierKey,
        mirrorSync: sync,
      },
    });
  });

  afterAll(async () => {
    await mirror?.close();
    await primary?.close();
    await proxy?.close();
    for (const node of [primary, mirror])
      if (node !== undefined) rmSync(node.dataDir, { recursive: true, force: true });
  });

  it('stops before applying the page, keeps its last good state, and raises the alert', async () => {
    const status = await eventually('the mirror to halt', async () => {
      const s = await mirror.json<{ mirror: { halted: string | null; replicatedSize: number } }>(
        '/v1/federation/status',
      );
      return s.mirror.halted === null ? undefined : s;
    });
    // Refused for the right reason: the tampered leaf does not hash into the signed tree.
    expect(status.mirror.halted).toMatch(reason);
    // It read the route it was told to, and the tampered leaf came that way.
    expect(used(proxy, route).length).toBeGreaterThan(0);
    expect(used(proxy, unused)).toEqual([]);
    // Nothing of the tampered page was written: the replica is empty, as it was before.
    expect(status.mirror.replicatedSize).toBe(0);
    expect(await mirror.node.store.lastPosition()).toBeNull();
    const alerts = await mirror.json<{ alerts: Record<string, unknown>[] }>('/v1/federation/alerts');
    expect(alerts.alerts).toEqual([
      expect.objectContaining({
        source: 'mirror',
        kind: 'root-mismatch',
        submitted: await primary.text('/v1/log/checkpoint'),
      }),
    ]);
    expect(await mirror.text('/metrics')).toContain('chancery_mirror_halted 1');
  });
});

describe('a checkpoint that cuts a batch in the middle', () => {
  let primary: LiveNode;
  let mirror: LiveNode;
  let proxy: TamperingProxy;
  let cutServed = 0;
  let cut = 0;

  beforeAll(async () => {
    primary = await startLiveNode({ clock: () => FIXED_NOW });
    await workload(primary);
    await primary.node.sealer.sealNow();
    // The batch's entry and its two digest slices are one write; a checkpoint may be sealed between them.
    const entries = await primary.json<{ entries: { leafIndex: number; leaf: { type: string } }[] }>(
      '/v1/log/entries?start=0&limit=256',
    );
    const batch = entries.entries.find((e) => e.leaf.type === 'BatchCertified')!;
    cut = batch.leafIndex + 2;
    const nodeKey = readKeyFile(join(primary.dataDir, 'node.key'));
    const origin = primary.node.sequencer.origin;
    const cutNote = formatNote(
      signNote(
        formatCheckpoint({
          origin,
          treeSize: cut,
          rootHash: primary.node.sequencer.rootAt(cut),
          extensions: [],
        }),
        [ed25519NoteSigner(origin, nodeKey.publicKey, nodeKey.sign)],
      ),
    );
    // Upstream's latest checkpoint (on /checkpoint and /v1/log/checkpoint) is the cut one for a while, then the real one.
    proxy = await startTamperingProxy(primary.url, {
      checkpoint: () => {
        if (cutServed >= 5) return undefined;
        cutServed++;
        return cutNote;
      },
    });
    mirror = await startLiveNode({
      federation: { role: 'mirror', upstream: [proxy.url], trust: primary.node.sequencer.verifierKey },
    });
  });

  afterAll(async () => {
    await mirror?.close();
    await primary?.close();
    await proxy?.close();
    for (const node of [primary, mirror])
      if (node !== undefined) rmSync(node.dataDir, { recursive: true, force: true });
  });

  it('holds the cut write back, accepts no checkpoint it cannot reach, and completes it from the next one', async () => {
    await eventually('the cut checkpoint to be served', async () => (cutServed >= 5 ? true : undefined));
    const size = primary.node.sequencer.sequencedSize();
    const status = await eventually('the mirror to catch up', async () => {
      const s = await mirror.json<{ mirror: { replicatedSize: number; acceptedSize: number; halted: null } }>(
        '/v1/federation/status',
      );
      return s.mirror.acceptedSize === size ? s.mirror : undefined;
    });
    expect(status).toMatchObject({ replicatedSize: size, halted: null });
    // The cut checkpoint was never accepted: the mirror never had exactly `cut` leaves applied.
    expect(mirror.node.sequencer.checkpointAt(cut)).toBeNull();
    expect(await mirror.text('/v1/log/checkpoint')).toBe(await primary.text('/v1/log/checkpoint'));
  });
});
