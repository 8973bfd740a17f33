/**
 * The citizen page as a citizen sees it, in headless Chromium, in zh-CN and
 * English, on a 390 px phone and a 1280 px desktop: each headline for a real
 * record in each state, the text under each step matching its result, the
 * QR code of the proof URL, and the language switch remembered.
 *
 * One primary and one in-process mirror-witness (quorum 1). Every record but
 * one is certified, revoked or suspended while the witness cosigns, so it is
 * final; then the witness stops and one more record is certified: its
 * checkpoint can only be short of the quorum (finality pending). A wrong file
 * is dropped on a genuine record; a tampered bundle is served by
 * intercepting /v1/proofs/:id, as a proxy between the node and the phone
 * could.
 *
 * CITIZEN_PAGE_SCREENSHOTS=1 writes the README's screenshots to docs/citizen-page/; otherwise they go to
 * .scratch/ (gitignored), for a person to look at.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../src/api/web/i18n/catalogue.js';
import { MESSAGES_EN } from '../../src/api/web/i18n/messages-en.js';
import { MESSAGES_ZH_CN } from '../../src/api/web/i18n/messages-zh-CN.js';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { authorityOf, eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`;
if (!HAS_CHROMIUM) console.warn(`[citizen page i18n browser tests] SKIPPED: ${SKIP_REASON}`);

const ORIGIN = 'shanxi.gov.example/chancery';
const DOCUMENT = Buffer.from('驾驶证 B 类\nDriving licence B\n');
const DOCUMENT_DIGEST = createHash('sha256').update(DOCUMENT).digest('hex');
const SCRATCH = new URL('../../.scratch/citizen-page/', import.meta.url);
const DOCS = new URL('../../docs/citizen-page/', import.meta.url);
/** The few pictures the README shows; every other screenshot is for a person to look at in .scratch/. */
const README_SHOTS = new Set([
  'revoked-zh-CN-390',
  'verified-en-1280',
  'pending-zh-CN-390',
  'wrong-document-en-390',
  'qr-en-1280',
]);
const WRITE_DOCS = process.env['CITIZEN_PAGE_SCREENSHOTS'] === '1';
const CATALOGUES = { en: MESSAGES_EN, 'zh-CN': MESSAGES_ZH_CN } as const;
const VIEWS = [
  { language: 'zh-CN', width: 390 },
  { language: 'en', width: 390 },
  { language: 'zh-CN', width: 1280 },
  { language: 'en', width: 1280 },
] as const satisfies readonly { language: Language; width: number }[];

/** Three or more plain English words in a row: a sentence left untranslated (ids and hashes have digits or dots). */
const ENGLISH_SENTENCE = /\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b/;

type State = 'verified' | 'pending' | 'revoked' | 'suspended' | 'expired' | 'wrong-document' | 'do-not-trust';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function posted(node: LiveNode, url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await node.node.app.inject({ method: 'POST', url, payload: body as object });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json() as Record<string, unknown>;
}

const sign = (signer: Signer, type: string, fields: Record<string, unknown>) =>
  signCommand(signer, type, fields as never, { issuedAt: ISSUED_AT });

