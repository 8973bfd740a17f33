import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's schemas/ folder, from src/api/schemas (tsx) or dist/api/schemas (built) alike. */
export const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../schemas');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const cache = new Map<string, Json>();

function readJson(file: string): Json {
  let doc = cache.get(file);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
    cache.set(file, doc);
  }
  return doc;
}

function pointer(doc: Json, ptr: string): Json {
  let node: Json = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(part in node)) {
      throw new Error(`schema pointer ${ptr} does not resolve`);
    }
    node = (node as Record<string, Json>)[part]!;
  }
  return node;
}

/**
 * Loads a schema file with every $ref inlined. Our schemas are small and
 * acyclic; inlining lets Fastify's ajv, fast-json-stringify and the OpenAPI
 * generator each see one self-contained schema without a shared registry.
 */
export function loadSchema(relativePath: string): Record<string, Json> {
  const file = join(SCHEMA_DIR, relativePath);
  const inlined = inline(readJson(file), file, readJson(file), 0);
  const { $schema: _s, $id: _id, ...rest } = inlined as Record<string, Json>;
  return rest;
}

function inline(node: Json, file: string, doc: Json, depth: number): Json {
  if (depth > 32) throw new Error(`schema ${file}: $ref nesting too deep (cycle?)`);
  if (Array.isArray(node)) return node.map((n) => inline(n, file, doc, depth));
  if (node === null || typeof node !== 'object') return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const [target = '', ptr = ''] = ref.split('#');
    const targetFile = target === '' ? file : join(dirname(file), target);
    const targetDoc = target === '' ? doc : readJson(targetFile);
    const resolved = ptr === '' ? targetDoc : pointer(targetDoc, ptr);
    const { $schema: _s, $id: _id, ...body } = resolved as Record<string, Json>;
    const { $ref: _r, ...siblings } = node;
    return { ...(inline(body, targetFile, targetDoc, depth + 1) as Record<string, Json>), ...siblings };
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    // $defs are only ever reached through a $ref, which inlines them where used.
    if (k === '$defs') continue;
    out[k] = inline(v, file, doc, depth);
  }
  return out;
}
