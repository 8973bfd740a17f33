/**
 * C2SP signed-note: a text ending in a newline, a blank line, then one or more
 * lines "— <key name> base64(<4-byte key ID> ‖ <signature>)". Parsing treats
 * the note as hostile; verification follows the spec's trust rules: signatures
 * from unknown keys are ignored, a failing signature from a known key rejects
 * the whole note, and a note with no verified known signature is rejected.
 */

import { decodeBase64, encodeBase64 } from './base64.js';
import type { Ed25519Sign, Ed25519Verify } from './ed25519-ports.js';
import { LogProofError } from './log-proof-error.js';
import {
  computeKeyId,
  formatKeyId,
  isValidKeyName,
  isWellFormedText,
  parseVerifierKey,
  readUint32,
  SIGNATURE_TYPE_ED25519,
  writeUint32,
} from './note-keys.js';

/**
 * Upper bound on signature lines. The spec requires accepting at least 16 and
 * asks verifiers for a bound; 100 is Go's, leaving room for a log key plus a
 * large witness network.
 */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;

export interface NoteSignature {
  readonly keyName: string;
  /** The key ID: the first 4 bytes of the decoded signature line, big-endian. */
  readonly keyId: number;
  /** The signature proper, after the 4-byte key ID. At least one byte. */
  readonly signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, including its final newline but not the blank separator line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteVerifier {
  readonly keyName: string;
  readonly keyId: number;
  /** Whether `signature` (key ID already stripped) is valid over the note text bytes. Must not throw. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly keyName: string;
  readonly keyId: number;
  /** Signs the note text bytes; returns the signature without the key ID. */
  sign(text: Uint8Array): Uint8Array;
}

export interface VerifiedNote {
  readonly text: string;
  /** Signatures by known keys, all verified; one per key. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys not in the verifier set, unchecked; identical lines collapsed. */
  readonly unverified: readonly NoteSignature[];
}

function malformed(message: string): LogProofError {
  return new LogProofError('NOTE_MALFORMED', message);
}

function decodeNote(message: string | Uint8Array): string {
  if (typeof message === 'string') {
    // A lone surrogate has no UTF-8 encoding, so the signed bytes would be ambiguous.
    if (!isWellFormedText(message)) throw malformed('note is not valid UTF-8');
    return message;
  }
  if (!(message instanceof Uint8Array)) throw malformed('note must be a string or bytes');
  try {
    // fatal: invalid UTF-8 is rejected, not replaced; ignoreBOM: a leading BOM is kept, as it is signed.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(message);
  } catch {
    throw malformed('note is not valid UTF-8');
  }
}

function checkNoControlCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Control characters (CR, NUL, escape sequences, ...) let two renderings of one note differ.
    if (code < 0x20 && code !== 0x0a)
      throw malformed(`control character U+${code.toString(16).padStart(4, '0')}`);
  }
}

function checkText(text: string): void {
  // The signature covers the text through its final newline; without one there is no text boundary.
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('note text must end with a newline');
  checkNoControlCharacters(text);
  if (!isWellFormedText(text)) throw malformed('note text is not valid UTF-8');
}

function parseSignatureLine(line: string): NoteSignature {
  // Every line after the separator must be a signature; anything else could hide text from the signature.
  if (!line.startsWith(SIGNATURE_PREFIX))
    throw malformed('signature line must start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('signature line has no signature');
  const keyName = rest.slice(0, space);
  // Names with spaces or '+' cannot round-trip through signature lines and key strings.
  if (!isValidKeyName(keyName)) throw malformed(`invalid key name ${JSON.stringify(keyName)}`);
  const decoded = decodeBase64(rest.slice(space + 1));
  // Strict base64 of a 4-byte key ID and at least one signature byte.
  if (decoded === undefined || decoded.length < KEY_ID_SIZE + 1)
    throw malformed('invalid signature encoding');
  return { keyName, keyId: readUint32(decoded, 0), signature: decoded.slice(KEY_ID_SIZE) };
}

/**
 * Parses a signed note without verifying it. Rejects (NOTE_MALFORMED): invalid
 * UTF-8, control characters other than newline, no blank line before the
 * signatures, a missing final newline, any line after the separator that is
 * not a well-formed signature line, and a note with no signature; rejects
 * NOTE_TOO_MANY_SIGNATURES above MAX_NOTE_SIGNATURES lines (counted before
 * any is decoded). The text is separated from the signatures by the LAST blank
 * line, so the text itself may contain blank lines.
 */
export function parseNote(message: string | Uint8Array): SignedNote {
  const note = decodeNote(message);
  checkNoControlCharacters(note);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature block must end with a newline');
  // Bound the work before splitting or decoding anything: a note with thousands of lines is an attack.
  let count = 0;
  for (let at = block.indexOf('\n'); at >= 0; at = block.indexOf('\n', at + 1)) {
    if (++count > MAX_NOTE_SIGNATURES) {
      throw new LogProofError(
        'NOTE_TOO_MANY_SIGNATURES',
        `note has more than ${MAX_NOTE_SIGNATURES} signatures`,
      );
    }
  }
  const lines = block.slice(0, -1).split('\n');
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Serialises a signed note. Throws NOTE_MALFORMED if the text is not valid
 * note text, there is no signature, a key name is invalid, a key ID is not a
 * uint32 or a signature is empty; NOTE_TOO_MANY_SIGNATURES above the bound.
 */
export function formatNote(note: SignedNote): string {
  checkText(note.text);
  if (note.signatures.length === 0) throw malformed('a signed note needs at least one signature');
  if (note.signatures.length > MAX_NOTE_SIGNATURES) {
    throw new LogProofError('NOTE_TOO_MANY_SIGNATURES', `at most ${MAX_NOTE_SIGNATURES} signatures`);
  }
  let out = `${note.text}\n`;
  for (const { keyName, keyId, signature } of note.signatures) {
    if (!isValidKeyName(keyName)) throw malformed(`invalid key name ${JSON.stringify(keyName)}`);
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff)
      throw malformed('key ID must be a uint32');
    if (signature.length === 0) throw malformed('empty signature');
    const bytes = new Uint8Array(KEY_ID_SIZE + signature.length);
    bytes.set(writeUint32(keyId), 0);
    bytes.set(signature, KEY_ID_SIZE);
    out += `${SIGNATURE_PREFIX}${keyName} ${encodeBase64(bytes)}\n`;
  }
  return out;
}

/**
 * Signs `text` with each signer and returns the note. Signatures in
 * `existing` are kept first, except those by a key that signs again here
 * (same name and key ID), which are replaced; new signatures follow in signer
 * order. This is how a checkpoint is signed and how cosignatures are added.
 */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): SignedNote {
  checkText(text);
  const bytes = new TextEncoder().encode(text);
  const fresh = signers.map((signer): NoteSignature => {
    if (!isValidKeyName(signer.keyName))
      throw malformed(`invalid key name ${JSON.stringify(signer.keyName)}`);
    return { keyName: signer.keyName, keyId: signer.keyId, signature: signer.sign(bytes) };
  });
  const replaced = (sig: NoteSignature) =>
    signers.some((signer) => signer.keyName === sig.keyName && signer.keyId === sig.keyId);
  const note = { text, signatures: [...existing.filter((sig) => !replaced(sig)), ...fresh] };
  formatNote(note); // validates the result (names, IDs, bound) so a bad note is never handed out
  return note;
}

