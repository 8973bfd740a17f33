/**
 * Cheap checks on JSON text and values, run before anything recursive (ajv,
 * canonicalisation, schema compilation) sees a request body. Hand-written
 * because they are a few lines and must not allocate per level: a scanner that
 * counts brackets outside strings costs one pass and no stack.
 */

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * Counts nesting depth as JSON arrives, chunk by chunk, so that a body nested
 * too deep is refused at the first bracket past the limit instead of after the
 * whole body was received. Brackets inside strings are skipped (a backslash
 * escapes the next character). It works on UTF-16 code units and on UTF-8
 * bytes alike: every character it looks at is ASCII, and no byte of a
 * multi-byte UTF-8 sequence is. Malformed JSON is left to the parser: this
 * only bounds how deep a parse could go.
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxDepth: number) {}

  /** The first depth beyond the limit reached so far (this chunk included), or null. */
  feed(chunk: ArrayLike<number> | string): number | null {
    const text = typeof chunk === 'string';
    for (let i = 0; i < chunk.length; i++) {
      const c = text ? chunk.charCodeAt(i) : (chunk as ArrayLike<number>)[i]!;
      if (this.escaped) this.escaped = false;
      else if (this.inString) {
        if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x5b || c === 0x7b) {
        this.depth++;
        if (this.depth > this.maxDepth) return this.depth;
      } else if (c === 0x5d || c === 0x7d) this.depth--;
    }
    return null;
  }
}

/** The first nesting depth beyond `maxDepth` reached in `text`, or null (JsonDepthScanner over one string). */
export function depthBeyond(text: string, maxDepth: number): number | null {
  return new JsonDepthScanner(maxDepth).feed(text);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface NotIJson {
  /** JSON Pointer to the offending value (or key). */
  readonly pointer: string;
  readonly reason: string;
}

/**
 * The first value RFC 8785 cannot serialise (RFC 7493 I-JSON): a number that
 * overflowed to ±Infinity (e.g. 1e400) or a string or key holding a lone UTF-16
 * surrogate. Call only on values whose depth is already bounded.
 */
export function firstNonIJson(value: unknown, pointer = ''): NotIJson | null {
  const found = notIJson(value);
  return found === null ? null : { pointer: pointer + found.pointer, reason: found.reason };
}

/**
 * firstNonIJson below the value: the pointer is built on the way back out of a finding only, so the
 * common case, a body with nothing wrong (every request's), builds no path string per member.
 */
function notIJson(value: unknown): NotIJson | null {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? null
      : { pointer: '', reason: 'a number outside the IEEE 754 double range' };
  }
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value)
      ? { pointer: '', reason: 'a string with a lone UTF-16 surrogate' }
      : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = notIJson(value[i]);
      if (found !== null) return { pointer: `/${i}${found.pointer}`, reason: found.reason };
    }
    return null;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (LONE_SURROGATE.test(key))
      return { pointer: `/${escapePointer(key)}`, reason: 'a key with a lone UTF-16 surrogate' };
    const found = notIJson((value as Record<string, unknown>)[key]);
    if (found !== null) return { pointer: `/${escapePointer(key)}${found.pointer}`, reason: found.reason };
  }
  return null;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
