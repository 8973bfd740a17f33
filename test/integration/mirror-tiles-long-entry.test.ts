/**
 * An entry longer than the 65,535 bytes a tlog-tiles entry bundle can frame
 * (a catalog entry whose JSON Schema is large: the node takes up to 128 KiB
 * of it): its bundle answers 409 BUNDLE_ENTRY_TOO_LARGE, and a mirror
 * syncing from tiles must neither stall there for ever nor take the entries
 * on trust. It reads that bundle's entries from /v1/log/entries and ties
 * each to its slot of the level-0 hash tile, itself tied to the signed
 * checkpoint; a proxy that alters one of them halts it with a root-mismatch.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { entryFields } from '../support/directory-fixtures.js';
import { authorityOf, eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import {
  startTamperingProxy,
  type TamperingProxy,
  type TamperRules,
  used,
} from '../support/tampering-proxy.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const ORIGIN = 'long-entry.example/log';
const logKey = generateKeyPair();
const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
const keyDir = mkdtempSync(join(tmpdir(), 'chancery-long-entry-'));
const nodes: LiveNode[] = [];
const proxies: TamperingProxy[] = [];

interface MirrorState {
  readonly replicatedSize: number;
  readonly acceptedSize: number;
  readonly halted: string | null;
}

async function post(node: LiveNode, url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await node.node.app.inject({ method: 'POST', url, payload: body as object });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return JSON.parse(response.body) as Record<string, unknown>;
}

async function mirrorVia(target: LiveNode, rules: TamperRules = {}) {
  const proxy = await startTamperingProxy(target.url, rules);
  proxies.push(proxy);
  const mirror = await startLiveNode({
    federation: { role: 'mirror', upstream: [proxy.url], trust: logVkey },
  });
  nodes.push(mirror);
  return { mirror, proxy };
}

const stateOf = async (mirror: LiveNode) =>
  (await mirror.json<{ mirror: MirrorState }>('/v1/federation/status')).mirror;

let primary: LiveNode;
let size: number;
let longIndex: number;

beforeAll(async () => {
  writeKeyFiles(join(keyDir, 'log.key'), logKey);
  primary = await startLiveNode({
    clock: () => FIXED_NOW,
    env: { CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') },
  });
  nodes.push(primary);
  const keyPair = generateKeyPair();
  const sign = (signer: Signer, type: string, fields: Record<string, unknown>) =>
    signCommand(signer, type, fields as never, { issuedAt: ISSUED_AT });
  await post(
    primary,
    '/v1/identities',
    sign(authorityOf(primary), 'RegisterIdentity', {
      identityId: 'STATS',
      name: 'Statistics bureau',
      roles: ['publisher'],
      publicKeys: [keyPair.publicKeyBase64],
    }),
  );
  const stats = { actor: 'STATS', keyPair };
  // A record schema of ~100 KB (the node takes up to 128 KiB): its entry cannot be framed in a bundle.
  const conformsTo = { type: 'object', description: 'census fields '.repeat(7500) };
  longIndex = primary.node.sequencer.sequencedSize();
  await post(
    primary,
    '/v1/directory/entries',
    sign(stats, 'PublishCatalogEntry', entryFields({ conformsTo })),
  );
  // Entries after it in the same bundle, and then some.
  for (let i = 0; i < 3; i++)
    await post(primary, '/v1/directory/entries', sign(stats, 'PublishCatalogEntry', entryFields()));
  await primary.node.sealer.sealNow();
  size = primary.node.sequencer.latestCheckpoint()!.treeSize;
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((node) => node.close()));
  await Promise.allSettled(proxies.map((proxy) => proxy.close()));
  for (const node of nodes) rmSync(node.dataDir, { recursive: true, force: true });
  rmSync(keyDir, { recursive: true, force: true });
});

describe('an entry too long for a tlog-tiles bundle', () => {
  it('is not framed: its bundle answers 409, and /v1/log/entries serves it', async () => {
    const bundle = await primary.node.app.inject({ method: 'GET', url: `/tile/entries/000.p/${size}` });
    expect(bundle.statusCode).toBe(409);
    expect(JSON.parse(bundle.body)).toMatchObject({ code: 'BUNDLE_ENTRY_TOO_LARGE' });
    const page = await primary.json<{ entries: { leafIndex: number; leaf: unknown }[] }>(
      `/v1/log/entries?start=${longIndex}&end=${longIndex + 1}`,
    );
    expect(Buffer.byteLength(JSON.stringify(page.entries[0]!.leaf))).toBeGreaterThan(65_535);
  });

  it('reaches a mirror syncing from tiles: that bundle read from /v1/log/entries, checked against its hash tile', async () => {
    const { mirror, proxy } = await mirrorVia(primary);
    const state = await eventually(
      `the mirror to accept the checkpoint of size ${size}`,
      async () => {
        const s = await stateOf(mirror);
        if (s.halted !== null) throw new Error(`halted: ${s.halted}`);
        return s.acceptedSize >= size ? s : undefined;
      },
      60_000,
    );
    expect(state).toMatchObject({ replicatedSize: size, acceptedSize: size, halted: null });
    expect(used(proxy, '/tile/entries/')).toContain(`/tile/entries/000.p/${size}`);
    expect(used(proxy, '/v1/log/entries').length).toBeGreaterThan(0);
    expect(await mirror.text('/v1/log/checkpoint')).toBe(await primary.text('/v1/log/checkpoint'));
    const path = `/v1/log/proofs/inclusion?index=${longIndex}&size=${size}`;
    expect(await mirror.text(path)).toBe(await primary.text(path));
  }, 90_000);

  it('halts a mirror when what /v1/log/entries serves in its place is not in the signed tree', async () => {
    const { mirror } = await mirrorVia(primary, {
      leaf: (leafIndex, leaf) => {
        if (leafIndex === longIndex + 1) leaf.data['title'] = 'Not what was published';
      },
    });
    const state = await eventually(
      'the mirror to halt',
      async () => {
        const s = await stateOf(mirror);
        return s.halted === null ? undefined : s;
      },
      60_000,
    );
    expect(state.halted).toBe(
      `root-mismatch: entry ${longIndex + 1} from /v1/log/entries does not hash to its level-0 tile ` +
        `(tree size ${size}): upstream serves tiles the log's checkpoint does not commit to`,
    );
    expect(state.acceptedSize).toBe(0);
    expect(state.replicatedSize).toBeLessThanOrEqual(longIndex + 1);
  }, 90_000);
});
