import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/domain/crypto/hex.js';
import { RFC6962_HASHER } from '../../../src/domain/log/index.js';
import { NODE_TREE_HASHER, sha256Hex } from '../../../src/infrastructure/crypto/node-hashes.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../../../src/infrastructure/sequencer/merkle-hash-store.js';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 3000 });

describe('node:crypto hashes', () => {
  it('SHA-256 gives the bytes @noble/hashes gives', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(sha256Hex(data)).toBe(toHex(nobleSha256(data)));
      }),
    );
    // FIPS 180-2 example: "abc".
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes RFC 6962 leaves and nodes as the pure hasher does', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (leaf, left, right) => {
          expect(toHex(NODE_TREE_HASHER.leafHash(leaf))).toBe(toHex(RFC6962_HASHER.leafHash(leaf)));
          expect(toHex(NODE_TREE_HASHER.nodeHash(left, right))).toBe(
            toHex(RFC6962_HASHER.nodeHash(left, right)),
          );
        },
      ),
    );
  });

  it('gives the Merkle hash store the roots and leaf hashes of the pure hasher', () => {
    fc.assert(
      fc.property(fc.array(bytes, { minLength: 1, maxLength: 40 }), (leaves) => {
        const fast = new MerkleHashStore(openNodeDatabase(':memory:'));
        const pure = new MerkleHashStore(openNodeDatabase(':memory:'), RFC6962_HASHER);
        fast.migrate();
        pure.migrate();
        leaves.forEach((leaf, i) => {
          fast.append(BigInt(i), leaf);
          pure.append(BigInt(i), leaf);
        });
        for (let n = 0; n <= leaves.length; n++) expect(toHex(fast.root(n))).toBe(toHex(pure.root(n)));
        for (let i = 0; i < leaves.length; i++) {
          expect(toHex(fast.leafHashAt(i))).toBe(toHex(pure.leafHashAt(i)));
        }
      }),
      { numRuns: 30 },
    );
  });
});
