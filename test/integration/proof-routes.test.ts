import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROOF_PAGE_CSP } from '../../src/api/routes/proof-page-handlers.js';
import { SCHEMA_DIR } from '../../src/api/schemas/schema-files.js';
import type { ProofBundleV2Json } from '../../src/application/proofs/proof-bundle-v2-builder.js';
import { canonicalBytes } from '../../src/domain/canonical/canonical-json.js';
import { leafHash, parseTlogProof, verifyInclusion } from '../../src/domain/log/index.js';
import type { ProofBundleV1 } from '../../src/domain/proof/proof-bundle.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { FIXED_NOW, startTestNode, type TestNode } from '../support/test-node.js';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function bundleValidator(file = 'proof-bundle-v2.json') {
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}/common.json`, 'utf8')));
  if (file !== 'proof-bundle-v1.json')
    ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}/proof-bundle-v1.json`, 'utf8')));
  return ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/${file}`, 'utf8')));
}

describe('proof routes on a real node (sequencer + sealer)', () => {
  let t: TestNode;
  let dmv: Awaited<ReturnType<TestNode['issuer']>>;
  let id: string;
  const validate = bundleValidator();
  const validateV1 = bundleValidator('proof-bundle-v1.json');

  beforeAll(async () => {
    t = await startTestNode();
    dmv = await t.issuer('DMV', ['driving-licence']);
    const certified = await t.post(
      '/v1/certifications',
      t.sign(dmv, 'CertifyRecord', {
        recordDigest: '5a'.repeat(32),
        recordType: 'driving-licence',
        validFrom: '2026-01-01T00:00:00Z',
        validUntil: '2036-01-01T00:00:00Z',
        metadata: { class: 'B' },
      }),
    );
    expect(certified.statusCode).toBe(201);
    id = JSON.parse(certified.body).certificationId;
  });
  afterAll(async () => t.close());

  const options = () => ({
    verify: verifyEd25519,
    trustedLogKeys: [t.node.log.verifierKey],
    authorityKeys: [t.authority.keyPair.publicKeyBase64],
    now: FIXED_NOW,
  });

  it('answers 503 PROOF_NOT_SEALED with Retry-After until a checkpoint covers the record', async () => {
    const res = await t.get(`/v1/proofs/${id}`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:proof-not-sealed',
      title: 'The record is not under a signed checkpoint yet; retry shortly',
      status: 503,
      code: 'PROOF_NOT_SEALED',
      detail: `certification ${id} is not under a signed checkpoint yet; retry shortly`,
      instance: `/v1/proofs/${id}`,
    });
  });

  it('serves a bundle that matches its JSON Schema, carries the exact leaf, and verifies', async () => {
    await t.seal();
    const res = await t.get(`/v1/proofs/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const bundle = JSON.parse(res.body) as ProofBundleV2Json;
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    // Serialisation must not drop a field of the free-form entry: the leaf must come back byte for byte.
    const leaf = t.node.log.entry(bundle.leafIndex)!.leaf;
    expect(canonicalBytes(bundle.entry)).toEqual(leaf);
    expect(canonicalBytes(bundle.registration.entry)).toEqual(
      t.node.log.entry(bundle.registration.leafIndex)!.leaf,
    );
    expect(bundle).toMatchObject({
      version: 2,
      certificationId: id,
      treeSize: t.node.log.latestCheckpoint()!.treeSize,
      checkpoint: t.node.log.latestCheckpoint()!.note,
      state: {
        certification: {
          value: {
            status: 'active',
            issuerId: 'DMV',
            certifiedAt: bundle.leafIndex,
            setAt: bundle.leafIndex,
          },
        },
        key: { value: { identityId: 'DMV', publicKey: dmv.keyPair.publicKeyBase64, retiredAt: null } },
      },
      registration: {
        entry: { type: 'IdentityRegistered', envelope: { payload: { type: 'RegisterIdentity' } } },
      },
    });
    const report = verifyProofBundle(bundle, { ...options(), expectedCertificationId: id });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report).toMatchObject({ ok: true, headline: 'verified', version: 2, caveats: [] });
  });

  it('still serves version 1 on request; it parses, and says what it cannot prove', async () => {
    const res = await t.get(`/v1/proofs/${id}?version=1`);
    expect(res.statusCode).toBe(200);
    const bundle = JSON.parse(res.body) as ProofBundleV1;
    expect(validateV1(bundle), JSON.stringify(validateV1.errors)).toBe(true);
    expect(bundle).toMatchObject({
      version: 1,
      status: { status: 'active', leafIndex: bundle.leafIndex },
      key: { keyId: dmv.keyPair.keyId, identityId: 'DMV', publicKey: dmv.keyPair.publicKeyBase64 },
    });
    const { authorityKeys: _pinned, ...withoutAuthority } = options();
    const report = verifyProofBundle(bundle, withoutAuthority);
    expect(report).toMatchObject({
      ok: false,
      version: 1,
      caveats: ['no-current-state', 'no-key-authority'],
    });
    // This log's checkpoints commit to the state: a version 1 bundle here would be a downgrade.
    expect(report.steps.filter((s) => !s.ok)).toEqual([
      expect.objectContaining({
        id: 'status',
        detail:
          "this log's checkpoint commits to the current state, which a version 1 bundle cannot show: ask for a current (version 2) proof",
      }),
    ]);
  });

  it('offers the same inclusion proof as C2SP tlog-proof text, with the leaf as extra', async () => {
    const res = await t.get(`/v1/proofs/${id}?format=tlog-proof`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/x-tlog-proof; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${id}.tlog-proof"`);
    expect(res.body.startsWith('c2sp.org/tlog-proof@v1\nextra ')).toBe(true);
    const proof = parseTlogProof(res.body);
    const checkpoint = t.node.log.latestCheckpoint()!;
    expect(proof.checkpointNote).toBe(checkpoint.note);
    expect(proof.extra).toEqual(t.node.log.entry(proof.index)!.leaf);
    verifyInclusion(
      proof.index,
      checkpoint.treeSize,
      leafHash(proof.extra!),
      [...proof.inclusionProof],
      checkpoint.rootHash,
    );
  });

  it('shows a revocation only once it is sealed, and then the status step fails', async () => {
    const revoked = await t.post(
      `/v1/certifications/${id}/revoke`,
      t.sign(dmv, 'RevokeCertification', { certificationId: id, reason: 'licence withdrawn' }),
    );
    expect(revoked.statusCode).toBe(200);
    const pending = await t.get(`/v1/proofs/${id}`);
    expect(pending.statusCode).toBe(503);
    expect(JSON.parse(pending.body).detail).toBe(
      `certification ${id} has a status change that is not under a signed checkpoint yet; retry shortly`,
    );
    await t.seal();
    const bundle = JSON.parse((await t.get(`/v1/proofs/${id}`)).body) as ProofBundleV2Json;
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    expect(bundle.state.certification.value).toMatchObject({ status: 'revoked' });
    expect(bundle.statusEntry?.entry.type).toBe('CertificationRevoked');
    expect(bundle.statusEntry?.leafIndex).toBeGreaterThan(bundle.leafIndex);
    const report = verifyProofBundle(bundle, options());
    expect(report.steps.map((s) => [s.id, s.ok])).toEqual([
      ['signature', true],
      ['authority', true],
      ['inclusion', true],
      ['checkpoint', true],
      ['validity', true],
      ['status', false],
      ['freshness', true],
    ]);
    expect(report.headline).toBe('revoked');
    expect(report.steps[5]!.detail).toBe(
      `Revoked on 2026-11-21T10:00:00Z by DMV (log entry ${bundle.statusEntry?.leafIndex}): licence withdrawn`,
    );
  });

  it('404s an unknown certification and 400s a malformed id, as problem+json', async () => {
    const unknown = 'crt_aaaaaaaaaaaaaaaaaaaaaaaa';
    const res = await t.get(`/v1/proofs/${unknown}`);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:certification-not-found',
      title: 'No such certification',
      status: 404,
      code: 'CERTIFICATION_NOT_FOUND',
      detail: `no certification ${unknown}`,
      instance: `/v1/proofs/${unknown}`,
    });
    const bad = await t.get('/v1/proofs/nope');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'PARAMS_INVALID', instance: '/v1/proofs/nope' });
    const format = await t.get(`/v1/proofs/${id}?format=pdf`);
    expect(format.statusCode).toBe(400);
    expect(JSON.parse(format.body)).toMatchObject({ code: 'BODY_INVALID' });
  });

  describe('the citizen page', () => {
    it('is served under a strict CSP, embeds and shows the log key, and loads only same-origin assets', async () => {
      const res = await t.get(`/p/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(PROOF_PAGE_CSP);
      expect(PROOF_PAGE_CSP).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const vkey = t.node.log.verifierKey;
      expect(res.body).toContain(`data-log-key="${vkey}"`);
      expect(res.body).toContain(`<code id="log-key" class="trust-key">${vkey}</code>`);
      expect(res.body).toContain(`data-certification-id="${id}"`);
      expect(res.body).toContain(`data-authority-keys="${t.authority.keyPair.publicKeyBase64}"`);
      // The QR code's caption and label show the proof URL as text, and its SVG names its namespace: neither
      // loads anything. Anything else absolute would be a load from elsewhere.
      const proofUrl = JSON.parse((await t.get(`/v1/certifications/${id}`)).body).proofUrl as string;
      const loads = res.body.replaceAll(proofUrl, '').replaceAll('xmlns="http://www.w3.org/2000/svg"', '');
      expect(loads).not.toMatch(/<script>|<style|style="|https?:\/\//);
      const script = /<script defer src="([^"]+)" integrity="(sha384-[^"]+)"><\/script>/.exec(res.body);
      expect(script?.[1]).toMatch(/^assets\/proof-page\.js\?v=[0-9a-f]{16}$/);
      const js = await t.get(`/p/${script![1]}`);
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      const { createHash } = await import('node:crypto');
      expect(`sha384-${createHash('sha384').update(js.body).digest('base64')}`).toBe(script![2]);
      const again = await t.node.app.inject({
        method: 'GET',
        url: `/p/${script![1]}`,
        headers: { 'if-none-match': String(js.headers['etag']) },
      });
      expect(again.statusCode).toBe(304);
      const style = /<link rel="stylesheet" href="([^"]+)">/.exec(res.body);
      const css = await t.get(`/p/${style![1]}`);
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    });

    it("speaks the reader's language: ?lang= first, then Accept-Language, else English; caches keep them apart", async () => {
      const page = (lang: string | undefined, accept: string | undefined) =>
        t.node.app.inject({
          method: 'GET',
          url: `/p/${id}${lang === undefined ? '' : `?lang=${encodeURIComponent(lang)}`}`,
          headers: accept === undefined ? {} : { 'accept-language': accept },
        });
      const zh = await page(undefined, 'zh-CN,zh;q=0.9,en;q=0.8');
      expect(zh.statusCode).toBe(200);
      expect(zh.body).toContain('<html lang="zh-CN">');
      expect(zh.body).toContain('<h1 data-i18n="page.heading">核验认证记录</h1>');
      expect(zh.headers['content-language']).toBe('zh-CN');
      expect(zh.headers['vary']).toMatch(/accept-language/i);
      expect((await page('en', 'zh-CN')).body).toContain('<html lang="en">');
      expect((await page('zh-CN', 'en')).body).toContain('<html lang="zh-CN">');
      // An unknown or hostile value is ignored, never echoed and never an error page.
      const junk = await page('"><script>', 'fr, en;q=0.5');
      expect(junk.statusCode).toBe(200);
      expect(junk.body).toContain('<html lang="en">');
      expect(junk.body).not.toContain('<script>');
      expect((await page(undefined, undefined)).body).toContain('<html lang="en">');
    });

    it('draws the proof URL as a QR code, inline SVG under the same CSP', async () => {
      const res = await t.get(`/p/${id}`);
      const proofUrl = JSON.parse((await t.get(`/v1/certifications/${id}`)).body).proofUrl as string;
      expect(res.headers['content-security-policy']).toBe(PROOF_PAGE_CSP);
      const svg =
        /<section id="qr"[\s\S]*?(<svg class="qr" role="img" aria-label="([^"]+)"[\s\S]*?<\/svg>)/.exec(
          res.body,
        );
      expect(svg?.[2]).toBe(`QR code of ${proofUrl}`);
      expect(svg?.[1]).not.toMatch(/style=|<script|href=/);
    });

    it('still renders for an unknown certification, with status 404, so the page can explain', async () => {
      const res = await t.get('/p/crt_aaaaaaaaaaaaaaaaaaaaaaaa');
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('data-certification-id="crt_aaaaaaaaaaaaaaaaaaaaaaaa"');
    });

    it('is documented in the OpenAPI description beside the bundle route; the assets are not', async () => {
      const spec = JSON.parse((await t.get('/docs/json')).body);
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining(['/v1/proofs/{certificationId}', '/p/{certificationId}']),
      );
      expect(Object.keys(spec.paths).filter((p) => p.startsWith('/p/assets'))).toEqual([]);
      expect(Object.keys(spec.paths['/v1/proofs/{certificationId}'].get.responses['200'].content)).toEqual([
        'application/json',
        'text/x-tlog-proof',
      ]);
    });

    it('is where the certification response points', async () => {
      const view = JSON.parse((await t.get(`/v1/certifications/${id}`)).body);
      expect(view.proofUrl).toMatch(new RegExp(`/p/${id}$`));
      expect((await t.get(new URL(view.proofUrl).pathname)).statusCode).toBe(200);
    });
  });
});
