import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeBase64, encodeBase64 } from '../domain/crypto/base64.js';
import { ED25519_PUBLIC_KEY_BYTES, keyIdOf } from '../domain/crypto/key-id.js';

/** An Ed25519 key pair held by a client. The private key never leaves this process. */
export interface KeyPair {
  readonly keyId: string;
  /** Raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  readonly publicKeyBase64: string;
  sign(message: Uint8Array): Uint8Array;
  /** PKCS#8 PEM of the private key, for writing a key file. */
  privateKeyPem(): string;
}

export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

function fromPrivateKey(privateKey: KeyObject): KeyPair {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicKeyBase64: encodeBase64(publicKey),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
    privateKeyPem: () => privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function generateKeyPair(): KeyPair {
  return fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
}

export function keyPairFromPem(pem: string): KeyPair {
  return fromPrivateKey(createPrivateKey(pem));
}

/** A public key as a string: SPKI PEM, or base64 of the raw 32 bytes. */
export function parsePublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPublicKey(trimmed);
    // Other key types also carry a 32-byte JWK x (P-256 does); only Ed25519 is a Chancery key.
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key: ${key.asymmetricKeyType}`);
    return rawPublicKey(key);
  }
  const raw = decodeBase64(trimmed);
  if (raw === null || raw.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new Error('a public key must be a PEM block or base64 of 32 raw bytes');
  }
  return raw;
}

export function publicKeyPem(publicKey: Uint8Array): string {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * Writes FILE (private key, mode 0600) and FILE.pub (public key). The mode is
 * set at creation so the key is never readable by others, not even briefly.
 */
export function writeKeyFiles(
  file: string,
  keyPair: KeyPair,
): { privateKeyFile: string; publicKeyFile: string } {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, keyPair.privateKeyPem(), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  const publicKeyFile = `${file}.pub`;
  writeFileSync(publicKeyFile, publicKeyPem(keyPair.publicKey), { mode: 0o644 });
  return { privateKeyFile: file, publicKeyFile };
}

export function readKeyFile(file: string): KeyPair {
  return keyPairFromPem(readFileSync(file, 'utf8'));
}
