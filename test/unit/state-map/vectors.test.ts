/**
 * The known-answer vectors (test/vectors/state-map.json) against everything
 * that computes the state map: the domain's hashing, InMemoryStateMap, the
 * verifier, the SQLite store, and a separate naive transcription of the spec
 * (naive-state-map.ts) that shares no code with src/, and a minimal verifier
 * written from docs/state-map.md alone (doc-verifier.ts): it must accept every
 * vector proof and refuse every invalid one with the code the page names.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/domain/crypto/hex.js';
import type { JsonObject } from '../../../src/domain/shared/json.js';
import {
  checkStateProof,
  EMPTY_STATE_ROOT,
  InMemoryStateMap,
  parseStateProof,
  StateProofError,
  type StateProofJson,
  stateKeyHash,
  stateLeafHash,
  stateProofToJson,
  stateValueHash,
  stateValueText,
  verifyStateProof,
} from '../../../src/domain/state-map/index.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { NODE_STATE_HASHER } from '../../../src/infrastructure/state-map/node-state-hasher.js';
import { StateMapStore } from '../../../src/infrastructure/state-map/state-map-store.js';
import { docVerify } from './doc-verifier.js';
import { naiveRoot, naiveRootFromProof } from './naive-state-map.js';

interface VectorEntry {
  key: string;
  keyHash: string;
  value: JsonObject;
  valueBytes: string;
  valueHash: string;
  leafHash: string;
}

interface VectorProof {
  key: string;
  value: JsonObject | null;
  proof: StateProofJson;
}

interface Vectors {
  maps: { name: string; entries: VectorEntry[]; root: string; rootBase64: string; proofs: VectorProof[] }[];
  invalid: {
    name: string;
    root: string;
    key: string;
    value: JsonObject | null;
    proof: unknown;
    error: string;
  }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../vectors/state-map.json', import.meta.url), 'utf8'),
) as Vectors;

const hex = (text: string) => fromHex(text)!;

function storeWith(entries: readonly VectorEntry[]): StateMapStore {
  const store = new StateMapStore(openNodeDatabase(':memory:'));
  store.migrate();
  entries.forEach((e, i) => {
    store.set(e.key, e.value, i);
  });
  return store;
}

describe('state map known-answer vectors', () => {
  it('cover the empty map, one key, every key kind, a 20+ bit shared prefix and an update', () => {
    expect(vectors.maps.map((m) => m.name)).toEqual([
      'empty',
      'one key',
      'realistic',
      'shared prefix',
      'realistic, one status changed',
    ]);
    expect(vectors.maps[0]!.root).toBe(toHex(EMPTY_STATE_ROOT));
    const shared = vectors.maps[3]!.proofs[0]!.proof.siblings;
    expect(shared.filter((s) => s === '').length).toBeGreaterThanOrEqual(20);
    const kinds = vectors.maps.flatMap((m) => m.proofs.map((p) => p.proof.terminal.kind));
    expect(new Set(kinds)).toEqual(new Set(['value', 'leaf', 'empty']));
  });

  describe.each(vectors.maps.map((m) => [m.name, m] as const))('%s', (_name, map) => {
    it('hashes every key, value and leaf as the vector says', () => {
      for (const e of map.entries) {
        expect(toHex(stateKeyHash(e.key))).toBe(e.keyHash);
        expect(stateValueText(e.value)).toBe(e.valueBytes);
        expect(toHex(stateValueHash(e.value))).toBe(e.valueHash);
        expect(toHex(stateLeafHash(hex(e.keyHash), hex(e.valueHash)))).toBe(e.leafHash);
        expect(toHex(NODE_STATE_HASHER.leafHash(hex(e.keyHash), hex(e.valueHash)))).toBe(e.leafHash);
      }
    });

    it('has the root of InMemoryStateMap in either insertion order, of the naive recursion, and of the store', () => {
      const forward = new InMemoryStateMap();
      const backward = new InMemoryStateMap(NODE_STATE_HASHER);
      for (const e of map.entries) forward.set(e.key, e.value);
      for (const e of [...map.entries].reverse()) backward.set(e.key, e.value);
      expect(toHex(forward.root())).toBe(map.root);
      expect(toHex(backward.root())).toBe(map.root);
      expect(naiveRoot(map.entries)).toBe(map.root);
      expect(Buffer.from(hex(map.root)).toString('base64')).toBe(map.rootBase64);
      const store = storeWith(map.entries);
      expect(toHex(store.rootAt(store.currentVersion()))).toBe(map.root);
    });

    it('has proofs that verify, round-trip, agree with the naive verifier and are what both maps produce', () => {
      const memory = new InMemoryStateMap();
      for (const e of map.entries) memory.set(e.key, e.value);
      const store = storeWith(map.entries);
      const root = hex(map.root);
      for (const p of map.proofs) {
        const proof = parseStateProof(p.proof);
        expect(stateProofToJson(proof)).toEqual(p.proof);
        expect(verifyStateProof(root, p.key, p.value, proof)).toBe(true);
        expect(verifyStateProof(root, p.key, p.value, proof, NODE_STATE_HASHER)).toBe(true);
        expect(naiveRootFromProof(p.key, p.value, p.proof)).toBe(map.root);
        expect(stateProofToJson(memory.prove(p.key).proof)).toEqual(p.proof);
        expect(memory.prove(p.key).value).toEqual(p.value);
        const stored = store.proveAt(p.key, store.currentVersion());
        expect(stateProofToJson(stored.proof)).toEqual(p.proof);
        expect(stored.value).toEqual(p.value);
      }
    });
  });

  describe.each(vectors.invalid.map((v) => [v.name, v] as const))('refuses %s', (_name, v) => {
    it(`with ${v.error}`, () => {
      let code: string | null = null;
      try {
        checkStateProof(hex(v.root), v.key, v.value, parseStateProof(v.proof));
      } catch (error) {
        expect(error).toBeInstanceOf(StateProofError);
        code = (error as StateProofError).code;
      }
      expect(code).toBe(v.error);
      let verified: boolean;
      try {
        verified = verifyStateProof(hex(v.root), v.key, v.value, parseStateProof(v.proof));
      } catch (error) {
        expect(error).toBeInstanceOf(StateProofError);
        verified = false;
      }
      expect(verified).toBe(false);
    });
  });

  describe('the verifier written from docs/state-map.md alone', () => {
    it.each(
      vectors.maps.flatMap((m) => m.proofs.map((p) => [m.name, p.key, m.root, p] as const)),
    )('accepts the %s map proof of %s', (_map, _key, root, p) => {
      expect(docVerify(root, p.key, p.value, p.proof)).toBe('OK');
    });

    it.each(vectors.invalid.map((v) => [v.name, v] as const))('refuses %s with the same code', (_name, v) => {
      expect(docVerify(v.root, v.key, v.value, v.proof)).toBe(v.error);
    });

    it('recomputes every root from the entries alone, as §3.3 defines it', () => {
      for (const map of vectors.maps) expect(naiveRoot(map.entries)).toBe(map.root);
    });
  });

  const wellFormed = vectors.invalid.filter((v) => ['ROOT_MISMATCH', 'TERMINAL_MISMATCH'].includes(v.error));
  it.each(
    wellFormed.map((v) => [v.name, v] as const),
  )('the naive verifier does not reach the root either for %s', (_name, v) => {
    expect(naiveRootFromProof(v.key, v.value, v.proof as StateProofJson)).not.toBe(v.root);
  });
});
