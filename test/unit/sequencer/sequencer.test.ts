import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/domain/canonical/canonical-json.js';
import {
  decodeBase64,
  ed25519NoteVerifier,
  encodeBase64,
  parseCheckpoint,
  verifyConsistency,
  verifyNote,
} from '../../../src/domain/log/index.js';
import type { EventStore, JsonValue, RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import { Projector } from '../../../src/infrastructure/projections/projector.js';
import {
  CHECKPOINT_SEALED,
  CHECKPOINT_STREAM,
  readCheckpointEvent,
} from '../../../src/infrastructure/sequencer/checkpoint-event.js';
import { CheckpointSealer } from '../../../src/infrastructure/sequencer/checkpoint-sealer.js';
import {
  type CheckpointSigner,
  ed25519CheckpointSigner,
} from '../../../src/infrastructure/sequencer/checkpoint-signer.js';
import {
  LogClosedError,
  LogDivergenceError,
  SealTimeoutError,
  Sequencer,
} from '../../../src/infrastructure/sequencer/sequencer.js';
import { openEventStore } from '../../../src/node/open-event-store.js';
import { generateKeyPair, type KeyPair, keyPairFromPem } from '../../../src/protocol/key-pair.js';
import { mth, referenceLeafHash } from '../log/reference-merkle.js';

const ORIGIN = 'test.example/chancery';
// RFC 8032 strictness, as the browser verifier uses it: an independent Ed25519 implementation from node:crypto.
const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

interface MiniNode {
  readonly db: NodeDatabase;
  readonly sequencer: Sequencer;
  readonly projector: Projector;
  readonly sealer: CheckpointSealer;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-sequencer-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(dir: string): Promise<EventStore> {
  const store = await openEventStore({ kind: 'sqlite', path: join(dir, 'events.db'), pollIntervalMs: 10 });
  cleanups.push(() => store.close());
  return store;
}

function startMiniNode(
  store: EventStore,
  signer: CheckpointSigner,
  options: { dbFile?: string; sealIntervalMs?: number; maxLeavesPerSeal?: number } = {},
): MiniNode {
  const db = openNodeDatabase(options.dbFile ?? ':memory:');
  const sequencer = new Sequencer(db, signer.origin, signer.verifierKey);
  const projector = new Projector(store, db, [sequencer]);
  const sealer = new CheckpointSealer({
    store,
    sequencer,
    signer,
    sealIntervalMs: options.sealIntervalMs ?? 3_600_000,
    maxLeavesPerSeal: options.maxLeavesPerSeal ?? 1_000_000,
  });
  projector.start();
  sealer.start();
  let closed = false;
  const node: MiniNode = {
    db,
    sequencer,
    projector,
    sealer,
    async close() {
      if (closed) return;
      closed = true;
      await sealer.stop();
      sequencer.close();
      await projector.stop();
      db.close();
    },
  };
  cleanups.push(() => node.close());
  return node;
}

function signerFor(key: KeyPair): CheckpointSigner {
  return ed25519CheckpointSigner(ORIGIN, key.publicKey, key.sign);
}

const envelopeOf = (i: number): JsonValue => ({
  payload: { type: 'DoThing', actor: 'DEPT', commandId: `cmd-${i}`, n: i },
  signature: { keyId: 'ed25519:xxxxxxxxxxxxxxxxxxxxxx', alg: 'Ed25519', value: 'c2lnbmF0dXJl' },
});

/** Appends `count` domain events, each caused by a (fake) signed command. Returns the last position. */
async function appendEvents(store: EventStore, from: number, count: number): Promise<bigint> {
  let last = 0n;
  for (let i = from; i < from + count; i++) {
    const appended = await store.append(
      `thing-${i}`,
      [
        {
          type: 'ThingHappened',
          data: { i },
          metadata: {
            commandId: `cmd-${i}`,
            actor: 'DEPT',
            keyId: 'k',
            payloadDigest: 'd',
            envelope: envelopeOf(i),
          },
        },
      ],
      'no_stream',
    );
    last = appended.position;
  }
  return last;
}

async function checkpointEvents(store: EventStore): Promise<RecordedEvent[]> {
  return store.readStream(CHECKPOINT_STREAM, { maxCount: 1000 });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Sequencer: leaf assignment', () => {
  it('makes each domain event a leaf in commit order, with the RFC 8785 bytes of { type, stream, data, envelope }', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()));
    await appendEvents(store, 0, 3);
    const bare = await store.append('bare', [{ type: 'NoCommand', data: { x: [1, 'é'] } }], 'no_stream');
    await node.projector.waitFor(bare.position);

    expect(node.sequencer.sequencedSize()).toBe(4);
    const first = node.sequencer.entry(0)!;
    expect(new TextDecoder().decode(first.leaf)).toBe(
      new TextDecoder().decode(
        canonicalBytes({ type: 'ThingHappened', stream: 'thing-0', data: { i: 0 }, envelope: envelopeOf(0) }),
      ),
    );
    // An event without a command still has a fixed leaf shape: envelope null, never a missing key.
    expect(new TextDecoder().decode(node.sequencer.entry(3)!.leaf)).toBe(
      '{"data":{"x":[1,"é"]},"envelope":null,"stream":"bare","type":"NoCommand"}',
    );
    expect(node.sequencer.leafIndexForPosition(bare.position)).toBe(3);
  });

  it('skips checkpoint events: sealing adds no leaf', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()));
    await node.projector.waitFor(await appendEvents(store, 0, 5));
    await node.sealer.sealNow();
    const [event] = await checkpointEvents(store);
    await node.projector.waitFor(event!.position);
    expect(node.sequencer.sequencedSize()).toBe(5);
    expect(node.sequencer.leafIndexForPosition(event!.position)).toBeNull();
  });
});

