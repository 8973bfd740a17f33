/**
 * The citizen page in headless Chromium against a real node (sequencer and
 * sealer included): it must verify in the browser, catch tampering the node
 * (or anyone between) could attempt, compare a picked or dropped document
 * locally, and fit a 360px phone screen. Tampered bundles are served by
 * intercepting /v1/proofs/:id.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`), or CHROMIUM_PATH;
 * without it the suite is reported as skipped, with the reason printed.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { batchRoot } from '../../src/domain/log/index.js';
import { FIXED_NOW, startTestNode, type TestNode } from '../support/test-node.js';

// CHROMIUM_PATH overrides the Debian location (and lets the skip path itself be exercised).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`;
if (!HAS_CHROMIUM) console.warn(`[proof page browser tests] SKIPPED: ${SKIP_REASON}`);

const DOCUMENT = Buffer.from('Driving licence B\nHolder: (personal data stays with the citizen)\n');
const DOCUMENT_DIGEST = createHash('sha256').update(DOCUMENT).digest('hex');
/** Screenshots are for a person to look at, never committed (.scratch/ is gitignored). */
const SCREENSHOT_DIR = new URL('../../.scratch/', import.meta.url);

type Bundle = {
  entry: { data: Record<string, unknown> };
  inclusionProof: string[];
};

