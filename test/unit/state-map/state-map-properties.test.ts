/**
 * Properties of the state map over random update sequences (fast-check):
 * every membership and absence proof verifies, a key never set has an
 * absence proof, a wrong value fails, the root depends only on the final
 * (key, value) pairs, and the reference map agrees with the naive recursion.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/domain/crypto/hex.js';
import type { JsonObject } from '../../../src/domain/shared/json.js';
import {
  EMPTY_STATE_ROOT,
  InMemoryStateMap,
  parseStateProof,
  StateProofError,
  stateKeyHash,
  stateProofToJson,
  verifyStateProof,
} from '../../../src/domain/state-map/index.js';
import { NODE_STATE_HASHER } from '../../../src/infrastructure/state-map/node-state-hasher.js';
import { naiveRoot } from './naive-state-map.js';

/** Keys from a small alphabet, so that sequences overwrite keys as well as add them. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((n) => `void/${n}`),
  fc.constantFrom(
    'identity/TRANSPORT',
    'identity/HEALTH',
    'key/ed25519:AAAA',
    'batch/bat_1',
    'certification/crt_é',
  ),
);
const value = fc.record({
  status: fc.constantFrom('active', 'suspended', 'revoked'),
  setAt: fc.nat({ max: 1_000_000 }),
});
const updates = fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 60 });

function mapOf(sequence: readonly (readonly [string, JsonObject])[]): InMemoryStateMap {
  const map = new InMemoryStateMap();
  for (const [k, v] of sequence) map.set(k, v);
  return map;
}

function finalEntries(sequence: readonly (readonly [string, JsonObject])[]): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const [k, v] of sequence) out.set(k, v);
  return out;
}

/** Fisher–Yates with a small LCG, so the order is a function of the seed fast-check picked. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('state map properties', () => {
  it('every key set has a membership proof of its last value; every other key an absence proof', () => {
    fc.assert(
      fc.property(updates, fc.array(key, { maxLength: 10 }), (sequence, probes) => {
        const map = mapOf(sequence);
        const root = map.root();
        const expected = finalEntries(sequence);
        for (const k of new Set([...expected.keys(), ...probes, 'never/set'])) {
          const { value: v, proof } = map.prove(k);
          expect(v).toEqual(expected.get(k) ?? null);
          expect(verifyStateProof(root, k, v, proof)).toBe(true);
          // Through the wire form too, as a citizen's browser receives it.
          const wire = parseStateProof(JSON.parse(JSON.stringify(stateProofToJson(proof))));
          expect(verifyStateProof(root, k, v, wire, NODE_STATE_HASHER)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a wrong value, a present key claimed absent, or an absent key claimed present fails', () => {
    fc.assert(
      fc.property(updates, key, value, (sequence, k, other) => {
        const map = mapOf(sequence);
        const root = map.root();
        const { value: v, proof } = map.prove(k);
        if (v !== null) {
          expect(verifyStateProof(root, k, { ...v, setAt: (v['setAt'] as number) + 1 }, proof)).toBe(false);
          expect(verifyStateProof(root, k, null, proof)).toBe(false);
        } else {
          expect(verifyStateProof(root, k, other, proof)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a proof for one key does not verify for another', () => {
    fc.assert(
      fc.property(updates, key, key, (sequence, a, b) => {
        fc.pre(a !== b);
        const map = mapOf(sequence);
        const { value: v, proof } = map.prove(a);
        const claimed = map.get(b);
        // An absence proof may be shared by two absent keys that fall into the same empty subtree or leaf.
        fc.pre(v !== null || claimed !== null);
        expect(verifyStateProof(map.root(), b, claimed, proof)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('the root depends only on the final (key, value) pairs, not on the order they were set in', () => {
    fc.assert(
      fc.property(updates, fc.nat(), (sequence, seed) => {
        const final = [...finalEntries(sequence)];
        const shuffled = shuffle(final, seed);
        const a = mapOf(sequence).root();
        const b = mapOf(shuffled).root();
        expect(toHex(a)).toBe(toHex(b));
        expect(toHex(a)).toBe(naiveRoot(final.map(([k, v]) => ({ key: k, value: v }))));
      }),
      { numRuns: 150 },
    );
  });

  it('the empty map has the all-zero root and proves every key absent with no siblings', () => {
    const map = new InMemoryStateMap();
    expect(toHex(map.root())).toBe(toHex(EMPTY_STATE_ROOT));
    fc.assert(
      fc.property(key, (k) => {
        const { value: v, proof } = map.prove(k);
        expect(v).toBeNull();
        expect(proof).toEqual({ siblings: [], terminal: { kind: 'empty' } });
        expect(verifyStateProof(map.root(), k, null, proof)).toBe(true);
      }),
    );
  });

  it('node:crypto and @noble/hashes give the same roots', () => {
    fc.assert(
      fc.property(updates, (sequence) => {
        const fast = new InMemoryStateMap(NODE_STATE_HASHER);
        for (const [k, v] of sequence) fast.set(k, v);
        expect(toHex(fast.root())).toBe(toHex(mapOf(sequence).root()));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses keys that two strings could share (lone surrogates), empty keys and oversized keys', () => {
    // '\uD800' would be encoded as U+FFFD, the same bytes as '\uFFFD'.
    for (const bad of ['\uD800', 'a\uDC00b', '', 'x'.repeat(1025)]) {
      expect(() => stateKeyHash(bad)).toThrow(StateProofError);
      expect(
        verifyStateProof(EMPTY_STATE_ROOT as Uint8Array, bad, null, {
          siblings: [],
          terminal: { kind: 'empty' },
        }),
      ).toBe(false);
    }
    expect(() => stateKeyHash('\uFFFD')).not.toThrow();
    expect(() => stateKeyHash('😀 ok')).not.toThrow();
  });

  it('keeps a value as it was set, whatever the caller does to the object afterwards', () => {
    const map = new InMemoryStateMap();
    const v = { status: 'active', setAt: 1 };
    map.set('identity/TRANSPORT', v);
    const root = toHex(map.root());
    v.status = 'revoked';
    expect(map.get('identity/TRANSPORT')).toEqual({ status: 'active', setAt: 1 });
    expect(toHex(map.root())).toBe(root);
  });
});