describe('CheckpointSealer', () => {
  it('publishes a C2SP signed checkpoint that an independent Ed25519 verifies, as a CheckpointSealed event', async () => {
    const store = await openStore(tempDir());
    const signer = signerFor(generateKeyPair());
    const node = startMiniNode(store, signer);
    await node.projector.waitFor(await appendEvents(store, 0, 7));
    await node.sealer.sealNow();

    const [event] = await checkpointEvents(store);
    expect(event).toMatchObject({ stream: CHECKPOINT_STREAM, revision: 0n, type: CHECKPOINT_SEALED });
    const published = readCheckpointEvent(event!);
    const verified = verifyNote(published.note, [ed25519NoteVerifier(signer.verifierKey, nobleVerify)]);
    const body = parseCheckpoint(verified.text);
    const leaves = Array.from({ length: 7 }, (_, i) => referenceLeafHash(node.sequencer.entry(i)!.leaf));
    expect(body).toEqual({ origin: ORIGIN, treeSize: 7, rootHash: mth(leaves), extensions: [] });
    expect(event!.data).toEqual({
      origin: ORIGIN,
      treeSize: 7,
      rootHash: encodeBase64(mth(leaves)),
      note: published.note,
    });
    expect(node.sequencer.latestCheckpoint()).toEqual({
      treeSize: 7,
      rootHash: mth(leaves),
      note: published.note,
    });
  });

  it('does not seal when the tree did not grow', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()));
    await node.projector.waitFor(await appendEvents(store, 0, 2));
    await node.sealer.sealNow();
    await node.sealer.sealNow();
    expect(await checkpointEvents(store)).toHaveLength(1);
  });

  it('seals after the interval from the first unsealed leaf', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()), { sealIntervalMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    // Idle: nothing to seal, nothing published.
    expect(await checkpointEvents(store)).toHaveLength(0);
    await node.projector.waitFor(await appendEvents(store, 0, 1));
    await until(() => node.sequencer.latestCheckpoint()?.treeSize === 1);
  });

  it('seals at once when maxLeavesPerSeal leaves wait, without waiting for the interval', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()), { maxLeavesPerSeal: 4 });
    await node.projector.waitFor(await appendEvents(store, 0, 3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(node.sequencer.latestCheckpoint()).toBeNull();
    await appendEvents(store, 3, 1);
    await until(() => (node.sequencer.latestCheckpoint()?.treeSize ?? 0) >= 4);
  });

  it('resolves waitForSeal with the first checkpoint that contains the leaf, and times out otherwise', async () => {
    const store = await openStore(tempDir());
    const node = startMiniNode(store, signerFor(generateKeyPair()));
    await node.projector.waitFor(await appendEvents(store, 0, 3));
    const waiting = node.sequencer.waitForSeal(2, 5000);
    const tooLate = node.sequencer.waitForSeal(3, 30);
    await node.sealer.sealNow();
    expect((await waiting).treeSize).toBe(3);
    await expect(tooLate).rejects.toBeInstanceOf(SealTimeoutError);
    // Already sealed: answered at once.
    expect((await node.sequencer.waitForSeal(0, 1)).treeSize).toBe(3);
    const pending = node.sequencer.waitForSeal(10, 5000);
    node.sequencer.close();
    await expect(pending).rejects.toBeInstanceOf(LogClosedError);
  });

  it('lets exactly one of two racing nodes win each size; the loser adopts the winner', async () => {
    const store = await openStore(tempDir());
    // One log, one key: a cluster's nodes share the log key; each has its own node database.
    const signer = signerFor(generateKeyPair());
    const a = startMiniNode(store, signer);
    const b = startMiniNode(store, signer);
    let next = 0;
    for (let round = 0; round < 12; round++) {
      const count = 1 + (round % 4);
      const last = await appendEvents(store, next, count);
      next += count;
      await Promise.all([a.projector.waitFor(last), b.projector.waitFor(last)]);
      await Promise.all([a.sealer.sealNow(), b.sealer.sealNow()]);
      // Both serve the same head: the winner's own, the loser's adopted.
      expect(a.sequencer.latestCheckpoint()?.note).toBe(b.sequencer.latestCheckpoint()?.note);
      expect(a.sequencer.latestCheckpoint()?.treeSize).toBe(next);
    }
    const events = await checkpointEvents(store);
    const sizes = events.map((e) => readCheckpointEvent(e).treeSize);
    // One checkpoint per round: never two at one size, never a size going back.
    expect(sizes).toHaveLength(12);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThan(sizes[i - 1]!);
    expect(a.sealer.stats().racesLost + b.sealer.stats().racesLost).toBe(12);
    expect(a.sealer.stats().sealed + b.sealer.stats().sealed).toBe(12);
    // Successive checkpoints are consistent.
    for (let i = 1; i < events.length; i++) {
      const older = readCheckpointEvent(events[i - 1]!);
      const newer = readCheckpointEvent(events[i]!);
      verifyConsistency(
        older.treeSize,
        newer.treeSize,
        a.sequencer.consistencyProof(older.treeSize, newer.treeSize),
        older.rootHash,
        newer.rootHash,
      );
    }
  });

  it('a node behind the winner adopts it, and never publishes a smaller tree on top of it', async () => {
    const store = await openStore(tempDir());
    const signer = signerFor(generateKeyPair());
    const ahead = startMiniNode(store, signer);
    const behind = startMiniNode(store, signer);
    let last = await appendEvents(store, 0, 3);
    await Promise.all([ahead.projector.waitFor(last), behind.projector.waitFor(last)]);
    await ahead.sealer.sealNow();
    last = await appendEvents(store, 3, 2);
    await behind.projector.waitFor(last);
    // `behind` stops consuming the feed with 5 leaves, knowing only the size-3 checkpoint.
    await behind.projector.stop();
    await ahead.projector.waitFor(await appendEvents(store, 5, 2));
    await ahead.sealer.sealNow();
    expect(behind.sequencer.sequencedSize()).toBe(5);
    expect(behind.sequencer.knownTreeSize()).toBe(3);

    // Its append of size 5 loses; it reads the size-7 winner, cannot check it yet, and stops there.
    await behind.sealer.sealNow();
    expect(behind.sealer.stats()).toEqual({ sealed: 0, racesLost: 1, lastError: null });
    expect((await checkpointEvents(store)).map((e) => readCheckpointEvent(e).treeSize)).toEqual([3, 7]);
    expect(behind.sequencer.knownTreeSize()).toBe(7);
    expect(behind.sequencer.latestCheckpoint()?.treeSize).toBe(3);

    // Once the feed brings the leaves, the winner is verified and served.
    behind.projector.start();
    await behind.projector.waitFor((await store.lastPosition())!);
    expect(behind.sequencer.latestCheckpoint()).toEqual(ahead.sequencer.latestCheckpoint());
  });

  it('keeps the latest checkpoint across a restart, from node.db', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const signer = signerFor(generateKeyPair());
    const dbFile = join(dir, 'node.db');
    const first = startMiniNode(store, signer, { dbFile });
    await first.projector.waitFor(await appendEvents(store, 0, 4));
    await first.sealer.sealNow();
    const published = first.sequencer.latestCheckpoint();
    await first.projector.waitFor((await store.lastPosition())!);
    await first.close();

    const second = startMiniNode(store, signer, { dbFile });
    expect(second.sequencer.latestCheckpoint()).toEqual(published);
    expect(second.sequencer.checkpointRevision()).toBe(0n);
    expect(second.sequencer.checkpointAt(4)).toEqual(published);
    expect(second.sequencer.checkpointAt(3)).toBeNull();
  });
});

