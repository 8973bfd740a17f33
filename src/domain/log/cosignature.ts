/**
 * C2SP tlog-cosignature/v1 (Ed25519, signature type 0x04): a witness's note
 * signature on a checkpoint, saying "as of <time>, this is the largest
 * consistent tree I have seen for this origin".
 *
 *   key ID    = SHA-256(<name> ‖ 0x0A ‖ 0x04 ‖ <32-byte public key>)[:4]
 *   signature = uint64be(timestamp) ‖ Ed25519(message)            (72 bytes)
 *   message   = "cosignature/v1\ntime <timestamp>\n" ‖ <checkpoint note text>
 *
 * In a note the line carries base64(key ID ‖ signature), as for any note
 * signature. Witness keys are vkeys of type 0x04. Time enters as a parameter:
 * this module has no clock.
 */

import { parseCheckpoint } from './checkpoint.js';
import type { Ed25519Sign, Ed25519Verify } from './ed25519-ports.js';
import { LogProofError } from './log-proof-error.js';
import type { NoteSignature, NoteSigner, NoteVerifier } from './note.js';
import {
  computeKeyId,
  formatVerifierKey,
  isValidKeyName,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  type VerifierKey,
} from './note-keys.js';

const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
/** Size of a cosignature/v1 signature after the key ID: timestamp and Ed25519 signature. */
export const COSIGNATURE_V1_SIZE = TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;

/** A witness's public identity: name, key ID and 32-byte Ed25519 public key. */
export type WitnessKey = VerifierKey;

/** Parses a witness vkey (type 0x04), e.g. `witness.example/w1+2f508b08+BCBG…`. */
export function parseWitnessKey(vkey: string): WitnessKey {
  return parseVerifierKey(vkey, SIGNATURE_TYPE_COSIGNATURE_V1);
}

/** Formats a witness vkey (type 0x04) for an Ed25519 public key. */
export function formatWitnessKey(name: string, publicKey: Uint8Array): string {
  return formatVerifierKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
}

/** The key ID of a cosignature/v1 witness key. */
export function witnessKeyId(name: string, publicKey: Uint8Array): number {
  return computeKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
}

function checkTimestamp(timestamp: number): void {
  // The spec allows up to 2^63 − 1; JS numbers are exact only to 2^53 − 1 (year ~285 million), so stop there.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new LogProofError(
      'COSIGNATURE_MALFORMED',
      `timestamp ${timestamp} is not an integer in [0, 2^53 - 1]`,
    );
  }
}

function messageBytes(textBytes: Uint8Array, timestamp: number): Uint8Array {
  const header = new TextEncoder().encode(`cosignature/v1\ntime ${timestamp}\n`);
  const message = new Uint8Array(header.length + textBytes.length);
  message.set(header, 0);
  message.set(textBytes, header.length);
  return message;
}

/** The bytes a witness signs: the v1 header, the time line, then the whole checkpoint note text. */
export function cosignedMessage(checkpointText: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  return messageBytes(new TextEncoder().encode(checkpointText), timestamp);
}

function encodeTimestamp(timestamp: number): Uint8Array {
  const bytes = new Uint8Array(TIMESTAMP_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(timestamp / 2 ** 32));
  view.setUint32(4, timestamp % 2 ** 32);
  return bytes;
}

export interface ParsedCosignature {
  readonly timestamp: number;
  /** The 64-byte Ed25519 signature over cosignedMessage(text, timestamp). */
  readonly signature: Uint8Array;
}

/**
 * Splits a cosignature (the note signature bytes after the key ID) into its
 * timestamp and Ed25519 signature. Throws COSIGNATURE_MALFORMED unless it is
 * exactly 72 bytes with a timestamp ≤ 2^53 − 1.
 */
export function parseCosignature(signature: Uint8Array): ParsedCosignature {
  // Fixed layout: any other length is not a v1 Ed25519 cosignature (ML-DSA ones are type 0x06).
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_V1_SIZE) {
    throw new LogProofError('COSIGNATURE_MALFORMED', `cosignature must be ${COSIGNATURE_V1_SIZE} bytes`);
  }
  const view = new DataView(signature.buffer, signature.byteOffset, TIMESTAMP_SIZE);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  // high < 2^21 keeps high·2^32 + low below 2^53, where it is still exact.
  if (high >= 2 ** 21) {
    throw new LogProofError('COSIGNATURE_MALFORMED', 'cosignature timestamp exceeds 2^53 - 1');
  }
  return { timestamp: high * 2 ** 32 + low, signature: signature.slice(TIMESTAMP_SIZE) };
}

