import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { htmlText } from '../../../src/api/web/i18n/html-text.js';
import { MESSAGES_EN } from '../../../src/api/web/i18n/messages-en.js';
import { MESSAGES_ZH_CN } from '../../../src/api/web/i18n/messages-zh-CN.js';
import {
  acceptedLanguages,
  chooseLanguage,
  formatDateTime,
  translator,
} from '../../../src/api/web/i18n/page-i18n.js';

const WEB = fileURLToPath(new URL('../../../src/api/web/', import.meta.url));

/** Every dotted key of a catalogue, with its message. */
function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object')
      for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

const EN = flatten(MESSAGES_EN);
const ZH = flatten(MESSAGES_ZH_CN);
const TOP = Object.keys(MESSAGES_EN).join('|');

/** The citizen page's sources: the server-rendered shell, the browser script and the presentation. */
function pageSources(): string[] {
  const files = [
    'proof-page-html.ts',
    ...readdirSync(join(WEB, 'browser')).map((f) => `browser/${f}`),
    ...readdirSync(join(WEB, 'presentation')).map((f) => `presentation/${f}`),
  ];
  return files.filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(WEB, f), 'utf8'));
}

describe('the citizen page catalogues', () => {
  it('en and zh-CN have exactly the same keys', () => {
    expect([...ZH.keys()].sort()).toEqual([...EN.keys()].sort());
  });

  it('no message is empty or anything but a string', () => {
    for (const [key, message] of [...EN, ...ZH]) {
      expect(typeof message, key).toBe('string');
      expect((message as string).trim().length, key).toBeGreaterThan(0);
    }
  });

  it('each message interpolates the same parameters in both languages', () => {
    const params = (m: unknown) => [...String(m).matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]).sort();
    for (const [key, message] of EN) expect(params(ZH.get(key)), key).toEqual(params(message));
  });

  it('the Chinese catalogue is Chinese: every message but the name-and-number lines has Han characters', () => {
    for (const [key, message] of ZH) {
      if (key === 'page.brand' || key === 'document.digest') continue;
      expect(String(message), key).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('the headlines a citizen must recognise use the expected plain words', () => {
    expect(MESSAGES_ZH_CN.headline.verified.title).toContain('已验证');
    expect(MESSAGES_ZH_CN.headline.revoked.title).toBe('已撤销');
    expect(MESSAGES_ZH_CN.headline.suspended.title).toBe('已暂停');
    expect(MESSAGES_ZH_CN.headline.expired.title).toBe('已过期');
    expect(MESSAGES_ZH_CN.headline.wrongDocument.title).toBe('文件与认证文件不符');
    expect(MESSAGES_ZH_CN.headline.doNotTrust.title).toContain('请勿信任');
  });

  it('every key the page names literally exists in both catalogues', () => {
    const literal = new RegExp(`['"\`]((?:${TOP})\\.[A-Za-z.]+)['"\`]`, 'g');
    const attribute = /data-i18n(?:-[a-z]+)?="([^"]+)"/g;
    const used = new Set<string>();
    for (const source of pageSources()) {
      for (const match of source.matchAll(literal)) used.add(match[1]!);
      for (const match of source.matchAll(attribute)) used.add(match[1]!);
    }
    // The shell, the script and the presentation name most of the catalogue literally (dynamic keys are tested by rendering).
    expect(used.size).toBeGreaterThan(60);
    for (const key of used) {
      expect(EN.has(key), `${key} in en`).toBe(true);
      expect(ZH.has(key), `${key} in zh-CN`).toBe(true);
    }
  });
});

describe('choosing the language', () => {
  it("the reader's remembered choice wins over the browser's languages", () => {
    expect(chooseLanguage('en', ['zh-CN'])).toBe('en');
    expect(chooseLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
  });

  it("otherwise the first of the browser's languages we have, any Chinese reading zh-CN", () => {
    expect(chooseLanguage(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(chooseLanguage(null, ['zh'])).toBe('zh-CN');
    expect(chooseLanguage(null, ['zh-Hans-CN'])).toBe('zh-CN');
    expect(chooseLanguage(null, ['fr-FR', 'en-GB', 'zh'])).toBe('en');
    expect(chooseLanguage(undefined, ['de', 'zh_TW'])).toBe('zh-CN');
  });

  it('an unknown remembered value (a stale or hostile localStorage) is ignored; nothing known: English', () => {
    expect(chooseLanguage('<script>', ['zh'])).toBe('zh-CN');
    expect(chooseLanguage(null, ['fr'])).toBe('en');
    expect(chooseLanguage(null, [])).toBe('en');
  });

  it('Accept-Language is read by q-value, wildcards and q=0 dropped', () => {
    expect(acceptedLanguages('en;q=0.5, zh-CN, fr;q=0.9')).toEqual(['zh-CN', 'fr', 'en']);
    expect(acceptedLanguages('*, zh;q=0')).toEqual([]);
    expect(acceptedLanguages(undefined)).toEqual([]);
    expect(chooseLanguage(null, acceptedLanguages('zh-CN,zh;q=0.9,en;q=0.8'))).toBe('zh-CN');
    expect(acceptedLanguages(`${'x,'.repeat(10_000)}en`)).toHaveLength(32);
  });
});

describe("messages and dates in the reader's locale", () => {
  it('interpolates parameters as text, never escaping them twice', () => {
    expect(translator('en')('document.digest', { name: 'a&b<c>.pdf', digest: 'ab' })).toBe(
      'a&b<c>.pdf: SHA-256 ab',
    );
    expect(translator('zh-CN')('summary.waitingDetail', { seconds: 3 })).toBe(
      '该记录尚未写入公开日志，将在 3 秒后再次检查。',
    );
  });

  it('formats a time in the language and the zone given', () => {
    const at = '2026-11-21T10:00:00Z';
    expect(formatDateTime(at, 'en', 'UTC')).toBe('November 21, 2026 at 10:00 AM');
    expect(formatDateTime(at, 'zh-CN', 'Asia/Shanghai')).toBe('2026年11月21日 18:00');
    expect(formatDateTime(Date.parse(at), 'zh-CN', 'Asia/Shanghai')).toBe('2026年11月21日 18:00');
  });

  it('an unreadable date is shown as given', () => {
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
  });
});

describe('localised text in the server-rendered page', () => {
  it('escapes the message and its parameters, and names the key and parameters for the script', () => {
    const html = htmlText('zh-CN');
    expect(html.element('h1', 'page.heading')).toBe('<h1 data-i18n="page.heading">核验认证记录</h1>');
    expect(html.element('p', 'page.brand', { origin: '<x>"' }, 'class="brand"')).toBe(
      '<p class="brand" data-i18n="page.brand" data-i18n-params="{&quot;origin&quot;:&quot;&lt;x&gt;\\&quot;&quot;}">Chancery · &lt;x&gt;&quot;</p>',
    );
    expect(htmlText('en').text('page.title', { id: 'a&b' })).toBe('Check certified record a&amp;b');
  });
});
