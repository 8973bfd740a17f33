/**
 * Malformed proofs must cost no hashing: the verifier checks sizes, index,
 * hash lengths and the exact proof length first. SHA-256 is wrapped in a
 * counting spy to observe that directly.
 */

import * as sha2 from '@noble/hashes/sha2.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isConsistencyValid, isInclusionValid } from '../../../src/domain/log/index.js';

vi.mock('@noble/hashes/sha2.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('@noble/hashes/sha2.js')>();
  return { ...original, sha256: vi.fn(original.sha256) };
});

const sha256Spy = vi.mocked(sha2.sha256);
const hash = (fill: number) => new Uint8Array(32).fill(fill);

describe('rejections that happen before the first hash', () => {
  beforeEach(() => {
    sha256Spy.mockClear();
  });

  it('sanity: a well-formed (but wrong) proof does hash', () => {
    expect(isInclusionValid(0, 2, hash(1), [hash(2)], hash(3))).toBe(false);
    expect(sha256Spy).toHaveBeenCalled();
  });

  it('an overlong inclusion proof (a thousand hashes) costs no hashing', () => {
    const proof = Array.from({ length: 1000 }, (_, i) => hash(i));
    expect(isInclusionValid(5, 1_000_000, hash(1), proof, hash(3))).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('a short inclusion proof costs no hashing', () => {
    expect(isInclusionValid(5, 1_000_000, hash(1), [hash(2)], hash(3))).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('a proof with one hash of the wrong size costs no hashing', () => {
    expect(isInclusionValid(0, 4, hash(1), [hash(2), new Uint8Array(31)], hash(3))).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('a wrong-length consistency proof costs no hashing', () => {
    expect(isConsistencyValid(3, 7, [hash(1), hash(2)], hash(3), hash(4))).toBe(false);
    expect(isConsistencyValid(4, 8, [hash(1), hash(2)], hash(3), hash(4))).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });

  it('an index out of range costs no hashing', () => {
    expect(isInclusionValid(4, 4, hash(1), [hash(2), hash(3)], hash(3))).toBe(false);
    expect(sha256Spy).not.toHaveBeenCalled();
  });
});
