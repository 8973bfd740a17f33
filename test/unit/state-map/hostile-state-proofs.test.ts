/**
 * The adversary here is whoever hands a citizen a proof: a proxy, a mirror,
 * the log operator. Take real proofs (membership, absence ending in an empty
 * subtree, absence ending in another leaf, a deep one with many empty
 * siblings) and mutate every field every way we can think of: flip, drop,
 * truncate, extend, reorder, retype, splice. Every mutant must be refused
 * (false, or StateProofError from the parser) and nothing may ever throw
 * anything else. Sizes are bounded before any hashing.
 */

import * as sha2 from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsonObject } from '../../../src/domain/shared/json.js';
import {
  InMemoryStateMap,
  parseStateProof,
  StateProofError,
  type StateProofJson,
  stateProofToJson,
  verifyStateProof,
} from '../../../src/domain/state-map/index.js';

vi.mock('@noble/hashes/sha2.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('@noble/hashes/sha2.js')>();
  return { ...original, sha256: vi.fn(original.sha256) };
});
const sha256Spy = vi.mocked(sha2.sha256);

/** Parse and verify as a verifier would; anything but true or a StateProofError is a crash. */
function accepts(root: Uint8Array, key: string, value: JsonObject | null, wire: unknown): boolean {
  try {
    return verifyStateProof(root, key, value, parseStateProof(wire));
  } catch (error) {
    if (error instanceof StateProofError) return false;
    throw error;
  }
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function flipBase64(text: string): string {
  const bytes = Buffer.from(text, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  return bytes.toString('base64');
}

const RANDOM_HASH = Buffer.alloc(32, 0x5a).toString('base64');

/** Every mutant of a wire proof we can think of, named. */
function mutants(wire: StateProofJson): [string, unknown][] {
  const out: [string, unknown][] = [];
  const s = wire.siblings;
  const withSiblings = (siblings: unknown): StateProofJson =>
    ({ siblings, terminal: clone(wire.terminal) }) as StateProofJson;
  s.forEach((h, i) => {
    const put = (x: string) => s.map((y, j) => (j === i ? x : y));
    out.push([`sibling ${i} flipped`, withSiblings(put(h === '' ? RANDOM_HASH : flipBase64(h)))]);
    if (h !== '') out.push([`sibling ${i} made empty`, withSiblings(put(''))]);
    out.push([`sibling ${i} dropped`, withSiblings(s.filter((_, j) => j !== i))]);
    out.push([`sibling ${i} duplicated`, withSiblings([...s.slice(0, i + 1), h, ...s.slice(i + 1)])]);
    if (h !== '') out.push([`sibling ${i} truncated`, withSiblings(put(h.slice(0, -4)))]);
    out.push([`sibling ${i} extended`, withSiblings(put(`${h}AAAA`))]);
    out.push([`sibling ${i} as a number`, withSiblings(s.map((y, j) => (j === i ? 7 : y)))]);
    out.push([`sibling ${i} as null`, withSiblings(s.map((y, j) => (j === i ? null : y)))]);
    if (i + 1 < s.length && s[i + 1] !== h) {
      out.push([
        `siblings ${i} and ${i + 1} swapped`,
        withSiblings(put(s[i + 1]!).map((y, j) => (j === i + 1 ? h : y))),
      ]);
    }
  });
  out.push(['a sibling prepended', withSiblings([RANDOM_HASH, ...s])]);
  out.push(['an empty sibling prepended', withSiblings(['', ...s])]);
  out.push(['a sibling appended', withSiblings([...s, RANDOM_HASH])]);
  out.push(['an empty sibling appended', withSiblings([...s, ''])]);
  if (s.length > 1 && s.some((x, i) => x !== s[s.length - 1 - i]))
    out.push(['siblings reversed', withSiblings([...s].reverse())]);
  out.push(['no siblings', withSiblings([])]);
  out.push(['siblings not an array', withSiblings({ 0: s[0] })]);
  for (const kind of ['value', 'empty', 'leaf', 'absent', '', null]) {
    if (kind === wire.terminal.kind) continue;
    const terminal =
      kind === 'leaf' ? { kind, keyHash: RANDOM_HASH, valueHash: RANDOM_HASH } : ({ kind } as unknown);
    out.push([`terminal kind ${String(kind)}`, { siblings: s, terminal }]);
  }
  if (wire.terminal.kind === 'leaf') {
    const t = wire.terminal;
    out.push([
      'terminal keyHash flipped',
      { siblings: s, terminal: { ...t, keyHash: flipBase64(t.keyHash) } },
    ]);
    out.push([
      'terminal valueHash flipped',
      { siblings: s, terminal: { ...t, valueHash: flipBase64(t.valueHash) } },
    ]);
    out.push([
      'terminal hashes swapped',
      { siblings: s, terminal: { ...t, keyHash: t.valueHash, valueHash: t.keyHash } },
    ]);
    out.push([
      'terminal keyHash dropped',
      { siblings: s, terminal: { kind: 'leaf', valueHash: t.valueHash } },
    ]);
    out.push(['terminal keyHash empty', { siblings: s, terminal: { ...t, keyHash: '' } }]);
  }
  out.push([
    'terminal with an extra field',
    { siblings: s, terminal: { ...clone(wire.terminal), note: 'x' } },
  ]);
  out.push(['terminal as a string', { siblings: s, terminal: wire.terminal.kind }]);
  out.push(['terminal dropped', { siblings: s }]);
  out.push(['siblings dropped', { terminal: wire.terminal }]);
  out.push(['an extra top-level field', { ...clone(wire), depth: s.length }]);
  out.push([
    'a __proto__ field',
    JSON.parse(
      `{"siblings":${JSON.stringify(s)},"terminal":${JSON.stringify(wire.terminal)},"__proto__":{}}`,
    ),
  ]);
  out.push(['the proof as an array', [s, wire.terminal]]);
  out.push(['null', null]);
  out.push(['a string', JSON.stringify(wire)]);
  return out;
}

interface Case {
  readonly name: string;
  readonly key: string;
  readonly value: JsonObject | null;
}

function fixture(): { map: InMemoryStateMap; cases: Case[] } {
  const map = new InMemoryStateMap();
  for (let n = 0; n < 300; n++) map.set(`void/${n}`, { reason: 'KEY_RETIRED', leafIndex: n });
  // void/141250 and void/125272 share their first 35 bits (test/vectors/state-map.json): a deep path of empty siblings.
  map.set('void/141250', { reason: 'ACTOR_REVOKED', leafIndex: 1 });
  map.set('void/125272', { reason: 'KEY_RETIRED', leafIndex: 2 });
  const absent = (kind: 'empty' | 'leaf') => {
    for (let n = 0; ; n++) if (map.prove(`absent/${n}`).proof.terminal.kind === kind) return `absent/${n}`;
  };
  return {
    map,
    cases: [
      { name: 'membership', key: 'void/7', value: map.get('void/7') },
      { name: 'membership, deep', key: 'void/141250', value: map.get('void/141250') },
      { name: 'absence ending in an empty subtree', key: absent('empty'), value: null },
      { name: 'absence ending in another leaf', key: absent('leaf'), value: null },
    ],
  };
}

const { map, cases } = fixture();
const root = map.root();

describe.each(cases.map((c) => [c.name, c] as const))('hostile mutations of a real proof: %s', (_name, c) => {
  const wire = stateProofToJson(map.prove(c.key).proof);

  it('the original verifies (so the mutants below are refused for their mutation)', () => {
    expect(accepts(root, c.key, c.value, clone(wire))).toBe(true);
  });

  it.each(mutants(wire))('%s is refused', (_what, mutant) => {
    expect(accepts(root, c.key, c.value, mutant)).toBe(false);
  });

  it('is refused against another root, for another key, or with the other claim', () => {
    expect(accepts(Buffer.alloc(32, 1), c.key, c.value, wire)).toBe(false);
    expect(accepts(root, `${c.key}x`, c.value, wire)).toBe(false);
    expect(
      accepts(root, c.key, c.value === null ? { reason: 'KEY_RETIRED', leafIndex: 1 } : null, wire),
    ).toBe(false);
  });

  if (c.value !== null) {
    const value = c.value;
    it.each(Object.keys(value))('is refused when the value\'s "%s" changes or disappears', (field) => {
      const changed = {
        ...value,
        [field]: typeof value[field] === 'number' ? (value[field] as number) + 1 : `${value[field]}x`,
      };
      const dropped = Object.fromEntries(Object.entries(value).filter(([k]) => k !== field));
      expect(accepts(root, c.key, changed, wire)).toBe(false);
      expect(accepts(root, c.key, dropped, wire)).toBe(false);
      expect(accepts(root, c.key, { ...value, extra: 1 }, wire)).toBe(false);
    });
  }
});

describe('garbage never crashes the parser or the verifier', () => {
  it('parseStateProof throws only StateProofError on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          parseStateProof(json);
        } catch (error) {
          expect(error).toBeInstanceOf(StateProofError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parseStateProof throws only StateProofError on proof-shaped JSON with random fields', () => {
    const hashText = fc.oneof(fc.constant(''), fc.constant(RANDOM_HASH), fc.string(), fc.base64String());
    const terminal = fc.oneof(
      fc.record({ kind: fc.constantFrom('value', 'empty', 'leaf', 'x') }),
      fc.record({ kind: fc.constant('leaf'), keyHash: hashText, valueHash: hashText }),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.record({ siblings: fc.oneof(fc.array(hashText), fc.anything()), terminal }), (json) => {
        try {
          const proof = parseStateProof(json);
          expect(verifyStateProof(root, 'void/7', map.get('void/7'), proof)).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(StateProofError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('verifyStateProof returns false for malformed in-memory arguments, never throws', () => {
    const good = map.prove('void/7');
    const bad: unknown[] = [
      null,
      undefined,
      {},
      [],
      'proof',
      { siblings: null, terminal: { kind: 'value' } },
      { siblings: [new Uint8Array(31)], terminal: { kind: 'value' } },
      { siblings: ['AAAA'], terminal: { kind: 'value' } },
      { siblings: good.proof.siblings, terminal: null },
      { siblings: good.proof.siblings, terminal: { kind: 'leaf', keyHash: new Uint8Array(32) } },
      { siblings: Array(300).fill(new Uint8Array(32)), terminal: { kind: 'empty' } },
    ];
    for (const proof of bad) {
      expect(verifyStateProof(root, 'void/7', good.value, proof as never)).toBe(false);
    }
    expect(verifyStateProof(new Uint8Array(31), 'void/7', good.value, good.proof)).toBe(false);
    expect(verifyStateProof('root' as never, 'void/7', good.value, good.proof)).toBe(false);
    expect(verifyStateProof(root, 7 as never, good.value, good.proof)).toBe(false);
    expect(verifyStateProof(root, 'void/7', [] as never, good.proof)).toBe(false);
    expect(verifyStateProof(root, 'void/7', 'x' as never, good.proof)).toBe(false);
    expect(verifyStateProof(root, 'void/7', undefined as never, good.proof)).toBe(false);
    expect(verifyStateProof(root, 'void/7', { n: Number.NaN } as never, good.proof)).toBe(false);
    expect(verifyStateProof(root, 'void/7', good.value, good.proof)).toBe(true);
  });
});

describe('bounds before hashing', () => {
  beforeEach(() => {
    sha256Spy.mockClear();
  });

  it('sanity: a well-formed wrong proof does hash', () => {
    expect(
      accepts(root, 'void/7', { reason: 'x', leafIndex: 7 }, stateProofToJson(map.prove('void/7').proof)),
    ).toBe(false);
    expect(sha256Spy).toHaveBeenCalled();
  });

  it('a proof of a million siblings is refused with PROOF_TOO_DEEP before any is decoded or hashed', () => {
    const huge = { siblings: Array(1_000_000).fill(RANDOM_HASH), terminal: { kind: 'empty' } };
    expect(() => parseStateProof(huge)).toThrow(expect.objectContaining({ code: 'PROOF_TOO_DEEP' }));
    expect(
      verifyStateProof(root, 'void/7', null, {
        siblings: Array(257).fill(Buffer.alloc(32)),
        terminal: { kind: 'empty' },
      }),
    ).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('a megabyte "hash" is refused with HASH_MALFORMED without hashing', () => {
    const wire = { siblings: ['A'.repeat(1 << 20)], terminal: { kind: 'empty' } };
    expect(() => parseStateProof(wire)).toThrow(expect.objectContaining({ code: 'HASH_MALFORMED' }));
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('an oversized key is refused with KEY_INVALID without hashing', () => {
    expect(
      verifyStateProof(root, 'k'.repeat(1 << 20), null, { siblings: [], terminal: { kind: 'empty' } }),
    ).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });
});
