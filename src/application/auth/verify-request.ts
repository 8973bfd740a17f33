import { createHash } from 'node:crypto';
import { encodeBase64 } from '../../domain/crypto/base64.js';
import {
  derivedComponent,
  parameter,
  parseSignature,
  parseSignatureInput,
  type SignatureParams,
  StructuredFieldError,
  serializeSignatureParams,
  signatureBase,
} from '../../domain/crypto/http-message-signature.js';
import { KEY_ID_PATTERN } from '../../domain/crypto/key-id.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type { RegistryIdentity, RegistryKey } from '../../infrastructure/projections/identity-registry.js';
import type { RequestEnvelope } from '../pipeline/write-metadata.js';
import { ProblemError } from '../problems/problem.js';
import type { ReplayCache } from './replay-cache.js';

/** What a verified RFC 9421 request proves, and what the log keeps to let anyone re-verify it. */
export interface VerifiedRequest {
  readonly actor: RegistryIdentity;
  readonly key: RegistryKey;
  /** The signature's `created`, in ms. */
  readonly createdMs: number;
  readonly label: string;
  readonly params: SignatureParams;
  /** The exact text that was signed (RFC 9421 §2.5). */
  readonly signatureBase: string;
  readonly signature: Uint8Array;
}

export interface SignatureRegistry {
  get(identityId: string): RegistryIdentity | undefined;
  key(keyId: string): RegistryKey | undefined;
}

export interface VerifyOptions {
  readonly registry: SignatureRegistry;
  readonly now: number;
  readonly maxSkewMs: number;
  readonly replay: ReplayCache;
  /** Components the route needs covered, e.g. content-digest for a body. */
  readonly required: readonly string[];
}

export interface SignableRequest {
  readonly method: string;
  /** Request target as received: path and query. */
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

const invalid = (detail: string) => new ProblemError('SIGNATURE_INPUT_INVALID', detail);

function headerText(headers: SignableRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  // Repeated fields combine with ", " (RFC 9421 §2.1); surrounding whitespace is not part of the value.
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).join(', ');
}

/** The value of one covered component, or a refusal naming what is missing. */
function componentValue(name: string, request: SignableRequest): string {
  if (name.startsWith('@')) {
    const value = derivedComponent(name, request);
    if (value === null)
      throw invalid(`covered component ${name} is not supported (use @method, @path, @query)`);
    return value;
  }
  if (name !== name.toLowerCase()) throw invalid(`covered field ${name} must be lower case`);
  const value = headerText(request.headers, name);
  if (value === undefined) throw invalid(`covered field ${name} is not in the request`);
  return value;
}

/**
 * Verifies an RFC 9421 signature (Ed25519, keyid = a Chancery key id) on a
 * request, in the order the signed-command check uses so nothing leaks to a
 * forger: syntax, key known, signature valid, then key retired, identity
 * revoked, `created` within the skew, and finally the replay check (only a
 * valid signature may take a place in the cache). Returns null when the
 * request carries no signature at all; the route decides whether that is
 * allowed (anonymous reads of public data).
 */
export function verifyRequestSignature(
  request: SignableRequest,
  options: VerifyOptions,
): VerifiedRequest | null {
  const signed = readSignature(request);
  if (signed === null) return null;
  const { label, params, signature } = signed;
  const { created, keyid, expires } = checkParams(params, options.required);
  const base = buildSignatureBase(request, params);
  const { key, actor } = checkSigner(options.registry, keyid, base, signature);
  checkTime(created, expires, options);
  rememberSignature(signature, options);
  return { actor, key, createdMs: created * 1000, label, params, signatureBase: base, signature };
}

/** The one signature the request carries, or null when it carries none. */
function readSignature(
  request: SignableRequest,
): { label: string; params: SignatureParams; signature: Uint8Array } | null {
  const inputHeader = headerText(request.headers, 'signature-input');
  const signatureHeader = headerText(request.headers, 'signature');
  if (inputHeader === undefined && signatureHeader === undefined) return null;
  if (inputHeader === undefined || signatureHeader === undefined)
    throw invalid('Signature-Input and Signature must be sent together');

  let inputs: Map<string, SignatureParams>;
  let signatures: Map<string, Uint8Array>;
  try {
    inputs = parseSignatureInput(inputHeader);
    signatures = parseSignature(signatureHeader);
  } catch (error) {
    if (error instanceof StructuredFieldError)
      throw invalid(`cannot parse the signature headers: ${error.message}`);
    throw error;
  }
  // One signature per request: with several, which one authorises the request would be ambiguous.
  if (inputs.size !== 1)
    throw invalid(`expected exactly one signature in Signature-Input, found ${inputs.size}`);
  const [label, params] = [...inputs][0]!;
  const signature = signatures.get(label);
  if (signature === undefined) throw invalid(`Signature has no value labelled ${label}`);
  return { label, params, signature };
}

