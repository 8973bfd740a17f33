/**
 * Key names, key IDs and the key strings of C2SP signed-note (as implemented
 * by golang.org/x/mod/sumdb/note):
 *
 *   verifier key  <name>+<key ID as 8 hex digits>+base64(<type byte> ‖ <public key>)
 *   signer key    PRIVATE+KEY+<name>+<key ID>+base64(0x01 ‖ <32-byte Ed25519 seed>)
 *
 * key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
 * Only the two Ed25519 types are supported: 0x01 (note signatures) and 0x04
 * (tlog-cosignature/v1 witness cosignatures).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { LogProofError } from './log-proof-error.js';

/** Signature type of plain Ed25519 note signatures (signed-note). */
export const SIGNATURE_TYPE_ED25519 = 0x01;
/** Signature type of timestamped Ed25519 witness cosignatures (tlog-cosignature/v1). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

export type Ed25519SignatureType = typeof SIGNATURE_TYPE_ED25519 | typeof SIGNATURE_TYPE_COSIGNATURE_V1;

const ED25519_KEY_SIZE = 32;

// The Unicode White_Space property, which is what Go's unicode.IsSpace tests (JS \s differs: it
// includes U+FEFF and omits U+0085).
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string has no lone UTF-16 surrogates, i.e. can be encoded as UTF-8. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * A key name must be non-empty and contain no Unicode space and no '+'
 * (spaces delimit signature lines, '+' delimits key strings).
 */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !UNICODE_SPACE.test(name) && !name.includes('+') && isWellFormedText(name);
}

function checkKeyName(name: string): void {
  // A space or '+' in a name would make signature lines and key strings parse differently than written.
  if (typeof name !== 'string' || !isValidKeyName(name)) {
    throw new LogProofError(
      'KEY_NAME_INVALID',
      `key name ${JSON.stringify(name)} is empty or contains a space or '+'`,
    );
  }
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ publicKey)[:4] as a big-endian uint32. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes, 0);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = type;
  input.set(publicKey, nameBytes.length + 2);
  return readUint32(sha256(input), 0);
}

/** A key ID as it appears in key strings: 8 lowercase hex digits. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}

export function writeUint32(keyId: number): Uint8Array {
  return new Uint8Array([keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff]);
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: Ed25519SignatureType;
  /** The 32-byte Ed25519 public key, without the type byte. */
  readonly publicKey: Uint8Array;
}

// Go's strconv.ParseUint(s, 16, 32) on exactly 8 characters: either case, no sign, no prefix.
const KEY_ID_HEX = /^[0-9a-fA-F]{8}$/;

function typeHex(type: number): string {
  return `0x${type.toString(16).padStart(2, '0')}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

function parseKeyMaterial(
  name: string,
  keyIdHex: string | undefined,
  keyBase64: string | undefined,
  what: string,
) {
  checkKeyName(name);
  // The key ID must be exactly 8 hex digits; anything else is a typo or an attempt to smuggle characters.
  if (keyIdHex === undefined || !KEY_ID_HEX.test(keyIdHex)) {
    throw new LogProofError('KEY_MALFORMED', `${what}: key ID must be 8 hex digits`);
  }
  const material = keyBase64 === undefined ? undefined : decodeBase64(keyBase64);
  // Exactly the type byte and a 32-byte key: strict base64 so one key has one spelling.
  if (material === undefined || material.length !== 1 + ED25519_KEY_SIZE) {
    throw new LogProofError('KEY_MALFORMED', `${what}: key must be base64 of a type byte and 32 bytes`);
  }
  return { keyId: Number.parseInt(keyIdHex, 16), type: material[0]!, key: material.slice(1) };
}

/**
 * Parses a verifier key string ("vkey"). Throws LogProofError KEY_NAME_INVALID,
 * KEY_MALFORMED (syntax, unsupported type, wrong size) or KEY_ID_MISMATCH.
 * `expectedType`, when given, rejects keys of the other signature type, so a
 * witness key cannot be configured where a log key is expected or vice versa.
 */
export function parseVerifierKey(vkey: string, expectedType?: Ed25519SignatureType): VerifierKey {
  if (typeof vkey !== 'string') throw new LogProofError('KEY_MALFORMED', 'verifier key must be a string');
  const [name, afterName] = splitOnce(vkey, '+');
  const [keyIdHex, keyBase64] = afterName === undefined ? [undefined, undefined] : splitOnce(afterName, '+');
  const { keyId, type, key } = parseKeyMaterial(name, keyIdHex, keyBase64, 'verifier key');
  // Other types (ECDSA 0x02, RFC 6962 0x05, ...) compute IDs and signatures differently; refuse rather than guess.
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new LogProofError('KEY_MALFORMED', `verifier key type ${typeHex(type)} is not supported`);
  }
  if (expectedType !== undefined && type !== expectedType) {
    throw new LogProofError(
      'KEY_MALFORMED',
      `verifier key type ${typeHex(type)}, expected ${typeHex(expectedType)}`,
    );
  }
  // The ID is derived from name and key; a mismatch means the string was edited or mis-assembled.
  if (keyId !== computeKeyId(name, type, key)) {
    throw new LogProofError('KEY_ID_MISMATCH', `verifier key ID ${keyIdHex} does not match its name and key`);
  }
  return { name, keyId, type, publicKey: key };
}

/** Formats a verifier key string for an Ed25519 public key of the given type. */
export function formatVerifierKey(name: string, type: Ed25519SignatureType, publicKey: Uint8Array): string {
  checkKeyName(name);
  if (publicKey.length !== ED25519_KEY_SIZE) {
    throw new LogProofError('KEY_MALFORMED', `Ed25519 public key must be ${ED25519_KEY_SIZE} bytes`);
  }
  const material = new Uint8Array(1 + ED25519_KEY_SIZE);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${formatKeyId(computeKeyId(name, type, publicKey))}+${encodeBase64(material)}`;
}