describe.skipIf(!HAS_CHROMIUM)('citizen proof page in headless Chromium', () => {
  let t: TestNode;
  let browser: Browser;
  let context: BrowserContext;
  let activeId: string;
  let revokedId: string;
  /** Record 2 of a 3-record batch whose record 2 is DOCUMENT. */
  let bulkId: string;
  let origin: string;
  const foreignRequests: string[] = [];

  async function certify(
    dmv: Awaited<ReturnType<TestNode['issuer']>>,
    recordDigest: string,
  ): Promise<string> {
    const res = await t.post(
      '/v1/certifications',
      t.sign(dmv, 'CertifyRecord', {
        recordDigest,
        recordType: 'driving-licence',
        validFrom: '2026-01-01T00:00:00Z',
        validUntil: '2036-01-01T00:00:00Z',
        metadata: { class: 'B' },
      }),
    );
    expect(res.statusCode).toBe(201);
    return JSON.parse(res.body).certificationId;
  }

  beforeAll(async () => {
    t = await startTestNode({ listen: true });
    origin = new URL(t.node.url).origin;
    const dmv = await t.issuer('DMV', ['driving-licence']);
    activeId = await certify(dmv, DOCUMENT_DIGEST);
    revokedId = await certify(dmv, 'ab'.repeat(32));
    const revoked = await t.post(
      `/v1/certifications/${revokedId}/revoke`,
      t.sign(dmv, 'RevokeCertification', { certificationId: revokedId, reason: 'licence withdrawn' }),
    );
    expect(revoked.statusCode).toBe(200);
    const uni = await t.issuer('UNI', ['diploma']);
    const digests = ['01'.repeat(32), '02'.repeat(32), DOCUMENT_DIGEST];
    const root = batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))));
    const batch = await t.post('/v1/certifications/batches', {
      envelope: t.sign(uni, 'CertifyBatch', {
        recordType: 'diploma',
        validFrom: '2026-01-01T00:00:00Z',
        batchRoot: Buffer.from(root).toString('hex'),
        count: digests.length,
      }),
      digests,
    });
    expect(batch.statusCode).toBe(201);
    bulkId = batchRecordIdFor(JSON.parse(batch.body).batchId, 2);
    await t.seal();

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    context.on('request', (request) => {
      if (new URL(request.url()).origin !== origin) foreignRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  async function open(
    id: string,
    tamper?: (bundle: Bundle) => void,
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    // The records are valid from 2026-01-01: pin the page's clock to the node's test clock.
    await page.clock.setFixedTime(FIXED_NOW);
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    if (tamper !== undefined) {
      await page.route(`**/v1/proofs/${id}`, async (route) => {
        const response = await route.fetch();
        const bundle = (await response.json()) as Bundle;
        tamper(bundle);
        await route.fulfill({ response, json: bundle });
      });
    }
    await page.goto(`${t.node.url}/p/${id}`);
    await page.waitForSelector('#summary:not([data-state="loading"]):not([data-state="waiting"])');
    return { page, errors };
  }

  async function steps(page: Page): Promise<Record<string, boolean>> {
    const items = await page.$$eval('#steps li', (lis) =>
      lis.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-ok') === 'true'] as const),
    );
    return Object.fromEntries(items);
  }

  async function summary(page: Page): Promise<{ state: string | null; text: string }> {
    return {
      state: await page.getAttribute('#summary', 'data-state'),
      text: (await page.textContent('#summary'))?.trim() ?? '',
    };
  }

  it('a genuine bundle: every step ✓, verified, nothing loaded from elsewhere, fits 360px', async () => {
    const { page, errors } = await open(activeId);
    expect(await steps(page)).toEqual({
      signature: true,
      authority: true,
      inclusion: true,
      checkpoint: true,
      validity: true,
      status: true,
      freshness: true,
    });
    expect(await page.$$eval('#steps .mark', (marks) => marks.map((m) => m.textContent))).toEqual(
      new Array(7).fill('✓'),
    );
    expect(await summary(page)).toMatchObject({ state: 'verified' });
    expect((await summary(page)).text).toContain('✓Verified: authentic, current and final');
    expect(await page.textContent('#log-key')).toBe(t.node.log.verifierKey);
    expect(await page.textContent('#record')).toContain(DOCUMENT_DIGEST);
    expect(await page.$eval('#steps', (el) => el.getAttribute('aria-live'))).toBe('polite');
    // No horizontal scrolling on a 360px-wide phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The file picker's touch target is at least 48px tall.
    const button = await page.locator('label[for="document"]').boundingBox();
    expect(button?.height).toBeGreaterThanOrEqual(48);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: new URL('proof-page-360.png', SCREENSHOT_DIR).pathname });
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  it('a tampered entry (record digest swapped): ✗ at the signature and inclusion', async () => {
    const { page } = await open(activeId, (bundle) => {
      bundle.entry.data['recordDigest'] = '00'.repeat(32);
    });
    expect(await steps(page)).toEqual({
      signature: false,
      authority: true,
      inclusion: false,
      checkpoint: true,
      validity: true,
      status: true,
      freshness: true,
    });
    expect(await summary(page)).toMatchObject({ state: 'do-not-trust' });
    expect((await summary(page)).text).toContain('✗Do not trust: this proof does not check out');
    expect(await page.textContent('[data-step="signature"] .step-detail')).toBe(
      "the entry's recordDigest differs from the signed command's",
    );
    await page.close();
  });

  it('a tampered proof hash: ✗ at inclusion only', async () => {
    const { page } = await open(activeId, (bundle) => {
      const hash = Buffer.from(bundle.inclusionProof[0]!, 'base64');
      hash[31]! ^= 0x80;
      bundle.inclusionProof[0] = hash.toString('base64');
    });
    expect(await steps(page)).toEqual({
      signature: true,
      authority: true,
      inclusion: false,
      checkpoint: true,
      validity: true,
      status: true,
      freshness: true,
    });
    expect(await summary(page)).toMatchObject({ state: 'do-not-trust' });
    await page.close();
  });

  it('the right document picked: ✓ document; a wrong document dropped: ✗ document', async () => {
    const { page } = await open(activeId);
    await page.setInputFiles('#document', { name: 'licence.txt', mimeType: 'text/plain', buffer: DOCUMENT });
    await page.waitForSelector('[data-step="document"]');
    expect((await steps(page))['document']).toBe(true);
    expect(await summary(page)).toMatchObject({ state: 'verified' });
    expect(await page.textContent('#document-status')).toBe(`licence.txt: SHA-256 ${DOCUMENT_DIGEST}`);

    // Drop a different file on the drop zone, as a citizen would with a forged copy.
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['Driving licence A\n'], 'forged.txt', { type: 'text/plain' }));
      document
        .getElementById('drop')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
    });
    await page.waitForSelector('[data-step="document"][data-ok="false"]');
    expect(await steps(page)).toEqual({
      signature: true,
      authority: true,
      inclusion: true,
      checkpoint: true,
      validity: true,
      status: true,
      document: false,
      freshness: true,
    });
    expect(await summary(page)).toMatchObject({ state: 'wrong-document' });
    expect(await page.textContent('#document-status')).toMatch(/^forged\.txt: SHA-256 [0-9a-f]{64}$/);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  it('a revoked record: ✗ at status, with who, when and why', async () => {
    const { page } = await open(revokedId);
    expect(await steps(page)).toEqual({
      signature: true,
      authority: true,
      inclusion: true,
      checkpoint: true,
      validity: true,
      status: false,
      freshness: true,
    });
    expect(await page.textContent('[data-step="status"] .step-detail')).toMatch(
      /^Revoked on 2026-11-21T10:00:00Z by DMV \(log entry \d+\): licence withdrawn$/,
    );
    expect((await summary(page)).text).toContain('⊘Revoked');
    expect(await summary(page)).toMatchObject({ state: 'revoked' });
    await page.close();
  });

  it('a record certified in a batch: ✓ batch path, its own digest shown, the document compared with it', async () => {
    const { page, errors } = await open(bulkId);
    expect(await steps(page)).toEqual({
      signature: true,
      authority: true,
      inclusion: true,
      checkpoint: true,
      validity: true,
      status: true,
      batch: true,
      freshness: true,
    });
    expect(await summary(page)).toMatchObject({ state: 'verified' });
    expect(await page.textContent('[data-step="batch"] .step-detail')).toMatch(
      /^Record 3 of the 3 in batch bat_[a-z2-7]{24}: its digest leads to the batch root the department signed\.$/,
    );
    const facts = (await page.textContent('#record')) ?? '';
    expect(facts).toContain(DOCUMENT_DIGEST);
    expect(facts).toContain(bulkId);
    expect(facts).toMatch(/record 3 of 3 in bat_/);
    await page.setInputFiles('#document', { name: 'diploma.txt', mimeType: 'text/plain', buffer: DOCUMENT });
    await page.waitForSelector('[data-step="document"][data-ok="true"]');
    expect(await summary(page)).toMatchObject({ state: 'verified' });
    expect(errors).toEqual([]);
    await page.close();

    // The path is checked in the browser: a swapped record digest fails the batch step there.
    const tampered = await open(bulkId, (bundle) => {
      (bundle as unknown as { batch: { recordDigest: string } }).batch.recordDigest = '02'.repeat(32);
    });
    expect((await steps(tampered.page))['batch']).toBe(false);
    expect(await summary(tampered.page)).toMatchObject({ state: 'do-not-trust' });
    await tampered.page.close();
  });

  it('waits and retries while the record is not sealed yet', async () => {
    const page = await context.newPage();
    await page.clock.setFixedTime(FIXED_NOW);
    let calls = 0;
    await page.route(`**/v1/proofs/${activeId}`, async (route) => {
      calls++;
      if (calls === 1) {
        await route.fulfill({
          status: 503,
          headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
          body: JSON.stringify({ code: 'PROOF_NOT_SEALED', detail: 'not sealed yet' }),
        });
        return;
      }
      await route.continue();
    });
    await page.goto(`${t.node.url}/p/${activeId}`);
    await page.waitForSelector('#summary[data-state="waiting"]');
    await page.waitForSelector('#summary[data-state="verified"]', { timeout: 10_000 });
    expect(calls).toBe(2);
    await page.close();
  });

  it('an unknown certification says so', async () => {
    const page = await context.newPage();
    await page.goto(`${t.node.url}/p/crt_aaaaaaaaaaaaaaaaaaaaaaaa`);
    await page.waitForSelector('#summary[data-state="error"]');
    expect(await page.textContent('#summary .headline')).toBe('No such certification');
    expect(await page.textContent('#summary-detail')).toBe(
      'This node holds no certification crt_aaaaaaaaaaaaaaaaaaaaaaaa. Check the address, or scan the code on the certificate again.',
    );
    await page.close();
  });

  it('online, a stale bundle served after a revocation is flagged; a current one is checked against the latest checkpoint', async () => {
    const current = await open(activeId);
    await current.page.waitForSelector('#latest-check:not([hidden])');
    expect(await current.page.getAttribute('#latest-check', 'data-kind')).toBe('current');
    await current.page.close();

    const dmv = await t.issuer('DMV2', ['driving-licence']);
    const id = await certify(dmv, 'cd'.repeat(32));
    await t.seal();
    const stale = (await t.get(`/v1/proofs/${id}`)).body;
    const revoked = await t.post(
      `/v1/certifications/${id}/revoke`,
      t.sign(dmv, 'RevokeCertification', { certificationId: id, reason: 'licence withdrawn' }),
    );
    expect(revoked.statusCode).toBe(200);
    await t.seal();

    const page = await context.newPage();
    await page.clock.setFixedTime(FIXED_NOW);
    let served = 0;
    // A caching proxy: the first answer is the bundle from before the revocation.
    await page.route(`**/v1/proofs/${id}`, async (route) => {
      served++;
      if (served === 1) await route.fulfill({ status: 200, contentType: 'application/json', body: stale });
      else await route.continue();
    });
    await page.goto(`${t.node.url}/p/${id}`);
    await page.waitForSelector('#latest-check:not([hidden])');
    expect(await page.getAttribute('#latest-check', 'data-kind')).toBe('changed');
    expect(await page.textContent('#latest-check')).toContain('OUT OF DATE');
    expect(await page.textContent('#latest-check')).toContain('revoked');
    expect(await summary(page)).toMatchObject({ state: 'out-of-date' });
    await page.close();
  });
});

if (!HAS_CHROMIUM) {
  // Shows in the test report itself, not only on the console: a missing browser must never look like a pass.
  describe('citizen proof page in headless Chromium', () => {
    it.skipIf(!HAS_CHROMIUM)(`SKIPPED: ${SKIP_REASON}`, () => {});
  });
}