/**
 * A NoteSigner that cosigns with a fixed timestamp, so signNote can add a
 * witness cosignature like any other signature. Throws KEY_NAME_INVALID,
 * KEY_MALFORMED or COSIGNATURE_MALFORMED (timestamp out of range).
 */
export function witnessCosigner(
  name: string,
  publicKey: Uint8Array,
  timestamp: number,
  sign: Ed25519Sign,
): NoteSigner {
  if (!isValidKeyName(name)) {
    throw new LogProofError(
      'KEY_NAME_INVALID',
      `key name ${JSON.stringify(name)} is empty or contains a space or '+'`,
    );
  }
  if (publicKey.length !== 32)
    throw new LogProofError('KEY_MALFORMED', 'Ed25519 public key must be 32 bytes');
  checkTimestamp(timestamp);
  return {
    keyName: name,
    keyId: witnessKeyId(name, publicKey),
    sign(text) {
      const ed25519Signature = sign(messageBytes(text, timestamp));
      if (ed25519Signature.length !== ED25519_SIGNATURE_SIZE) {
        throw new LogProofError('KEY_MALFORMED', 'Ed25519 signer returned a signature that is not 64 bytes');
      }
      const out = new Uint8Array(COSIGNATURE_V1_SIZE);
      out.set(encodeTimestamp(timestamp), 0);
      out.set(ed25519Signature, TIMESTAMP_SIZE);
      return out;
    },
  };
}

/**
 * Creates a witness cosignature over a checkpoint body, as a note signature to
 * append to the checkpoint's note (signNote's `existing`, or formatNote). The
 * body is parsed first: a witness must never put its key to anything that is
 * not a checkpoint. Throws CHECKPOINT_MALFORMED, KEY_NAME_INVALID,
 * KEY_MALFORMED or COSIGNATURE_MALFORMED.
 */
export function createCosignature(
  checkpointText: string,
  witnessName: string,
  publicKey: Uint8Array,
  timestamp: number,
  sign: Ed25519Sign,
): NoteSignature {
  parseCheckpoint(checkpointText);
  const signer = witnessCosigner(witnessName, publicKey, timestamp, sign);
  return {
    keyName: signer.keyName,
    keyId: signer.keyId,
    signature: signer.sign(new TextEncoder().encode(checkpointText)),
  };
}

/**
 * Verifies one witness cosignature on a checkpoint body and returns its
 * timestamp. The signature must be by this witness (name and key ID match).
 * Throws COSIGNATURE_MALFORMED (wrong key, size or timestamp) or
 * COSIGNATURE_INVALID (the Ed25519 signature does not verify, or `verify` threw).
 */
export function verifyCosignature(
  checkpointText: string,
  cosignature: NoteSignature,
  witness: WitnessKey,
  verify: Ed25519Verify,
): ParsedCosignature {
  // A cosignature is bound to one (name, key ID); checking it under another witness's key proves nothing.
  if (cosignature.keyName !== witness.name || cosignature.keyId !== witness.keyId) {
    throw new LogProofError('COSIGNATURE_MALFORMED', `signature is not by witness ${witness.name}`);
  }
  // Type 0x01 keys sign the bare text; only a 0x04 key may vouch for the cosignature/v1 message.
  if (witness.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new LogProofError('COSIGNATURE_MALFORMED', 'witness key is not a cosignature/v1 (type 0x04) key');
  }
  const parsed = parseCosignature(cosignature.signature);
  let valid = false;
  try {
    valid =
      verify(witness.publicKey, cosignedMessage(checkpointText, parsed.timestamp), parsed.signature) === true;
  } catch {
    valid = false;
  }
  if (!valid)
    throw new LogProofError('COSIGNATURE_INVALID', `cosignature by ${witness.name} does not verify`);
  return parsed;
}

/**
 * A NoteVerifier for a witness vkey (type 0x04), so verifyNote can check
 * cosignatures beside the log's own signature. Malformed cosignatures count
 * as invalid (verify returns false, never throws); read the timestamp of a
 * verified one with parseCosignature.
 */
export function cosignatureVerifier(vkey: string, verify: Ed25519Verify): NoteVerifier {
  const witness = parseWitnessKey(vkey);
  return {
    keyName: witness.name,
    keyId: witness.keyId,
    verify(text, signature) {
      try {
        const parsed = parseCosignature(signature);
        return verify(witness.publicKey, messageBytes(text, parsed.timestamp), parsed.signature) === true;
      } catch {
        return false;
      }
    },
  };
}
