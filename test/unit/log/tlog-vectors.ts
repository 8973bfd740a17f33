/** The Go reference vectors (test/vectors/tlog-go.json), typed and decoded for the log tests. */

import { readFileSync } from 'node:fs';

interface RawVectors {
  leaves: string[];
  roots_b64: string[];
  inclusion: { index: number; size: number; proof_b64: string[] | null }[];
  consistency: { old_size: number; size: number; proof_b64: string[] | null }[];
  signed_note: { note: string; signer_key: string; verifier_key: string };
  cosignature: {
    cosigned_note: string;
    signature_line: string;
    time: number;
    witness_name: string;
    witness_pubkey_b64: string;
    witness_vkey: string;
  };
}

export const vectors: RawVectors = JSON.parse(
  readFileSync(new URL('../../vectors/tlog-go.json', import.meta.url), 'utf8'),
) as RawVectors;

export const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Leaf i of the vector tree is the ASCII string "leaf-i". */
export const vectorLeaves: Uint8Array[] = vectors.leaves.map(ascii);
