/**
 * Deterministic keys, trees and signed checkpoints for the federation tests:
 * a log key, witness keys, and checkpoints of a reference RFC 6962 tree (or
 * of a fork of it) signed by the log.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import {
  createCosignature,
  type Ed25519Verify,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  formatWitnessKey,
  type NoteSignature,
  type NoteVerifier,
  SIGNATURE_TYPE_ED25519,
  signNote,
} from '../../../src/domain/log/index.js';
import { consistency, mth, referenceLeafHash } from '../log/reference-merkle.js';

export const ORIGIN = 'test.example/log';

export const verify: Ed25519Verify = (publicKey, message, signature) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

export interface TestKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function testKey(n: number): TestKey {
  const seed = new Uint8Array(32).fill(7);
  seed[0] = n & 0xff;
  seed[1] = n >>> 8;
  return {
    seed,
    publicKey: ed25519.getPublicKey(seed),
    sign: (message) => ed25519.sign(message, seed),
  };
}

export const logKey = testKey(1);
export const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
export const logVerifier: NoteVerifier = ed25519NoteVerifier(logVkey, verify);

export interface TestWitness {
  readonly name: string;
  readonly key: TestKey;
  readonly vkey: string;
  cosign(note: string, timestamp?: number): NoteSignature;
}

export function testWitness(n: number, name = `witness.example/w${n}`): TestWitness {
  const key = testKey(100 + n);
  return {
    name,
    key,
    vkey: formatWitnessKey(name, key.publicKey),
    cosign(note, timestamp = 1_700_000_000 + n) {
      const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
      return createCosignature(text, name, key.publicKey, timestamp, key.sign);
    },
  };
}

/** Leaf hashes of "leaf 0", "leaf 1", …; a fork changes leaf `forkAt` onwards. */
export function leaves(count: number, forkAt = Number.POSITIVE_INFINITY): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    referenceLeafHash(new TextEncoder().encode(i >= forkAt ? `forked ${i}` : `leaf ${i}`)),
  );
}

/** The log-signed note of the first `size` leaves. */
export function signedCheckpoint(size: number, tree = leaves(size), key = logKey): string {
  const body = formatCheckpoint({
    origin: ORIGIN,
    treeSize: size,
    rootHash: mth(tree.slice(0, size)),
    extensions: [],
  });
  return formatNote(signNote(body, [ed25519NoteSigner(ORIGIN, key.publicKey, key.sign)]));
}

export function consistencyProof(oldSize: number, newSize: number, tree = leaves(newSize)): Uint8Array[] {
  return oldSize === 0 || oldSize === newSize ? [] : consistency(oldSize, tree.slice(0, newSize));
}