describe.skipIf(!HAS_CHROMIUM)('the citizen page in zh-CN and English, in headless Chromium', () => {
  const logKey = generateKeyPair();
  const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const keyDir = mkdtempSync(join(tmpdir(), 'chancery-citizen-'));
  let primary: LiveNode;
  let mirror: LiveNode | undefined;
  let browser: Browser;
  const pages = new Map<string, Page>();
  const contexts: BrowserContext[] = [];
  const ids = {} as Record<'active' | 'revoked' | 'suspended' | 'expired' | 'pending', string>;
  const foreignRequests: string[] = [];

  async function certify(dmv: Signer, digest: string, validity: Record<string, string | null>) {
    const body = await posted(
      primary,
      '/v1/certifications',
      sign(dmv, 'CertifyRecord', {
        recordDigest: digest,
        recordType: 'driving-licence',
        validFrom: '2026-01-01T00:00:00Z',
        validUntil: '2036-01-01T00:00:00Z',
        metadata: { class: 'B' },
        ...validity,
      }),
    );
    return body['certificationId'] as string;
  }

  async function records(): Promise<void> {
    const dmv = { actor: 'DMV', keyPair: generateKeyPair() };
    const authority = authorityOf(primary);
    await posted(
      primary,
      '/v1/identities',
      sign(authority, 'RegisterIdentity', {
        identityId: 'DMV',
        name: 'Provincial Department of Motor Vehicles',
        roles: ['issuer'],
        publicKeys: [dmv.keyPair.publicKeyBase64],
      }),
    );
    await posted(
      primary,
      '/v1/identities/DMV/accredit',
      sign(authority, 'AccreditIdentity', { identityId: 'DMV', recordTypes: ['driving-licence'] }),
    );
    ids.active = await certify(dmv, DOCUMENT_DIGEST, {});
    ids.revoked = await certify(dmv, 'ab'.repeat(32), {});
    await posted(
      primary,
      `/v1/certifications/${ids.revoked}/revoke`,
      sign(dmv, 'RevokeCertification', {
        certificationId: ids.revoked,
        reason: 'licence withdrawn by court order',
      }),
    );
    ids.suspended = await certify(dmv, 'cd'.repeat(32), {});
    await posted(
      primary,
      `/v1/certifications/${ids.suspended}/suspend`,
      sign(dmv, 'SuspendCertification', { certificationId: ids.suspended, reason: 'medical check pending' }),
    );
    ids.expired = await certify(dmv, 'ef'.repeat(32), {
      validFrom: '2020-01-01T00:00:00Z',
      validUntil: '2025-01-01T00:00:00Z',
    });
    // Every record above is under a checkpoint the witness cosigned (the log's signature and the witness's).
    await eventually('the witness to cosign a checkpoint over every record', async () => {
      const bundle = (await primary.json(`/v1/proofs/${ids.expired}`)) as { checkpoint?: string };
      return (bundle.checkpoint?.match(/^\u2014 /gm)?.length ?? 0) >= 2 ? true : undefined;
    });
    // The only witness stops: what is certified now can be signed by the log, never final.
    await mirror?.close();
    mirror = undefined;
    ids.pending = await certify(dmv, '12'.repeat(32), {});
    await eventually('the pending record to be under a signed checkpoint', async () =>
      (await primary.get(`/v1/proofs/${ids.pending}`)).status === 200 ? true : undefined,
    );
  }

  beforeAll(async () => {
    writeKeyFiles(join(keyDir, 'log.key'), logKey);
    const port = await freePort();
    mirror = await startLiveNode({
      clock: () => FIXED_NOW,
      federation: {
        role: 'mirror',
        upstream: [`http://127.0.0.1:${port}`],
        trust: logVkey,
        witnessName: 'taiyuan',
      },
    });
    const witnessVkey = mirror.node.federation.witness!.identity.vkey;
    primary = await startLiveNode({
      port,
      clock: () => FIXED_NOW,
      env: { CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') },
      federation: { witness: [`${mirror.url}=${witnessVkey}`], witnessQuorum: 1 },
    });
    await records();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    for (const view of VIEWS) {
      const context = await browser.newContext({
        locale: view.language,
        timezoneId: 'Asia/Shanghai',
        viewport: { width: view.width, height: view.width < 600 ? 844 : 900 },
        ...(view.width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      context.on('request', (request) => {
        if (new URL(request.url()).origin !== new URL(primary.url).origin)
          foreignRequests.push(request.url());
      });
      contexts.push(context);
      const page = await context.newPage();
      // The records are valid from 2026-01-01: the page's clock is the node's test clock.
      await page.clock.setFixedTime(FIXED_NOW);
      page.on('pageerror', (error) => foreignRequests.push(`page error: ${error.message}`));
      pages.set(`${view.language}@${view.width}`, page);
    }
    mkdirSync(SCRATCH, { recursive: true });
    if (WRITE_DOCS) mkdirSync(DOCS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await mirror?.close();
    await primary?.close();
    for (const node of [primary, mirror])
      if (node !== undefined) rmSync(node.dataDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  async function show(
    page: Page,
    id: string,
    tamper?: (bundle: Record<string, unknown>) => void,
  ): Promise<void> {
    await page.unrouteAll();
    if (tamper !== undefined) {
      await page.route(`**/v1/proofs/${id}`, async (route) => {
        const response = await route.fetch();
        const bundle = (await response.json()) as Record<string, unknown>;
        tamper(bundle);
        await route.fulfill({ response, json: bundle });
      });
    }
    await page.goto(`${primary.url}/p/${id}`);
    await page.waitForSelector('#summary:not([data-state="loading"]):not([data-state="waiting"])');
  }

  async function dropFile(page: Page, name: string, content: Buffer): Promise<void> {
    await page.setInputFiles('#document', { name, mimeType: 'text/plain', buffer: content });
    await page.waitForSelector('[data-step="document"]');
  }

  async function headline(page: Page) {
    return page.$eval('#summary', (summary) => ({
      state: summary.getAttribute('data-state'),
      tone: summary.getAttribute('data-tone'),
      title: summary.querySelector('#summary-title')?.textContent ?? '',
      detail: summary.querySelector('#summary-detail')?.textContent ?? '',
      next: summary.querySelector('#summary-next-text')?.textContent ?? '',
    }));
  }

  async function steps(page: Page): Promise<Record<string, { ok: boolean; explain: string }>> {
    const items = await page.$$eval('#steps li', (lis) =>
      lis.map((li) => [
        li.getAttribute('data-step')!,
        {
          ok: li.getAttribute('data-ok') === 'true',
          explain: li.querySelector('.step-explain')?.textContent ?? '',
        },
      ]),
    );
    return Object.fromEntries(items);
  }

  /**
   * In zh-CN, the text under every step (the explanation and the technical detail) is Chinese: nothing is
   * marked as left in English, and once the facts are set aside (ids, keys, hashes, times, URLs, and the
   * departments' own words such as a revocation's reason) no run of three English words is left.
   */
  async function expectNoEnglishUnderSteps(page: Page, where: string): Promise<void> {
    const texts = await page.$$eval('#steps .step-explain, #steps .step-detail', (nodes) =>
      nodes.map((n) => ({ text: n.textContent ?? '', lang: n.getAttribute('lang') })),
    );
    expect(texts.length, where).toBeGreaterThan(0);
    for (const { text, lang } of texts) {
      expect(lang, `${where}: ${text}`).toBeNull();
      let rest = text;
      for (const theirs of ['licence withdrawn by court order', 'medical check pending'])
        rest = rest.replace(theirs, '');
      expect(rest, `${where}: ${text}`).not.toMatch(ENGLISH_SENTENCE);
      expect(rest, `${where}: ${text}`).toMatch(/[\u4e00-\u9fff]/);
    }
  }

  async function fits(page: Page, width: number): Promise<void> {
    // No sideways scrolling, whatever the language.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }

  function shotPath(name: string): string {
    return new URL(`${name}.png`, WRITE_DOCS && README_SHOTS.has(name) ? DOCS : SCRATCH).pathname;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    // The headline is what a reader sees first (an element screenshot may have scrolled the page).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shotPath(name) });
  }

  /** Shows `state` in every language and width, checking the headline's words; `extra` checks more. */
  async function everyView(
    state: State,
    open: (page: Page) => Promise<void>,
    extra: (page: Page, language: Language) => Promise<void> = async () => {},
  ): Promise<void> {
    for (const view of VIEWS) {
      const page = pages.get(`${view.language}@${view.width}`)!;
      await open(page);
      const h = await headline(page);
      expect(h.state, `${state} ${view.language}@${view.width}`).toBe(state);
      expect(await page.getAttribute('html', 'lang')).toBe(view.language);
      const messages = CATALOGUES[view.language].headline;
      const group = {
        verified: 'verified',
        pending: 'pending',
        revoked: 'revoked',
        suspended: 'suspended',
        expired: 'expired',
        'wrong-document': 'wrongDocument',
        'do-not-trust': 'doNotTrust',
      }[state] as keyof typeof messages;
      expect(h.title).toBe(messages[group].title);
      expect(h.next).toBe(messages[group].next);
      await extra(page, view.language);
      if (view.language === 'zh-CN') await expectNoEnglishUnderSteps(page, `${state}@${view.width}`);
      await fits(page, view.width);
      await screenshot(page, `${state}-${view.language}-${view.width}`);
    }
  }

  it('authentic, current and final: every step passes, the witness is named, the QR code is the proof URL', async () => {
    const proofUrl = `${primary.url}/p/${ids.active}`;
    const qr = await QRCode.toString(proofUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    await everyView(
      'verified',
      (page) => show(page, ids.active),
      async (page, language) => {
        const all = await steps(page);
        expect(Object.values(all).every((s) => s.ok)).toBe(true);
        // Online, the proof is compared with the log's latest checkpoint, which has grown since: the same state.
        await page.waitForSelector('#latest-check:not([hidden])');
        expect(await page.getAttribute('#latest-check', 'data-kind')).toBe('same-state');
        expect(await page.textContent('#latest-check')).toBe(CATALOGUES[language].latest.sameState);
        expect(all['checkpoint']!.explain).toBe(CATALOGUES[language].step.explain.checkpoint.pass);
        expect(await page.textContent('#quorum')).toContain(
          language === 'en' ? '1 of 1 witnesses' : '1 个见证方中有 1 个',
        );
        expect(await page.textContent('#witnesses')).toContain('taiyuan');
        // The QR code is drawn by the server, visible, and encodes exactly the proof URL.
        const svg = page.locator('#qr svg');
        await expect(svg.isVisible()).resolves.toBe(true);
        const box = await svg.boundingBox();
        expect(box!.width).toBeGreaterThanOrEqual(120);
        const path = (s: string) => /<path stroke="#000000" d="([^"]+)"/.exec(s)?.[1];
        expect(path(await svg.evaluate((el) => el.outerHTML))).toBe(path(qr));
        expect(await page.textContent('#qr')).toContain(proofUrl);
        if (language === 'en' && page.viewportSize()?.width === 1280) {
          await page.locator('#qr').screenshot({ path: shotPath('qr-en-1280') });
        }
      },
    );
    expect(foreignRequests).toEqual([]);
  });

  it('the right file dropped: verified, and it says the file is the certified one', async () => {
    const page = pages.get('zh-CN@390')!;
    await show(page, ids.active);
    await dropFile(page, '驾驶证.txt', DOCUMENT);
    expect((await headline(page)).detail).toContain(MESSAGES_ZH_CN.headline.verified.documentMatches);
    expect((await steps(page))['document']).toEqual({
      ok: true,
      explain: MESSAGES_ZH_CN.step.explain.document.pass,
    });
  });

  it('finality pending: genuine, but its witness never cosigned; not the forgery headline', async () => {
    await everyView(
      'pending',
      (page) => show(page, ids.pending),
      async (page, language) => {
        const all = await steps(page);
        expect(all['signature']!.ok).toBe(true);
        expect(all['checkpoint']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.checkpoint.pending,
        });
        expect((await headline(page)).tone).toBe('caution');
        expect((await headline(page)).detail).toContain(
          language === 'en' ? '(needed: 1 of taiyuan)' : '（需要：taiyuan 中至少 1 个）',
        );
      },
    );
  });

  it('revoked: when, by whom and why, and the status step says revoked (never "has not revoked")', async () => {
    await everyView(
      'revoked',
      (page) => show(page, ids.revoked),
      async (page, language) => {
        const h = await headline(page);
        expect(h.detail).toContain('DMV');
        expect(h.detail).toContain('licence withdrawn by court order');
        expect(h.detail).toContain(language === 'en' ? 'November 21, 2026' : '2026年11月21日');
        expect((await steps(page))['status']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.status.revoked,
        });
      },
    );
  });

  it('suspended: when, by whom and why', async () => {
    await everyView(
      'suspended',
      (page) => show(page, ids.suspended),
      async (page, language) => {
        expect((await headline(page)).detail).toContain('medical check pending');
        expect((await steps(page))['status']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.status.suspended,
        });
      },
    );
  });

  it("expired: the date it ended, in the reader's language", async () => {
    await everyView(
      'expired',
      (page) => show(page, ids.expired),
      async (page, language) => {
        expect((await headline(page)).detail).toContain(
          language === 'en' ? 'January 1, 2025' : '2025年1月1日',
        );
        expect((await steps(page))['validity']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.validity.expired,
        });
      },
    );
  });

  it('a wrong file dropped on a genuine record: this file is not the certified document', async () => {
    await everyView(
      'wrong-document',
      async (page) => {
        await show(page, ids.active);
        await dropFile(page, 'forged.txt', Buffer.from('驾驶证 A 类\n'));
      },
      async (page, language) => {
        expect((await headline(page)).detail).toContain('forged.txt');
        expect((await steps(page))['document']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.document.fail,
        });
      },
    );
  });

  it('a tampered bundle (the record digest swapped by a proxy): do not trust', async () => {
    const swap = (bundle: Record<string, unknown>) => {
      (bundle['entry'] as { data: Record<string, unknown> }).data['recordDigest'] = '00'.repeat(32);
    };
    await everyView(
      'do-not-trust',
      (page) => show(page, ids.active, swap),
      async (page, language) => {
        expect((await steps(page))['signature']).toEqual({
          ok: false,
          explain: CATALOGUES[language].step.explain.signature.fail,
        });
        expect((await headline(page)).tone).toBe('bad');
      },
    );
  });

  it('the language switch changes the page in place and is remembered', async () => {
    const page = pages.get('en@390')!;
    await show(page, ids.revoked);
    await page.click('[data-language="zh-CN"]');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect((await headline(page)).title).toBe('已撤销');
    expect(await page.textContent('#document-heading')).toBe(MESSAGES_ZH_CN.document.heading);
    expect(await page.evaluate(() => localStorage.getItem('chancery.language'))).toBe('zh-CN');
    await page.goto(`${primary.url}/p/${ids.active}`);
    await page.waitForSelector('#summary[data-state="verified"]');
    expect((await headline(page)).title).toBe(MESSAGES_ZH_CN.headline.verified.title);
    await page.click('[data-language="en"]');
    expect((await headline(page)).title).toBe(MESSAGES_EN.headline.verified.title);
    await page.evaluate(() => localStorage.removeItem('chancery.language'));
  });

  it("an unknown certification says so in the reader's language", async () => {
    const page = pages.get('zh-CN@390')!;
    await page.goto(`${primary.url}/p/crt_aaaaaaaaaaaaaaaaaaaaaaaa`);
    await page.waitForSelector('#summary[data-state="error"]');
    expect(await page.textContent('#summary-title')).toBe(MESSAGES_ZH_CN.summary.notFound);
    await screenshot(page, 'not-found-zh-CN-390');
  });
});

if (!HAS_CHROMIUM) {
  // Shows in the test report itself, not only on the console: a missing browser must never look like a pass.
  describe('the citizen page in zh-CN and English, in headless Chromium', () => {
    it.skipIf(!HAS_CHROMIUM)(`SKIPPED: ${SKIP_REASON}`, () => {});
  });
}