/** The covered components and the parameters Chancery requires: `created` (s), `keyid`, and `expires` (s) if any. */
function checkParams(
  params: SignatureParams,
  required: readonly string[],
): { created: number; keyid: string; expires: number | undefined } {
  for (const name of ['@method', '@path', '@query', ...required]) {
    if (!params.components.includes(name)) throw invalid(`the signature must cover ${name}`);
  }
  const created = parameter(params, 'created');
  if (created?.kind !== 'integer') throw invalid('the signature needs an integer created parameter');
  const keyid = parameter(params, 'keyid');
  if (keyid?.kind !== 'string' || !new RegExp(KEY_ID_PATTERN).test(keyid.value))
    throw invalid('keyid must be a Chancery key id (ed25519:…)');
  const alg = parameter(params, 'alg');
  if (alg !== undefined && (alg.kind !== 'string' || alg.value !== 'ed25519'))
    throw invalid('alg, when present, must be "ed25519"');
  const expires = parameter(params, 'expires');
  if (expires !== undefined && expires.kind !== 'integer') throw invalid('expires must be an integer');
  return { created: created.value, keyid: keyid.value, expires: expires?.value };
}

/** The exact text that was signed (RFC 9421 §2.5). */
function buildSignatureBase(request: SignableRequest, params: SignatureParams): string {
  const values = params.components.map((name) => [name, componentValue(name, request)] as const);
  try {
    return signatureBase(values, params);
  } catch (error) {
    if (error instanceof StructuredFieldError) throw invalid(error.message);
    throw error;
  }
}

/** The key and its identity, once the signature verifies with the key, and only then whether either is still valid. */
function checkSigner(
  registry: SignatureRegistry,
  keyId: string,
  base: string,
  signature: Uint8Array,
): { key: RegistryKey; actor: RegistryIdentity } {
  const key = registry.key(keyId);
  if (key === undefined) throw new ProblemError('KEY_UNKNOWN', `no identity holds key ${keyId}`);
  const actor = registry.get(key.identityId);
  if (actor === undefined) throw new ProblemError('ACTOR_UNKNOWN', `no identity ${key.identityId}`);
  if (!verifyEd25519(key.publicKeyBytes, new TextEncoder().encode(base), signature)) {
    throw new ProblemError(
      'SIGNATURE_INVALID',
      'the HTTP message signature does not verify over the signature base',
    );
  }
  if (key.retiredAt !== null)
    throw new ProblemError('KEY_RETIRED', `key ${key.keyId} was retired at ${key.retiredAt}`);
  if (actor.status === 'revoked')
    throw new ProblemError('ACTOR_REVOKED', `identity ${actor.identityId} is revoked`);
  return { key, actor };
}

/** `created` within the allowed skew of the server's clock, and `expires`, if any, still ahead. */
function checkTime(created: number, expires: number | undefined, options: VerifyOptions): void {
  if (Math.abs(options.now - created * 1000) > options.maxSkewMs) {
    throw new ProblemError(
      'ISSUED_AT_SKEW',
      `signature created ${created} is more than ${Math.round(options.maxSkewMs / 1000)} s from the server time ${Math.floor(options.now / 1000)}`,
    );
  }
  if (expires !== undefined && expires * 1000 <= options.now)
    throw new ProblemError('ISSUED_AT_SKEW', `the signature expired at ${expires}`);
}

/** Takes the signature's place in the replay cache: a signature is good for one request. */
function rememberSignature(signature: Uint8Array, options: VerifyOptions): void {
  const replayKey = createHash('sha256').update(signature).digest('base64');
  const seen = options.replay.remember(replayKey, options.now);
  if (seen === 'replayed') {
    throw new ProblemError('SIGNATURE_REPLAYED', 'this signature was already used; sign each request afresh');
  }
  if (seen === 'full') {
    throw new ProblemError('STORE_OVERLOADED', 'too many signed requests in flight; retry shortly', {}, 5);
  }
}

/**
 * What the log keeps of a signed request in place of a command envelope: the
 * exact signature base and the signature. Anyone can check it with the
 * signer's key, and the base's content-digest line binds the uploaded bytes.
 */
export function requestEnvelope(verified: VerifiedRequest): RequestEnvelope {
  return {
    scheme: 'rfc9421',
    actor: verified.actor.identityId,
    keyId: verified.key.keyId,
    signatureInput: `${verified.label}=${serializeSignatureParams(verified.params)}`,
    signatureBase: verified.signatureBase,
    signature: encodeBase64(verified.signature),
  };
}