/**
 * Parses `message` and checks it against a set of trusted verifiers, matched
 * by key name AND key ID (a signature sharing only one of them is unknown and
 * ignored, as the spec requires). Every signature by a known key is verified.
 * Throws LogProofError: parse codes as for parseNote; KEY_AMBIGUOUS if two
 * verifiers share name and ID; NOTE_SIGNATURE_INVALID if a known key's
 * signature fails; NOTE_UNVERIFIED if no known key signed the note.
 */
export function verifyNote(message: string | Uint8Array, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const known = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const id = `${verifier.keyName}+${formatKeyId(verifier.keyId)}`;
    // Two keys answering to one (name, ID) would make "which key signed this" unanswerable.
    if (known.has(id)) throw new LogProofError('KEY_AMBIGUOUS', `two verifiers for ${id}`);
    known.set(id, verifier);
  }
  const note = parseNote(message);
  const textBytes = new TextEncoder().encode(note.text);
  const verified: NoteSignature[] = [];
  const verifiedIds = new Set<string>();
  const unverified: NoteSignature[] = [];
  const unverifiedLines = new Set<string>();
  for (const sig of note.signatures) {
    const id = `${sig.keyName}+${formatKeyId(sig.keyId)}`;
    const verifier = known.get(id);
    if (verifier === undefined) {
      const line = `${id} ${encodeBase64(sig.signature)}`;
      if (!unverifiedLines.has(line)) {
        unverifiedLines.add(line);
        unverified.push(sig);
      }
      continue;
    }
    // A known key whose signature fails means tampering or a key mix-up: reject the whole note.
    if (!verifier.verify(textBytes, sig.signature)) {
      throw new LogProofError('NOTE_SIGNATURE_INVALID', `invalid signature by ${id}`);
    }
    if (!verifiedIds.has(id)) {
      verifiedIds.add(id);
      verified.push(sig);
    }
  }
  if (verified.length === 0) {
    throw new LogProofError('NOTE_UNVERIFIED', 'no signature by a trusted key');
  }
  return { text: note.text, verified, unverified };
}

/**
 * A note verifier for a type-0x01 Ed25519 verifier key string. Signatures
 * that are not exactly 64 bytes are refused before `verify` is called, and a
 * throwing `verify` counts as a failed signature.
 */
export function ed25519NoteVerifier(vkey: string, verify: Ed25519Verify): NoteVerifier {
  const key = parseVerifierKey(vkey, SIGNATURE_TYPE_ED25519);
  return {
    keyName: key.name,
    keyId: key.keyId,
    verify(text, signature) {
      if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
      try {
        return verify(key.publicKey, text, signature) === true;
      } catch {
        return false;
      }
    },
  };
}

/** A note signer for an Ed25519 key: `sign` holds the private key, `publicKey` gives the key ID. */
export function ed25519NoteSigner(keyName: string, publicKey: Uint8Array, sign: Ed25519Sign): NoteSigner {
  if (!isValidKeyName(keyName)) {
    throw new LogProofError(
      'KEY_NAME_INVALID',
      `key name ${JSON.stringify(keyName)} is empty or contains a space or '+'`,
    );
  }
  if (publicKey.length !== 32)
    throw new LogProofError('KEY_MALFORMED', 'Ed25519 public key must be 32 bytes');
  return {
    keyName,
    keyId: computeKeyId(keyName, SIGNATURE_TYPE_ED25519, publicKey),
    sign(text) {
      const signature = sign(text);
      if (signature.length !== ED25519_SIGNATURE_SIZE) {
        throw new LogProofError('KEY_MALFORMED', 'Ed25519 signer returned a signature that is not 64 bytes');
      }
      return signature;
    },
  };
}
