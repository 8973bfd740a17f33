import { createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { type KeyPair, keyPairFromPem, parsePublicKey, rawPublicKey } from '../../client/index.js';
import { encodeBase64 } from '../../domain/crypto/base64.js';
import { keyIdOf } from '../../domain/crypto/key-id.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import { describeFsError } from './fs-errors.js';

const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Loads a private key file (PKCS#8 PEM, as `chancery keygen` writes). */
export function loadPrivateKey(file: string): KeyPair {
  const text = readText(file);
  if (!PRIVATE_PEM.test(text)) {
    throw new CliError(
      `${file} holds no private key${file.endsWith('.pub') ? ' (it is the public half: pass the file without .pub)' : ''}`,
    );
  }
  try {
    return keyPairFromPem(text);
  } catch (error) {
    throw new CliError(`${file}: not an Ed25519 private key (${(error as Error).message})`);
  }
}

/**
 * `--key` as base64 of the raw public key: a key file (private PEM → its
 * public half, public PEM as written to FILE.pub) or the base64 itself.
 */
export function publicKeyArg(value: string, command: string): PublicKeyArg {
  if (isFile(value)) {
    const text = readText(value);
    if (PRIVATE_PEM.test(text)) return describe(loadPrivateKey(value).publicKey);
    return describe(publicKeyFromPem(text, value));
  }
  try {
    return describe(parsePublicKey(value));
  } catch {
    throw new UsageError(
      `--key ${value}: no such key file, and not the base64 of a 32-byte Ed25519 public key`,
      command,
    );
  }
}

export interface PublicKeyArg {
  /** base64 of the raw 32 bytes, as commands carry it. */
  readonly publicKey: string;
  readonly keyId: string;
}

function describe(raw: Uint8Array): PublicKeyArg {
  return { publicKey: encodeBase64(raw), keyId: keyIdOf(raw) };
}

function publicKeyFromPem(text: string, file: string): Uint8Array {
  try {
    const key = createPublicKey(text.trim());
    // parsePublicKey would take any key with a JWK x coordinate, a P-256 key included.
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return rawPublicKey(key);
  } catch (error) {
    throw new CliError(`${file}: not an Ed25519 public key (${(error as Error).message})`);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read key file ${file}: ${describeFsError(error)}`);
  }
}
