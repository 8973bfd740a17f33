import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * HTML for people, JSON for programs, over real HTTP: the landing page at `/`,
 * the paste box that leads to a proof page, and the friendly 404 for an
 * unknown path or a mistyped proof id, while a client asking for JSON still
 * gets problem+json. One real Chromium at phone width checks the page fits
 * and loads nothing from elsewhere.
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const MISTYPED = 'crt_0000';

let t: TestNode;

beforeAll(async () => {
  t = await startTestNode({ listen: true });
});

afterAll(async () => {
  await t.close();
});

const get = (path: string, accept?: string) =>
  fetch(`${t.node.url}${path}`, { headers: accept === undefined ? {} : { accept }, redirect: 'manual' });

describe('pages for people', () => {
  it('serves the landing page at / to a browser, with the paste box and links to the console and docs', async () => {
    const res = await get('/', BROWSER);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<form class="card" action="./go" method="get">');
    expect(html).toContain('name="proof"');
    expect(html).toContain('href="./console"');
    expect(html).toContain('href="./docs"');
    // Nothing to load: no script, no stylesheet or image from anywhere.
    expect(html).not.toMatch(/<script|<link|<img|src=/);
  });

  it('answers / with a JSON index to a program', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await get('/', accept);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ links: { docs: '/docs', console: '/console' } });
    }
  });

  it('takes a pasted proof URL or id to its page', async () => {
    const id = 'crt_abcdefghijklmnopqrstuvwx';
    for (const pasted of [id, ` https://node.example/chancery/p/${id}?x=1 `, id.toUpperCase()]) {
      const res = await get(`/go?proof=${encodeURIComponent(pasted)}`, BROWSER);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`p/${id}`);
    }
    const nothing = await get('/go?proof=hello', BROWSER);
    expect(nothing.status).toBe(404);
    expect(await nothing.text()).toContain('There is nothing at <code>hello</code>');
  });

  it('shows a browser a friendly 404 for a mistyped proof id and an unknown path', async () => {
    for (const [path, asked, base] of [
      [`/p/${MISTYPED}`, MISTYPED, '../'],
      ['/nowhere', '/nowhere', './'],
      ['/p/<script>', '&#60;script&#62;', '../'],
    ] as const) {
      const res = await get(path, BROWSER);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain(`There is nothing at <code>${asked}</code>`);
      expect(html).toContain(`action="${base}go"`);
      expect(html).not.toContain('PARAMS_INVALID');
    }
  });

  it('still answers a program with problem+json', async () => {
    const mistyped = await get(`/p/${MISTYPED}`, 'application/json');
    expect(mistyped.status).toBe(400);
    expect(mistyped.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await mistyped.json()).toMatchObject({ code: 'PARAMS_INVALID' });
    const unknown = await get('/nowhere', 'application/problem+json, text/html;q=0.5');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      type: 'urn:chancery:problem:route-not-found',
      title: 'No such route',
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: 'no route GET /nowhere',
      instance: '/nowhere',
    });
    // The API stays JSON even for a browser.
    const api = await get('/v1/nowhere', BROWSER);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('in a real browser at phone width', () => {
  let browser: Browser;
  beforeAll(async () => {
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
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('fits 390px without sideways scrolling, loads nothing else, and the box leads to the friendly 404', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const requests: string[] = [];
    const violations: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${t.node.url}/`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const button = await page.locator('button').boundingBox();
    expect(button?.height).toBeGreaterThanOrEqual(48);
    await page.fill('#proof', MISTYPED);
    await Promise.all([page.waitForURL(/\/go\?proof=/), page.click('button')]);
    expect(await page.locator('h1').innerText()).toContain('Not found');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(requests.every((u) => u.startsWith(t.node.url))).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);
});
