/**
 * The operator console in real headless Chromium (Debian's /usr/bin/chromium)
 * against a primary with two mirror-witnesses (quorum 2-of-2): every view
 * renders the network's real data, it loads nothing from anywhere but the
 * node, works with the keyboard and on a phone-sized screen, and a witness
 * killed during the test turns red with a critical alert within seconds.
 * Screenshots of each view go to .scratch/console/, or with CONSOLE_SCREENSHOTS=1 to docs/console/*.png.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import { entryFields } from '../support/directory-fixtures.js';
import { authorityOf } from '../support/federation-nodes.js';
import { certifySome, type OpsNetwork, postSigned, startOpsNetwork } from '../support/metrics-network.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM)
  console.warn(`[console browser tests] SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);
// CONSOLE_SCREENSHOTS=1 refreshes the docs' pictures; otherwise they go to .scratch/ (gitignored), so a
// test run leaves the working tree as it found it.
const SHOTS = fileURLToPath(
  new URL(
    process.env['CONSOLE_SCREENSHOTS'] === '1' ? '../../docs/console/' : '../../.scratch/console/',
    import.meta.url,
  ),
);

describe.skipIf(!HAS_CHROMIUM)('the operator console in headless Chromium', () => {
  let network: OpsNetwork;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    network = await startOpsNetwork();
    const { primary } = network;
    await certifySome(primary, 'TRANSPORT', 3);
    const publisher = { actor: 'STATS', keyPair: generateKeyPair() };
    await postSigned(primary, '/v1/identities', authorityOf(primary), 'RegisterIdentity', {
      identityId: 'STATS',
      name: 'Statistics bureau',
      roles: ['publisher'],
      publicKeys: [publisher.keyPair.publicKeyBase64],
    });
    await postSigned(primary, '/v1/directory/entries', publisher, 'PublishCatalogEntry', entryFields());
    await primary.node.sealer.sealNow();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(primary.url)) foreign.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${primary.url}/console`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await network?.close();
  });

  const view = async (name: string) => {
    // Keyboard: focus the view's link and press Enter, as a user without a mouse would.
    await page.focus(`nav a[href="#${name}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`nav a[href="#${name}"][aria-current="page"]`);
  };

  it('Network: the primary and both witnesses, up, with sizes and last cosignatures', async () => {
    await page.waitForSelector('.node.up[data-node="witness-a"]');
    await page.waitForSelector('.node.up[data-node="witness-b"]');
    const primaryCard = await page.textContent('.node.primary');
    expect(primaryCard).toContain('ops.example/log (primary)');
    expect(primaryCard).toContain('finality ok');
    expect(await page.textContent('.node[data-node="witness-a"]')).toMatch(
      /last cosignature \d{4}-\d\d-\d\dT/,
    );
    expect(await page.textContent('.node[data-node="witness-a"]')).toMatch(
      /mirror · verified size \d+ · replication lag \d+/,
    );
    await page.screenshot({ path: `${SHOTS}network.png`, fullPage: true });
  });

  it('Node detail: a freshly opened console shows the history the node kept before it opened', async () => {
    // The network has run for a while; this page has never seen it.
    await new Promise((r) => setTimeout(r, 1500));
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    fresh.on('request', (request) => {
      if (!request.url().startsWith(network.primary.url)) foreign.push(request.url());
    });
    fresh.on('pageerror', (error) => pageErrors.push(error.message));
    const openedAt = Date.now() / 1000;
    await fresh.goto(`${network.primary.url}/console#network`);
    await fresh.click('.node[data-node="witness-a"]');
    await fresh.waitForSelector('table[aria-label="history of witness-a"] td');
    await fresh.waitForSelector('.card .chart canvas');
    const summary = (await fresh.textContent('section:has(table[aria-label="history of witness-a"]) p'))!;
    const [, count, since] = /^(\d+) samples since (\S+), kept by the node \(mirror-witness\)$/.exec(
      summary,
    )!;
    expect(Number(count)).toBeGreaterThanOrEqual(2);
    expect(Date.parse(since!) / 1000).toBeLessThan(openedAt);
    const rows = await fresh.$$eval('table[aria-label="history of witness-a"] tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)),
    );
    // time, state, log size, lag, cosigned lag, last cosignature, cosign latency
    expect(rows[0]).toEqual([
      expect.stringMatching(/^\d{4}-/),
      'UP',
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d{4}-/),
      expect.stringMatching(/^\d+ ms$/),
    ]);
    await fresh.screenshot({ path: `${SHOTS}network-history.png`, fullPage: true });
    await fresh.close();
  });

  it('Log: size chart (uPlot), seal latency, cosigners and recent entries with links', async () => {
    await view('log');
    await page.waitForSelector('.chart canvas', { timeout: 5000 }).catch((error: Error) => {
      throw new Error(`${error.message}; page errors: ${pageErrors.join(' | ')}`);
    });
    await page.waitForFunction(() => document.body.textContent?.includes('RecordCertified'));
    const text = (await page.textContent('main'))!;
    expect(text).toMatch(/seal latencyp50 \d+ ms · p99 \d+ ms/);
    expect(await page.textContent('table[aria-label="cosigners"]')).toContain('witness-a');
    const proof = await page.getAttribute('table[aria-label="recent entries"] a:text("proof")', 'href');
    expect(proof).toMatch(/^\/v1\/log\/proofs\/inclusion\?index=\d+$/);
    expect(await page.$('table[aria-label="recent entries"] a:text("citizen page")')).not.toBeNull();
    // A few polls, so the screenshot's chart shows a line rather than its first point.
    await page.waitForTimeout(5000);
    await page.screenshot({ path: `${SHOTS}log.png`, fullPage: true });
  });

  it('Registry: identities as a tree, certifications and the authority actions with proofs', async () => {
    await view('registry');
    await page.waitForSelector('li[role="treeitem"]:has-text("TRANSPORT")');
    expect(await page.textContent('[role="tree"]')).toContain('accredited licence');
    const audit = (await page.textContent('table[aria-label="authority actions"]'))!;
    expect(audit).toContain('IdentityRegistered');
    expect(audit).toContain('IdentityAccredited');
    expect(await page.textContent('table[aria-label="certifications"]')).toContain(
      'TRANSPORT · RecordCertified',
    );
    // Certifications over time (uPlot), by type, issuer and status, from the node's read model.
    await page.waitForSelector('.series[data-dimension="byType"] .chart canvas');
    await page.waitForSelector('.series[data-dimension="byStatus"] .chart canvas');
    const rowsOf = (label: string) =>
      page.$$eval(`table[aria-label="${label}"] tbody tr`, (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)),
      );
    expect(await rowsOf('certifications by record type')).toEqual([['licence', '3']]);
    expect(await rowsOf('certifications by issuer')).toEqual([['TRANSPORT', '3']]);
    expect(await rowsOf('certifications by status change')).toEqual([['certified', '3']]);
    await page.selectOption('#cert-bucket', 'minute');
    await page.waitForFunction(() =>
      document
        .querySelector('.series[data-dimension="byType"] .u-title')
        ?.textContent?.endsWith('per minute'),
    );
    await page.screenshot({ path: `${SHOTS}registry.png`, fullPage: true });
  });

  it('Directory: the trail per department', async () => {
    await view('directory');
    await page.waitForSelector('table[aria-label="directory trail"]');
    expect(await page.textContent('table[aria-label="directory activity per department"]')).toContain(
      'STATS',
    );
    expect(await page.textContent('table[aria-label="directory trail"]')).toContain('CatalogEntryPublished');
    await page.screenshot({ path: `${SHOTS}directory.png`, fullPage: true });
  });

  it('Live: a witness killed during the test turns red, with a critical alert, within seconds', async () => {
    await view('network');
    await network.witnesses[1]!.close();
    const killedAt = Date.now();
    await certifySome(network.primary, 'HEALTH', 1);
    await page.waitForSelector('.node.down[data-node="witness-b"]', { timeout: 10_000 });
    await page.waitForSelector('.alert.critical[data-alert="quorum-lost"]', { timeout: 10_000 });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(await page.textContent('#alerts')).toContain('witness-down witness-b');
    expect(await page.textContent('.node[data-node="witness-a"]')).toContain('UP');
    await page.screenshot({ path: `${SHOTS}network-witness-down.png`, fullPage: true });
  }, 30_000);

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await view('network');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: `${SHOTS}phone-network.png`, fullPage: true });
  });

  it('loaded nothing from anywhere but the node, and threw no script error', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
