/**
 * The verifier's technical detail under each step, said from the catalogue:
 * for every step of real bundles (each kind of record, and a wrong document,
 * an expired one and a tampered field), the detail has a known shape; the
 * English message renders back the verifier's exact words (so the shapes are
 * faithful), and the Chinese one leaves no English sentence behind.
 */

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../../src/api/web/i18n/page-i18n.js';
import {
  TECHNICAL_DETAIL_KEYS,
  technicalDetail,
} from '../../../src/api/web/presentation/technical-detail.js';
import { verifyProofBundle } from '../../../src/domain/proof/verify-bundle.js';
import { type BundleKind, realBundles, trustOf } from '../../support/real-bundles.js';
import { startTestNode, type TestNode } from '../../support/test-node.js';

const en = translator('en');
const zh = translator('zh-CN');

/** Runs of three or more plain English words: what a sentence left untranslated looks like. */
const ENGLISH_SENTENCE = /\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b/;

function details(bundle: unknown, t: TestNode, extra: Record<string, unknown> = {}): string[] {
  const report = verifyProofBundle(bundle, { ...trustOf(t), ...extra });
  return report.steps.map((s) => s.detail);
}

describe('technical details in both languages', () => {
  let t: TestNode;
  let bundles: Record<BundleKind, Record<string, unknown>>;
  const seen = new Set<string>();

  beforeAll(async () => {
    t = await startTestNode();
    bundles = await realBundles(t);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (t !== undefined) rmSync(t.dataDir, { recursive: true, force: true });
  });

  function expectSaid(detail: string): void {
    const message = technicalDetail(detail);
    expect(message, detail).not.toBeNull();
    seen.add(message!.key);
    expect(en(message!.key, message!.params)).toBe(detail);
    let chinese = zh(message!.key, message!.params);
    // A revocation's reason is the department's own words, shown as they are.
    const reason = message!.params?.['reason'];
    if (typeof reason === 'string') chinese = chinese.replace(reason, '');
    expect(chinese, chinese).not.toMatch(ENGLISH_SENTENCE);
    expect(chinese).toMatch(/[\u4e00-\u9fff]/);
  }

  it('every step of every kind of real record', () => {
    for (const bundle of Object.values(bundles)) for (const detail of details(bundle, t)) expectSaid(detail);
  });

  it('a document that matches, one that does not, an expired record and a record not valid yet', () => {
    const active = bundles.active as { entry: { data: { recordDigest: string } } };
    for (const detail of details(bundles.active, t, { documentDigest: active.entry.data.recordDigest }))
      expectSaid(detail);
    for (const detail of details(bundles.active, t, { documentDigest: 'ab'.repeat(32) })) expectSaid(detail);
    for (const detail of details(bundles.active, t, { now: Date.parse('2040-01-01T00:00:00Z') }))
      expectSaid(detail);
    for (const detail of details(bundles.active, t, { now: Date.parse('2020-01-01T00:00:00Z') }))
      expectSaid(detail);
  });

  it('a signed field swapped in the entry', () => {
    const tampered = structuredClone(bundles.active) as { entry: { data: Record<string, unknown> } };
    tampered.entry.data['recordType'] = 'diploma';
    const said = details(tampered, t).filter((d) => d.startsWith("the entry's"));
    expect(said).toContain("the entry's recordType differs from the signed command's");
    for (const detail of said) expectSaid(detail);
  });

  it('every step of a bundle whose record digest a proxy swapped (as in the page test)', () => {
    const tampered = structuredClone(bundles.active) as { entry: { data: Record<string, unknown> } };
    tampered.entry.data['recordDigest'] = '00'.repeat(32);
    for (const detail of details(tampered, t)) expectSaid(detail);
  });

  it('shows a detail of an unknown shape as it is (null: the page marks it English)', () => {
    expect(technicalDetail('something the verifier has never said')).toBeNull();
  });

  it('every shape has a message in both catalogues', () => {
    for (const key of TECHNICAL_DETAIL_KEYS) {
      expect(en(key), key).not.toBe(key);
      expect(zh(key), key).not.toBe(en(key));
    }
  });
});
