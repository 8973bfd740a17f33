import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) serialisation. Signatures and log leaves are computed over these bytes.
 *
 * Plain JSON values (what JSON.parse yields: null, booleans, finite numbers,
 * strings, arrays, objects) take a direct serialiser, about 40% cheaper than
 * the `canonicalize` package on command payloads and log entries, which the
 * node serialises for every write. Anything else (toJSON, sparse arrays,
 * functions, symbols, bigints, cycles) goes to `canonicalize`, so every input
 * gets exactly its output or its error: test/unit/canonical checks both
 * against each other on random values and against RFC 8785's examples.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = plainJson(value);
  } catch (error) {
    if (!(error instanceof NotPlainJson) && !(error instanceof RangeError)) throw error;
    // RangeError: a cycle overflowed the stack; canonicalize reports it as one.
    text = canonicalize(value);
  }
  // canonicalize returns undefined for undefined/functions at the top level; nothing signed may be undefined.
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

const encoder = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

/** A value beyond plain JSON: the caller hands the whole input to canonicalize. */
class NotPlainJson extends Error {}

const SURROGATE = /[\uD800-\uDFFF]/;

/** RFC 8785 §3.2.2.2: strings as ECMAScript's JSON.stringify writes them, but lone surrogates are refused. */
function jsonString(text: string): string {
  // Paired surrogates (emoji) are fine; only the rare string holding any gets the full scan.
  if (SURROGATE.test(text) && hasLoneSurrogate(text)) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(text);
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

function plainJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      // The same errors as canonicalize; JSON.stringify writes numbers as RFC 8785 §3.2.2.3 asks (ES Number::toString).
      if (Number.isNaN(value)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new NotPlainJson();
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          if (item === undefined) {
            // canonicalize leaves holes of sparse arrays empty; an undefined element is null in both.
            if (!(i in value)) throw new NotPlainJson();
            out += 'null';
          } else out += plainJson(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // Default sort: by UTF-16 code units, as RFC 8785 §3.2.3 asks.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${jsonString(key)}:${plainJson(item)}`;
      }
      return `${out}}`;
    }
    default:
      // undefined, functions, symbols, bigints: whatever canonicalize makes of them.
      throw new NotPlainJson();
  }
}
