import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) serialisation. Signatures and log leaves are computed over
 * these bytes. It is the `canonicalize` package (the reference implementation
 * by RFC 8785's author) on purpose: a hand-written serialiser measured ~40%
 * cheaper, but the bytes everyone signs are not the place for our own code.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  // canonicalize returns undefined for undefined/functions at the top level; nothing signed may be undefined.
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

const encoder = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}
