/**
 * Mirrors syncing from C2SP tlog-tiles, through a proxy that logs every
 * request and, in the adversarial cases, alters what it forwards:
 *  - an honest mirror reads /checkpoint, hash tiles and entry bundles, and
 *    never /v1/log/entries nor /v1/log/consistency; it accepts a checkpoint
 *    whose right edge is a partial tile, then catches up across full tiles
 *    (about 700 entries), the consistency proof computed from hash tiles;
 *  - a fresh mirror replays the whole log from tiles; one told to use the
 *    JSON API (CHANCERY_MIRROR_SYNC=entries) reads no tile at all;
 *  - a tampered entry bundle, a tampered full hash tile and a tampered
 *    right-edge tile each stop the mirror with a root-mismatch naming what
 *    did not match, with nothing of it written;
 *  - an entry too long for a bundle (409) is read from /v1/log/entries and
 *    checked against its hash tile, honest and altered;
 *  - a forked tree (the same log key signing two trees) served as honest
 *    tiles stops the mirror with an inconsistent alert, the proof computed
 *    from the fork's own tiles.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatVerifierKey,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
} from '../../src/domain/log/index.js';
import { generateKeyPair, type KeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
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

const ORIGIN = 'tiles-mirror.example/log';

interface MirrorState {
  readonly sync: string;
  readonly replicatedSize: number;
  readonly acceptedSize: number;
  readonly entriesDownloaded: number;
  readonly requests: number;
  readonly halted: string | null;
}

const logKey = generateKeyPair();
const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
const keyDir = mkdtempSync(join(tmpdir(), 'chancery-tiles-logkey-'));
const nodes: LiveNode[] = [];
const proxies: TamperingProxy[] = [];

async function post(node: LiveNode, url: string, body: unknown): Promise<void> {
  const response = await node.node.app.inject({ method: 'POST', url, payload: body as object });
  expect(response.statusCode, response.body).toBeLessThan(300);
}

/** A primary under the shared log key (two of them make a fork), with an accredited issuer. */
async function primaryWithIssuer(): Promise<{ primary: LiveNode; issuer: Signer }> {
  const primary = await startLiveNode({
    clock: () => FIXED_NOW,
    env: { CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') },
  });
  nodes.push(primary);
  const keyPair: KeyPair = generateKeyPair();
  const authority = authorityOf(primary);
  const sign = (signer: Signer, type: string, fields: Record<string, unknown>) =>
    signCommand(signer, type, fields as never, { issuedAt: ISSUED_AT });
  await post(
    primary,
    '/v1/identities',
    sign(authority, 'RegisterIdentity', {
      identityId: 'UNIVERSITY',
      name: 'University',
      roles: ['issuer'],
      publicKeys: [keyPair.publicKeyBase64],
    }),
  );
  await post(
    primary,
    '/v1/identities/UNIVERSITY/accredit',
    sign(authority, 'AccreditIdentity', { identityId: 'UNIVERSITY', recordTypes: ['diploma'] }),
  );
  return { primary, issuer: { actor: 'UNIVERSITY', keyPair } };
}

/** Certifies records (one log entry each) until the primary's log has `size` entries, then seals. */
async function growTo(primary: LiveNode, issuer: Signer, size: number): Promise<number> {
  let n = primary.node.sequencer.sequencedSize();
  while (n < size) {
    const batch = Array.from({ length: Math.min(25, size - n) }, (_, i) =>
      signCommand(
        issuer,
        'CertifyRecord',
        {
          recordDigest: createHash('sha256')
            .update(`diploma ${n + i} ${Math.random()}`)
            .digest('hex'),
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        } as never,
        { issuedAt: ISSUED_AT },
      ),
    );
    await Promise.all(batch.map((envelope) => post(primary, '/v1/certifications', envelope)));
    n = primary.node.sequencer.sequencedSize();
  }
  await primary.node.sealer.sealNow();
  return primary.node.sequencer.latestCheckpoint()!.treeSize;
}

async function mirrorVia(
  target: LiveNode,
  rules: TamperRules = {},
  sync?: 'tiles' | 'entries',
): Promise<{ mirror: LiveNode; proxy: TamperingProxy }> {
  const proxy = await startTamperingProxy(target.url, rules);
  proxies.push(proxy);
  const mirror = await startLiveNode({
    federation: {
      role: 'mirror',
      upstream: [proxy.url],
      trust: logVkey,
      ...(sync === undefined ? {} : { mirrorSync: sync }),
    },
  });
  nodes.push(mirror);
  return { mirror, proxy };
}

async function stateOf(mirror: LiveNode): Promise<MirrorState> {
  return (await mirror.json<{ mirror: MirrorState }>('/v1/federation/status')).mirror;
}

const accepted = (mirror: LiveNode, size: number, timeoutMs = 60_000) =>
  eventually(
    `the mirror to accept the checkpoint of size ${size}`,
    async () => {
      const state = await stateOf(mirror);
      if (state.halted !== null) throw new Error(`halted: ${state.halted}`);
      return state.acceptedSize >= size ? state : undefined;
    },
    timeoutMs,
  );

const halted = (mirror: LiveNode) =>
  eventually(
    'the mirror to halt',
    async () => {
      const state = await stateOf(mirror);
      return state.halted === null ? undefined : state;
    },
    60_000,
  );

/** Flips one byte of a hash tile: same length, other hashes. */
const flipped = (bytes: Uint8Array) => {
  const copy = bytes.slice();
  copy[5] = copy[5]! ^ 0xff;
  return copy;
};

let primary: LiveNode;
let issuer: Signer;
/** The primary's size before it grew: a partial level-0 tile is its right edge. */
let smallSize: number;
/** The primary's size after it grew across two full tiles. */
let size: number;
/** A mirror that followed the primary from the small size to the large one. */
let follower: { mirror: LiveNode; proxy: TamperingProxy };

beforeAll(async () => {
  writeKeyFiles(join(keyDir, 'log.key'), logKey);
  ({ primary, issuer } = await primaryWithIssuer());
  smallSize = await growTo(primary, issuer, 40);
  follower = await mirrorVia(primary);
  await accepted(follower.mirror, smallSize);
  size = await growTo(primary, issuer, 700);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((node) => node.close()));
  await Promise.allSettled(proxies.map((proxy) => proxy.close()));
  for (const node of nodes) rmSync(node.dataDir, { recursive: true, force: true });
  rmSync(keyDir, { recursive: true, force: true });
});

