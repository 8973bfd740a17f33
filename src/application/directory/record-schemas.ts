import { createHash } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { canonicalJson } from '../../domain/canonical/canonical-json.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { ProblemError } from '../problems/problem.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** The canonical form of a schema is signed data in the log; keep it small enough to be reasonable there. */
export const MAX_SCHEMA_BYTES = 128 * 1024;
/** Deeply nested schemas cost compile time and stack for no real dataset's benefit. */
const MAX_SCHEMA_DEPTH = 32;
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
export const MAX_CACHED_SCHEMAS = 128;

function depth(value: unknown, level = 0): number {
  if (level > MAX_SCHEMA_DEPTH) return level;
  if (value === null || typeof value !== 'object') return level;
  let max = level;
  for (const child of Object.values(value)) max = Math.max(max, depth(child, level + 1));
  return max;
}

function fresh(): Ajv2020 {
  // A fresh instance per schema: two departments' schemas may share an $id, and ajv refuses duplicates.
  // allErrors: a refused record lists every error, not the first; verbose: each error carries the bad value.
  return addFormats(
    new Ajv2020({ strict: false, allErrors: true, verbose: true, logger: false, validateFormats: true }),
  );
}

export interface CheckedSchema {
  /** Hex SHA-256 of the schema's RFC 8785 form. */
  readonly digest: string;
  readonly validate: ValidateFunction;
  /** The schema itself, for validation workers that compile (and cache) their own copy. */
  readonly source: JsonObject;
}

/**
 * The record schemas of catalog entries (conformsTo). A schema is checked
 * against ajv's 2020-12 meta-schema and compiled once; the compiled validator
 * is cached by the schema's digest, so publishing, every upload and every
 * re-check share it.
 */
export class RecordSchemas {
  private readonly cache = new Map<string, ValidateFunction>();

  /** Checks and compiles a schema, or throws SCHEMA_INVALID with the reason. */
  check(schema: JsonObject): CheckedSchema {
    const text = canonicalJson(schema);
    const digest = createHash('sha256').update(text).digest('hex');
    const cached = this.cache.get(digest);
    if (cached !== undefined) {
      // Refresh its place: the cache evicts the least recently used.
      this.cache.delete(digest);
      this.cache.set(digest, cached);
      return { digest, validate: cached, source: schema };
    }
    if (Buffer.byteLength(text) > MAX_SCHEMA_BYTES)
      throw new ProblemError('SCHEMA_INVALID', `conformsTo is larger than ${MAX_SCHEMA_BYTES} bytes`);
    if (depth(schema) > MAX_SCHEMA_DEPTH)
      throw new ProblemError('SCHEMA_INVALID', `conformsTo is nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    const declared = schema['$schema'];
    if (declared !== undefined && declared !== DRAFT_2020_12) {
      throw new ProblemError(
        'SCHEMA_INVALID',
        `conformsTo must be a JSON Schema 2020-12 ($schema ${DRAFT_2020_12}), not ${JSON.stringify(declared)}`,
      );
    }
    const ajv = fresh();
    if (!ajv.validateSchema(schema)) {
      const reasons = ajv.errorsText(ajv.errors, { dataVar: 'conformsTo', separator: '; ' });
      throw new ProblemError('SCHEMA_INVALID', `conformsTo is not a valid JSON Schema: ${reasons}`, {
        errors: (ajv.errors ?? []).slice(0, 10).map((e) => ({
          pointer: `/conformsTo${e.instancePath}`,
          message: e.message ?? e.keyword,
        })),
      });
    }
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      // Unresolvable $ref, bad regex in pattern, …: the meta-schema cannot see these.
      throw new ProblemError(
        'SCHEMA_INVALID',
        `conformsTo does not compile: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (this.cache.size >= MAX_CACHED_SCHEMAS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(digest, validate);
    return { digest, validate, source: schema };
  }

  /** The compiled validator of a schema already checked, by its digest (refreshing its place), if cached. */
  compiled(digest: string): ValidateFunction | undefined {
    const cached = this.cache.get(digest);
    if (cached !== undefined) {
      this.cache.delete(digest);
      this.cache.set(digest, cached);
    }
    return cached;
  }

  get size(): number {
    return this.cache.size;
  }
}