describe('Sequencer: refusing a split view', () => {
  function checkpointEvent(data: JsonValue, position: bigint): RecordedEvent {
    return {
      stream: CHECKPOINT_STREAM,
      revision: 0n,
      position,
      type: CHECKPOINT_SEALED,
      data,
      metadata: null,
      recordedAt: new Date(0).toISOString(),
    };
  }

  async function sequencedNode() {
    const store = await openStore(tempDir());
    const key = generateKeyPair();
    const signer = signerFor(key);
    const node = startMiniNode(store, signer);
    await node.projector.waitFor(await appendEvents(store, 0, 3));
    return { node, signer, key, otherSigner: signerFor(generateKeyPair()) };
  }

  it('throws LogDivergenceError on a checkpoint whose root differs from its own tree', async () => {
    const { node, signer } = await sequencedNode();
    const wrongRoot = new Uint8Array(32).fill(7);
    const event = checkpointEvent(
      { origin: ORIGIN, treeSize: 3, rootHash: encodeBase64(wrongRoot), note: signer.sign(3, wrongRoot) },
      99n,
    );
    expect(() => node.sequencer.apply(event)).toThrow(LogDivergenceError);
    expect(node.sequencer.latestCheckpoint()).toBeNull();
  });

  it('throws on a checkpoint larger than the events before it, of another origin, or whose note disagrees', async () => {
    const { node, signer } = await sequencedNode();
    const root = node.sequencer.rootAt(3);
    const cases: JsonValue[] = [
      { origin: ORIGIN, treeSize: 4, rootHash: encodeBase64(root), note: signer.sign(3, root) },
      { origin: 'elsewhere/log', treeSize: 3, rootHash: encodeBase64(root), note: signer.sign(3, root) },
      {
        origin: ORIGIN,
        treeSize: 3,
        rootHash: encodeBase64(root),
        note: signer.sign(2, node.sequencer.rootAt(2)),
      },
      { origin: ORIGIN, treeSize: 3, rootHash: encodeBase64(root), note: 'not a note' },
    ];
    for (const data of cases) {
      expect(() => node.sequencer.apply(checkpointEvent(data, 99n)), JSON.stringify(data)).toThrow(
        LogDivergenceError,
      );
    }
    expect(() => node.sequencer.apply(checkpointEvent({ treeSize: 'x' }, 99n))).toThrow(/malformed/);
  });

  it('accepts a checkpoint of the same tree signed with the log key by another node', async () => {
    const { node, key } = await sequencedNode();
    // Another node of the cluster: the same (shared) log key, its own signing process.
    const sameKeyElsewhere = signerFor(keyPairFromPem(key.privateKeyPem()));
    const root = node.sequencer.rootAt(2);
    const note = sameKeyElsewhere.sign(2, root);
    node.sequencer.apply(
      checkpointEvent({ origin: ORIGIN, treeSize: 2, rootHash: encodeBase64(root), note }, 99n),
    );
    expect(node.sequencer.latestCheckpoint()).toEqual({
      treeSize: 2,
      rootHash: decodeBase64(encodeBase64(root)),
      note,
    });
  });

  it('refuses a checkpoint of the right tree signed with another key, in the feed and when adopted', async () => {
    const { node, otherSigner } = await sequencedNode();
    const root = node.sequencer.rootAt(2);
    const data = {
      origin: ORIGIN,
      treeSize: 2,
      rootHash: encodeBase64(root),
      note: otherSigner.sign(2, root),
    };
    expect(() => node.sequencer.apply(checkpointEvent(data, 99n))).toThrow(
      /not signed by the log key test\.example\/chancery\+[0-9a-f]{8} .*same log key \(--log-key\)/,
    );
    // A winner read back after a lost race is checked too, even beyond the leaves this node has.
    const ahead = node.sequencer.rootAt(3);
    for (const treeSize of [2, 3, 7]) {
      const rootHash = treeSize === 7 ? new Uint8Array(32).fill(1) : treeSize === 3 ? ahead : root;
      expect(() =>
        node.sequencer.adopt({
          origin: ORIGIN,
          treeSize,
          rootHash,
          note: otherSigner.sign(treeSize, rootHash),
          revision: 5n,
          position: 1000n,
        }),
      ).toThrow(LogDivergenceError);
    }
    expect(node.sequencer.latestCheckpoint()).toBeNull();
    expect(node.sequencer.checkpointRevision()).toBeNull();
  });
});