describe('an honest mirror syncing from tiles', () => {
  it('accepts a partial right edge, then catches up across full tiles with a proof from hash tiles', async () => {
    expect(smallSize % 256).not.toBe(0);
    expect(size).toBeGreaterThan(512);
    const { mirror, proxy } = follower;
    const state = await accepted(mirror, size);
    expect(state).toMatchObject({ sync: 'tiles', replicatedSize: size, halted: null });
    // Every entry came over once: the bundle it started in mid-way was read from its first new leaf.
    expect(state.entriesDownloaded).toBe(size);
    expect(state.requests).toBeGreaterThan(0);
    // Tiles only: the checkpoint, entry bundles (partial, then full), and hash tiles for the proofs.
    expect(used(proxy, '/v1/log/')).toEqual([]);
    expect(used(proxy, '/checkpoint').length).toBeGreaterThan(0);
    const bundles = used(proxy, '/tile/entries/');
    expect(bundles).toContain(`/tile/entries/000.p/${smallSize}`);
    expect(bundles).toEqual(expect.arrayContaining(['/tile/entries/000', '/tile/entries/001']));
    expect(bundles).toContain(`/tile/entries/002.p/${size % 256}`);
    // The consistency proof from the small tree needed the level-1 tile of the large one.
    expect(used(proxy, '/tile/1/').length).toBeGreaterThan(0);
    expect(await mirror.text('/v1/log/checkpoint')).toBe(await primary.text('/v1/log/checkpoint'));
    for (const index of [0, smallSize, 300, size - 1]) {
      const path = `/v1/log/proofs/inclusion?index=${index}&size=${size}`;
      expect(await mirror.text(path), path).toBe(await primary.text(path));
    }
  }, 90_000);

  it('replays the whole log from scratch from tiles, and from /v1/log/entries only when told to', async () => {
    const fromTiles = await mirrorVia(primary);
    const fromEntries = await mirrorVia(primary, {}, 'entries');
    const [tiles, entries] = await Promise.all([
      accepted(fromTiles.mirror, size),
      accepted(fromEntries.mirror, size),
    ]);
    expect(tiles).toMatchObject({ sync: 'tiles', replicatedSize: size, entriesDownloaded: size });
    expect(used(fromTiles.proxy, '/v1/log/')).toEqual([]);
    expect(used(fromTiles.proxy, '/tile/entries/').length).toBeGreaterThanOrEqual(3);
    expect(entries).toMatchObject({ sync: 'entries', replicatedSize: size, entriesDownloaded: size });
    expect(used(fromEntries.proxy, '/tile/')).toEqual([]);
    expect(used(fromEntries.proxy, '/checkpoint')).toEqual([]);
    expect(used(fromEntries.proxy, '/v1/log/entries').length).toBeGreaterThanOrEqual(3);
    const note = await primary.text('/v1/log/checkpoint');
    expect(await fromTiles.mirror.text('/v1/log/checkpoint')).toBe(note);
    expect(await fromEntries.mirror.text('/v1/log/checkpoint')).toBe(note);
  }, 120_000);
});

