import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LogProofError,
  leafHash,
  storedHashCount,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/domain/log/index.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../../../src/infrastructure/sequencer/merkle-hash-store.js';
import { consistency, mth, path, referenceLeafHash } from '../log/reference-merkle.js';
import { toB64, vectorLeaves, vectors } from '../log/tlog-vectors.js';

function openStore(db: NodeDatabase = openNodeDatabase(':memory:')): MerkleHashStore {
  const store = new MerkleHashStore(db);
  store.migrate();
  return store;
}

function leafBytes(i: number): Uint8Array {
  return new TextEncoder().encode(`{"leaf":${i}}`);
}

function expectLogError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LogProofError);
    expect((error as LogProofError).code).toBe(code);
    return;
  }
  expect.fail(`expected LogProofError ${code}`);
}

/** Sizes around powers of two, where the stored-hash layout and the RFC 6962 split change shape. */
const EDGE_SIZES = [
  0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
];

describe('MerkleHashStore (SQLite, tlog stored-hash layout)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reproduces every root of the Go tlog vectors, sizes 1..70', () => {
    const store = openStore();
    vectorLeaves.forEach((leaf, i) => {
      expect(store.append(BigInt(i + 1), leaf)).toBe(i);
    });
    for (let k = 1; k <= vectors.roots_b64.length; k++) {
      expect(toB64(store.root(k)), `size ${k}`).toBe(vectors.roots_b64[k - 1]);
    }
  });

  it('stores exactly storedHashCount(n) hashes at every edge size', () => {
    const store = openStore();
    let n = 0;
    for (const size of EDGE_SIZES) {
      while (n < size) store.append(BigInt(n + 1), leafBytes(n++));
      expect(store.storedHashRows(), `size ${size}`).toBe(storedHashCount(size));
      expect(store.size).toBe(size);
    }
  });

  it('agrees with a literal RFC 6962 transcription on roots, inclusion and consistency proofs', () => {
    const store = openStore();
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < 70; i++) {
      store.append(BigInt(100 + i), leafBytes(i));
      hashes.push(referenceLeafHash(leafBytes(i)));
    }
    for (const size of EDGE_SIZES.filter((s) => s <= 70)) {
      expect(toB64(store.root(size)), `root ${size}`).toBe(toB64(mth(hashes.slice(0, size))));
      for (let i = 0; i < size; i++) {
        const proof = store.inclusionProof(i, size);
        expect(proof.map(toB64), `path ${i}@${size}`).toEqual(path(i, hashes.slice(0, size)).map(toB64));
        verifyInclusion(i, size, hashes[i]!, proof, store.root(size));
      }
      for (let old = 1; old <= size; old++) {
        const proof = store.consistencyProof(old, size);
        expect(proof.map(toB64), `consistency ${old}→${size}`).toEqual(
          consistency(old, hashes.slice(0, size)).map(toB64),
        );
        verifyConsistency(old, size, proof, store.root(old), store.root(size));
      }
    }
  });

  it('reads O(log n) hashes per append and per proof (counted through its HashReader)', () => {
    const store = openStore();
    const n = 5000;
    let maxAppendReads = 0;
    for (let i = 0; i < n; i++) {
      const before = store.hashReads;
      store.append(BigInt(i + 1), leafBytes(i));
      maxAppendReads = Math.max(maxAppendReads, store.hashReads - before);
    }
    const log2 = Math.ceil(Math.log2(n));
    // Appending leaf m reads one hash per subtree it completes: trailingZeros(m + 1) ≤ log2(n).
    expect(maxAppendReads).toBeLessThanOrEqual(log2);
    for (const [index, size] of [
      [0, n],
      [n - 1, n],
      [1234, n],
      [2047, 4097],
      [4095, 4096],
    ] as const) {
      const before = store.hashReads;
      store.inclusionProof(index, size);
      // An audit path has ≤ log2(n) hashes, and each is one stored complete subtree or a fold of ≤ log2(n) of them.
      expect(store.hashReads - before, `inclusion ${index}@${size}`).toBeLessThanOrEqual(2 * log2);
    }
    for (const [from, to] of [
      [1, n],
      [2047, n],
      [4096, n],
      [n - 1, n],
      [777, 3333],
    ] as const) {
      const before = store.hashReads;
      store.consistencyProof(from, to);
      expect(store.hashReads - before, `consistency ${from}→${to}`).toBeLessThanOrEqual(2 * log2 + 1);
    }
    const before = store.hashReads;
    store.root(n);
    expect(store.hashReads - before).toBeLessThanOrEqual(log2 + 1);
  });

  it('maps positions to leaf indexes and back, and pages entries', () => {
    const store = openStore();
    for (let i = 0; i < 10; i++) store.append(BigInt(1000 + 3 * i), leafBytes(i));
    expect(store.leafIndexForPosition(1000n + 9n)).toBe(3);
    expect(store.leafIndexForPosition(1001n)).toBeNull();
    expect(store.leafIndexForPosition(-1n)).toBeNull();
    expect(store.entry(3)).toEqual({ leafIndex: 3, position: 1009n, leaf: leafBytes(3) });
    expect(store.entry(10)).toBeNull();
    expect(store.entry(-1)).toBeNull();
    expect(store.entries(2, 9, 3).map((e) => e.leafIndex)).toEqual([2, 3, 4]);
    expect(store.entries(8, 100, 10).map((e) => e.leafIndex)).toEqual([8, 9]);
    expect(store.entries(5, 5, 10)).toEqual([]);
    expect(toB64(store.leafHashAt(3))).toBe(toB64(leafHash(leafBytes(3))));
  });

  it('refuses a position twice: one event is one leaf', () => {
    const store = openStore();
    store.append(7n, leafBytes(0));
    expect(() => store.append(7n, leafBytes(1))).toThrow(/UNIQUE/);
  });

  it('refuses proofs beyond the stored leaves before reading a missing slot', () => {
    const store = openStore();
    for (let i = 0; i < 5; i++) store.append(BigInt(i + 1), leafBytes(i));
    expectLogError(() => store.root(6), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => store.inclusionProof(5, 5), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => store.inclusionProof(0, 6), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => store.inclusionProof(-1, 5), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => store.consistencyProof(4, 6), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => store.consistencyProof(5, 4), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => store.leafHashAt(5), 'INDEX_OUT_OF_RANGE');
  });

  /** A node.db path in a folder of its own, removed after the suite. */
  function freshFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'chancery-hash-store-'));
    dirs.push(dir);
    return join(dir, 'node.db');
  }

  it('survives a reopen of the file with the same size, roots and proofs', () => {
    const file = freshFile();
    const first = openNodeDatabase(file);
    const store = openStore(first);
    for (let i = 0; i < 37; i++) store.append(BigInt(i + 1), leafBytes(i));
    const root = toB64(store.root(37));
    first.close();
    const reopened = openStore(openNodeDatabase(file));
    expect(reopened.size).toBe(37);
    expect(toB64(reopened.root(37))).toBe(root);
    reopened.append(38n, leafBytes(37));
    expect(reopened.storedHashRows()).toBe(storedHashCount(38));
  });

  it('keeps each full level-0 tile as one row of its 256 leaf hashes, also across a reopen mid-tile', () => {
    const file = freshFile();
    const first = openNodeDatabase(file);
    const store = openStore(first);
    // 300 leaves: tile 0 complete, tile 1 a third full when the file is closed.
    for (let i = 0; i < 300; i++) store.append(BigInt(i + 1), leafBytes(i));
    first.close();
    const reopened = openStore(openNodeDatabase(file));
    for (let i = 300; i < 700; i++) reopened.append(BigInt(i + 1), leafBytes(i));
    const tileOf = (t: number) =>
      Buffer.concat(
        Array.from({ length: 256 }, (_, i) => Buffer.from(referenceLeafHash(leafBytes(t * 256 + i)))),
      );
    expect(Buffer.from(reopened.readLeafTile(0)!).equals(tileOf(0))).toBe(true);
    expect(Buffer.from(reopened.readLeafTile(1)!).equals(tileOf(1))).toBe(true);
    // Leaves 512..699 fill a third of tile 2: no row until its 256th leaf.
    expect(reopened.readLeafTile(2)).toBeUndefined();
  });

  it('refuses to open a file whose hashes and leaves disagree', () => {
    const db = openNodeDatabase(':memory:');
    const store = openStore(db);
    for (let i = 0; i < 4; i++) store.append(BigInt(i + 1), leafBytes(i));
    db.exec('DELETE FROM log_hashes WHERE slot = (SELECT MAX(slot) FROM log_hashes)');
    expect(() => new MerkleHashStore(db).migrate()).toThrow(/holds 6 hashes for 4 leaves, expected 7/);
  });
});
