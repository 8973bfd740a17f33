import { randomBytes } from 'node:crypto';
import { encodeBase64 } from '../domain/crypto/base64.js';
import {
  contentDigestHeader,
  derivedComponent,
  type SignatureParams,
  serializeSignatureParams,
  signatureBase,
} from '../domain/crypto/http-message-signature.js';
import type { KeyPair } from './key-pair.js';

export interface HttpSignOptions {
  /** Unix seconds; defaults to now. */
  readonly created?: number;
  readonly label?: string;
  /** A fresh random nonce unless given. */
  readonly nonce?: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Path and query, as sent. */
  readonly target: string;
  /** Header fields to send; those named in `covered` are signed. Names in lower case. */
  readonly headers: Record<string, string>;
  /** Header fields to cover besides @method, @path and @query. */
  readonly covered?: readonly string[];
}

/**
 * Signs a request with RFC 9421 HTTP Message Signatures (Ed25519, keyid = the
 * Chancery key id). Returns the Signature-Input and Signature fields to add.
 * A body is bound by covering `content-digest` (see contentDigestHeader).
 */
export function signHttpRequest(
  keyPair: KeyPair,
  request: RequestToSign,
  options: HttpSignOptions = {},
): { 'signature-input': string; signature: string } {
  const label = options.label ?? 'sig1';
  const components = ['@method', '@path', '@query', ...(request.covered ?? [])];
  const params: SignatureParams = {
    components,
    parameters: [
      ['created', { kind: 'integer', value: options.created ?? Math.floor(Date.now() / 1000) }],
      ['keyid', { kind: 'string', value: keyPair.keyId }],
      ['alg', { kind: 'string', value: 'ed25519' }],
      ['nonce', { kind: 'string', value: options.nonce ?? randomBytes(16).toString('base64url') }],
    ],
  };
  const values = components.map((name) => {
    const derived = derivedComponent(name, { method: request.method, url: request.target });
    const value = name.startsWith('@') ? derived : request.headers[name];
    if (value === undefined || value === null)
      throw new Error(`cannot sign ${name}: the request has no such field`);
    return [name, value.trim()] as const;
  });
  const base = signatureBase(values, params);
  const signature = keyPair.sign(new TextEncoder().encode(base));
  return {
    'signature-input': `${label}=${serializeSignatureParams(params)}`,
    signature: `${label}=:${encodeBase64(signature)}:`,
  };
}

export { contentDigestHeader };