describe('a mirror fed tampered tiles', () => {
  /** The halt, its alert, and how far the mirror got: nothing of what did not match was written. */
  async function expectRefused(mirror: LiveNode, reason: RegExp, replicated: number) {
    const state = await halted(mirror);
    expect(state.halted).toMatch(reason);
    expect(state.replicatedSize).toBe(replicated);
    expect(state.acceptedSize).toBe(0);
    const alerts = await mirror.json<{ alerts: Record<string, unknown>[] }>('/v1/federation/alerts');
    expect(alerts.alerts).toEqual([
      expect.objectContaining({
        source: 'mirror',
        kind: 'root-mismatch',
        submitted: await primary.text('/checkpoint'),
      }),
    ]);
  }

  it('refuses an entry bundle whose leaf was altered, after applying the bundles before it', async () => {
    const { mirror, proxy } = await mirrorVia(primary, {
      leaf: (leafIndex, leaf) => {
        if (leafIndex === 300) leaf.data['recordType'] = 'licence';
      },
    });
    await expectRefused(
      mirror,
      /^root-mismatch: entry bundle tile\/entries\/001 does not match the signed tree: its leaf 44 does not hash to hash 44 of its level-0 tile \(tree size \d+\)/,
      256,
    );
    expect(used(proxy, '/v1/log/')).toEqual([]);
  }, 90_000);

  it('refuses a full hash tile that does not hash to its entry in the tile above', async () => {
    const { mirror } = await mirrorVia(primary, {
      hashTile: (path, bytes) => (path === 'tile/0/001' ? flipped(bytes) : undefined),
    });
    await expectRefused(
      mirror,
      /^root-mismatch: tile tile\/0\/001 does not hash to its entry in tile tile\/1\/000\.p\/2 /,
      256,
    );
  }, 90_000);

  it('refuses right-edge tiles that do not give the signed root, before writing anything', async () => {
    const { mirror } = await mirrorVia(primary, {
      hashTile: (path, bytes) => (path === 'tile/1/000.p/2' ? flipped(bytes) : undefined),
    });
    const edge = `tile/0/002.p/${size % 256}, tile/1/000.p/2`.replaceAll('/', '\\/').replaceAll('.', '\\.');
    await expectRefused(mirror, new RegExp(`^root-mismatch: the right-edge tiles ${edge} give the root `), 0);
    expect(await mirror.node.store.lastPosition()).toBeNull();
  }, 60_000);
});

describe('a mirror fed a tile of the wrong length', () => {
  it('refuses it as an unusable upstream (fails over, no halt): length is not evidence against the log', async () => {
    const { mirror } = await mirrorVia(primary, {
      hashTile: (path, bytes) =>
        path === 'tile/1/000.p/2' ? new Uint8Array([...bytes, ...bytes]) : undefined,
    });
    const state = await eventually('the mirror to refuse the tile', async () => {
      const s = await stateOf(mirror);
      const error = (await mirror.json<{ mirror: { lastError: string | null } }>('/v1/federation/status'))
        .mirror.lastError;
      return error === null ? undefined : { ...s, error };
    });
    expect(state.error).toMatch(/\/tile\/1\/000\.p\/2: more than 64 bytes$/);
    expect(state).toMatchObject({ halted: null, replicatedSize: 0 });
  }, 60_000);
});

describe('a mirror shown a forked tree', () => {
  it('stops with an inconsistent alert: the proof from the fork’s own tiles does not reach the accepted root', async () => {
    // The same log key signs a second, different tree: the fork a split-view attack needs.
    const fork = await primaryWithIssuer();
    const forkSize = await growTo(fork.primary, fork.issuer, 10);
    const { mirror, proxy } = await mirrorVia(fork.primary);
    await accepted(mirror, forkSize);
    const forkNote = await mirror.text('/v1/log/checkpoint');
    proxy.retarget(primary.url);
    const before = proxy.requests.length;
    const state = await halted(mirror);
    expect(state.halted).toMatch(
      new RegExp(
        `^inconsistent: the checkpoint of size ${size} is not consistent with the accepted one of size ${forkSize}: `,
      ),
    );
    expect(state).toMatchObject({ replicatedSize: forkSize, acceptedSize: forkSize });
    // The proof came from the primary's hash tiles (which do give its signed root), not from its JSON API.
    const after = proxy.requests.slice(before);
    expect(after.some((path) => path.startsWith('/tile/0/') || path.startsWith('/tile/1/'))).toBe(true);
    expect(after.filter((path) => path.startsWith('/v1/log/'))).toEqual([]);
    const alerts = await mirror.json<{ alerts: Record<string, unknown>[] }>('/v1/federation/alerts');
    expect(alerts.alerts).toEqual([
      expect.objectContaining({
        source: 'mirror',
        kind: 'inconsistent',
        cosigned: forkNote,
        submitted: await primary.text('/checkpoint'),
      }),
    ]);
    expect(parseCheckpoint(parseNote(forkNote).text).treeSize).toBe(forkSize);
  }, 90_000);
});