export interface SignerKey {
  readonly name: string;
  readonly keyId: number;
  /** The 32-byte Ed25519 seed (RFC 8032 private key). Secret. */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';

/**
 * Parses a Go note signer key string (type 0x01 only, as in Go). The key ID is
 * of the public key, which only a signature implementation can derive from the
 * seed, so the caller passes `publicKeyFromSeed` and the ID is checked against it.
 * Throws LogProofError KEY_NAME_INVALID, KEY_MALFORMED or KEY_ID_MISMATCH.
 */
export function parseSignerKey(skey: string, publicKeyFromSeed: (seed: Uint8Array) => Uint8Array): SignerKey {
  if (typeof skey !== 'string' || !skey.startsWith(SIGNER_KEY_PREFIX)) {
    throw new LogProofError('KEY_MALFORMED', `signer key must start with ${SIGNER_KEY_PREFIX}`);
  }
  const [name, afterName] = splitOnce(skey.slice(SIGNER_KEY_PREFIX.length), '+');
  const [keyIdHex, keyBase64] = afterName === undefined ? [undefined, undefined] : splitOnce(afterName, '+');
  const { keyId, type, key } = parseKeyMaterial(name, keyIdHex, keyBase64, 'signer key');
  if (type !== SIGNATURE_TYPE_ED25519) {
    throw new LogProofError('KEY_MALFORMED', `signer key type ${typeHex(type)} is not supported`);
  }
  const publicKey = publicKeyFromSeed(key);
  if (keyId !== computeKeyId(name, type, publicKey)) {
    throw new LogProofError('KEY_ID_MISMATCH', `signer key ID ${keyIdHex} does not match its name and key`);
  }
  return { name, keyId, seed: key, publicKey };
}

/** Formats a Go note signer key string for an Ed25519 seed and its public key. */
export function formatSignerKey(name: string, seed: Uint8Array, publicKey: Uint8Array): string {
  checkKeyName(name);
  if (seed.length !== ED25519_KEY_SIZE || publicKey.length !== ED25519_KEY_SIZE) {
    throw new LogProofError('KEY_MALFORMED', `Ed25519 seed and public key must be ${ED25519_KEY_SIZE} bytes`);
  }
  const material = new Uint8Array(1 + ED25519_KEY_SIZE);
  material[0] = SIGNATURE_TYPE_ED25519;
  material.set(seed, 1);
  const keyId = formatKeyId(computeKeyId(name, SIGNATURE_TYPE_ED25519, publicKey));
  return `${SIGNER_KEY_PREFIX}${name}+${keyId}+${encodeBase64(material)}`;
}
