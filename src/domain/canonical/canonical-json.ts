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

/**
 * Whether two JSON values have the same RFC 8785 form, found without writing either: the same
 * members (in any order; a member whose value is undefined is left out, as canonicalJson leaves it
 * out), the same elements (undefined is null, as there), equal strings, numbers and literals. A
 * mirror compares every event it decides with the log's this way; writing both forms of a
 * million-record batch's 45 MB of slices took a quarter of a second in one piece.
 */
export function canonicallyEqual(a: unknown, b: unknown): boolean {
  // A value that serialises itself: compare what it writes.
  if (hasToJson(a) || hasToJson(b)) return canonicalJson(a) === canonicalJson(b);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!canonicallyEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let members = 0;
  for (const key of Object.keys(left)) {
    if (!written(left[key])) continue;
    members++;
    if (!Object.hasOwn(right, key) || !written(right[key]) || !canonicallyEqual(left[key], right[key]))
      return false;
  }
  for (const key of Object.keys(right)) if (written(right[key])) members--;
  return members === 0;
}

/** Whether canonicalJson writes a member with this value (it leaves out undefined and symbols). */
function written(value: unknown): boolean {
  return value !== undefined && typeof value !== 'symbol';
}

function hasToJson(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}

const encoder = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}