/**
 * An entry longer than the 65,535 bytes a tlog-tiles entry bundle can frame (a catalog entry whose
 * JSON Schema is large: the node takes up to 128 KiB of it): its bundle answers 409
 * BUNDLE_ENTRY_TOO_LARGE, and a mirror syncing from tiles must neither stall there for ever nor take
 * the entries on trust. It reads that bundle's entries from /v1/log/entries and ties each to its slot
 * of the level-0 hash tile, itself tied to the signed checkpoint; a proxy that alters one of them
 * halts it with a root-mismatch. A primary of its own (under the same log key, so a fork of the one
 * above; each mirror here reads only this one).
 */
describe('an entry too long for a tlog-tiles bundle', () => {
  let longPrimary: LiveNode;
  let longSize: number;
  let longIndex: number;

  beforeAll(async () => {
    longPrimary = await startLiveNode({
      clock: () => FIXED_NOW,
      env: { CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') },
    });
    nodes.push(longPrimary);
    const keyPair = generateKeyPair();
    const sign = (signer: Signer, type: string, fields: Record<string, unknown>) =>
      signCommand(signer, type, fields as never, { issuedAt: ISSUED_AT });
    await post(
      longPrimary,
      '/v1/identities',
      sign(authorityOf(longPrimary), 'RegisterIdentity', {
        identityId: 'STATS',
        name: 'Statistics bureau',
        roles: ['publisher'],
        publicKeys: [keyPair.publicKeyBase64],
      }),
    );
    const stats = { actor: 'STATS', keyPair };
    // A record schema of ~100 KB (the node takes up to 128 KiB): its entry cannot be framed in a bundle.
    const conformsTo = { type: 'object', description: 'census fields '.repeat(7500) };
    longIndex = longPrimary.node.sequencer.sequencedSize();
    await post(
      longPrimary,
      '/v1/directory/entries',
      sign(stats, 'PublishCatalogEntry', entryFields({ conformsTo })),
    );
    // Entries after it in the same bundle.
    for (let i = 0; i < 3; i++)
      await post(longPrimary, '/v1/directory/entries', sign(stats, 'PublishCatalogEntry', entryFields()));
    await longPrimary.node.sealer.sealNow();
    longSize = longPrimary.node.sequencer.latestCheckpoint()!.treeSize;
  }, 120_000);

  it('is not framed: its bundle answers 409, and /v1/log/entries serves it', async () => {
    const bundle = await longPrimary.node.app.inject({
      method: 'GET',
      url: `/tile/entries/000.p/${longSize}`,
    });
    expect(bundle.statusCode).toBe(409);
    expect(JSON.parse(bundle.body)).toMatchObject({ code: 'BUNDLE_ENTRY_TOO_LARGE' });
    const page = await longPrimary.json<{ entries: { leafIndex: number; leaf: unknown }[] }>(
      `/v1/log/entries?start=${longIndex}&end=${longIndex + 1}`,
    );
    expect(Buffer.byteLength(JSON.stringify(page.entries[0]!.leaf))).toBeGreaterThan(65_535);
  });

  it('reaches a mirror syncing from tiles: that bundle read from /v1/log/entries, checked against its hash tile', async () => {
    const { mirror, proxy } = await mirrorVia(longPrimary);
    const state = await accepted(mirror, longSize);
    expect(state).toMatchObject({ replicatedSize: longSize, acceptedSize: longSize, halted: null });
    expect(used(proxy, '/tile/entries/')).toContain(`/tile/entries/000.p/${longSize}`);
    expect(used(proxy, '/v1/log/entries').length).toBeGreaterThan(0);
    expect(await mirror.text('/v1/log/checkpoint')).toBe(await longPrimary.text('/v1/log/checkpoint'));
    const path = `/v1/log/proofs/inclusion?index=${longIndex}&size=${longSize}`;
    expect(await mirror.text(path)).toBe(await longPrimary.text(path));
  }, 90_000);

  it('halts a mirror when what /v1/log/entries serves in its place is not in the signed tree', async () => {
    const { mirror } = await mirrorVia(longPrimary, {
      leaf: (leafIndex, leaf) => {
        if (leafIndex === longIndex + 1) leaf.data['title'] = 'Not what was published';
      },
    });
    const state = await halted(mirror);
    expect(state.halted).toBe(
      `root-mismatch: entry ${longIndex + 1} from /v1/log/entries does not hash to its level-0 tile ` +
        `(tree size ${longSize}): upstream serves tiles the log's checkpoint does not commit to`,
    );
    expect(state.acceptedSize).toBe(0);
    expect(state.replicatedSize).toBeLessThanOrEqual(longIndex + 1);
  }, 90_000);
});
