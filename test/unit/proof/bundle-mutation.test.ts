/**
 * Every field of a real bundle is covered by a signature or a hash, or does not change the result. Over
 * real version 2 bundles from a real node (active, revoked, suspended, reinstated, a record of a bulk
 * batch, a revoked record of one, one signed with a key its holder rotated to), every mutant (each scalar flipped, each key dropped, each sub-object
 * spliced over another) must fail verification or produce a report identical to the original's.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProofBundle } from '../../../src/domain/proof/verify-bundle.js';
import type { VerifyBundleOptions } from '../../../src/domain/proof/verify-options.js';
import { type BundleKind, realBundles, trustOf } from '../../support/real-bundles.js';
import { startTestNode, type TestNode } from '../../support/test-node.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

const STATUS_WORDS = ['active', 'suspended', 'revoked'];

function paths(value: Json, at: Path = []): Path[] {
  const here = [at];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (value !== null && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return here;
}

function get(value: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, value);
}

/** A copy of `value` with the thing at `path` replaced (or, with `undefined`, removed). */
function edit(value: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  const child = (value as Record<string | number, Json>)[head!]!;
  const next = rest.length === 0 ? replacement : edit(child, rest, replacement);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy = { ...(value as Record<string, Json>) };
  if (next === undefined) delete copy[head as string];
  else copy[head as string] = next;
  return copy;
}

/** Flips of a scalar: a changed first and last character of a string, a number ± 1, a negated boolean, null swapped. */
function flips(value: Json, numbers: readonly number[]): Json[] {
  if (typeof value === 'string') {
    if (value.length === 0) return ['x'];
    // A status word becomes each other status: the edit that would hide a revocation.
    if (STATUS_WORDS.includes(value)) return STATUS_WORDS.filter((w) => w !== value);
    const swap = (c: string) => (c === 'A' ? 'B' : 'A');
    return [swap(value[0]!) + value.slice(1), value.slice(0, -1) + swap(value.at(-1)!)];
  }
  // ± 1, and every other number of the bundle (a status's setAt made the certification's own index, say).
  if (typeof value === 'number')
    return [...new Set([value + 1, value - 1, ...numbers])].filter((n) => n !== value);
  if (typeof value === 'boolean') return [!value];
  if (value === null) return [0, 'null', {}];
  return [];
}

interface Mutant {
  readonly what: string;
  readonly bundle: Json;
}

function* mutants(bundle: Json): Generator<Mutant> {
  const all = paths(bundle).filter((p) => p.length > 0);
  const numbers = [
    ...new Set(all.map((p) => get(bundle, p)).filter((v): v is number => typeof v === 'number')),
  ];
  for (const path of all) {
    const value = get(bundle, path);
    for (const flipped of flips(value, numbers)) {
      yield {
        what: `flip ${path.join('.')} to ${JSON.stringify(flipped).slice(0, 40)}`,
        bundle: edit(bundle, path, flipped),
      };
    }
    yield { what: `drop ${path.join('.')}`, bundle: edit(bundle, path, undefined) };
  }
  const objects = all.filter((p) => {
    const v = get(bundle, p);
    return v !== null && typeof v === 'object';
  });
  for (const target of objects) {
    for (const source of objects) {
      if (target.join('.') === source.join('.')) continue;
      yield {
        what: `splice ${source.join('.')} over ${target.join('.')}`,
        bundle: edit(bundle, target, get(bundle, source)),
      };
    }
  }
}

const HEADLINES = {
  active: 'verified',
  revoked: 'revoked',
  suspended: 'suspended',
  reinstated: 'verified',
  bulk: 'verified',
  bulkRevoked: 'revoked',
  rotated: 'verified',
} as const;

describe('mutation test over real v2 bundles', () => {
  let t: TestNode;
  let bundles: Record<BundleKind, Record<string, unknown>>;
  let options: VerifyBundleOptions;

  beforeAll(async () => {
    t = await startTestNode();
    bundles = await realBundles(t);
    options = trustOf(t);
  }, 60_000);
  afterAll(async () => t?.close());

  it.each([
    'active',
    'revoked',
    'suspended',
    'reinstated',
    'bulk',
    'bulkRevoked',
    'rotated',
  ] as const)('no mutant of the %s bundle passes with another report', (kind) => {
    const original = verifyProofBundle(bundles[kind], options);
    expect(original.version).toBe(2);
    const expected = JSON.stringify(original);
    const accepted: string[] = [];
    let count = 0;
    for (const mutant of mutants(bundles[kind] as Json)) {
      count++;
      const report = verifyProofBundle(mutant.bundle, options);
      // Failing means not-verified: a revoked bundle made to read "active", or "suspended", is not caught.
      const caught = report.headline === 'not-verified';
      if (!caught && JSON.stringify(report) !== expected) accepted.push(mutant.what);
    }
    expect(original.headline).toBe(HEADLINES[kind]);
    expect(count).toBeGreaterThan(500);
    expect(accepted).toEqual([]);
  }, 120_000);
});
