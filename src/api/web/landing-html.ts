/**
 * The node's pages for people who did not bring a proof URL, or brought a
 * wrong one: the landing page at `/` and the friendly "not found". Plain HTML
 * with one hashed inline stylesheet and no script, so they load nothing from
 * anywhere and work on any phone. Chinese and English side by side: the
 * reader may have come from a paper certificate's QR code. The words are the
 * citizen page's catalogues (landing.*, notFound.*), in both languages.
 */
import { createHash } from 'node:crypto';
import type { MessageKey } from './i18n/catalogue.js';
import { type Translate, translator } from './i18n/page-i18n.js';

const CSS = `
:root { color-scheme: light dark; --bg: #f6f6f3; --fg: #1a1a1a; --muted: #545454; --card: #fff;
  --border: #cfcfc8; --accent: #1d4f9e; --bad: #a3211a; }
@media (prefers-color-scheme: dark) { :root { --bg: #141414; --fg: #ececec; --muted: #b4b4b4;
  --card: #1f1f1f; --border: #3d3d3d; --accent: #6ea2ff; --bad: #ff7b72; } }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 17px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
h1 span, p span { display: block; }
.en { color: var(--muted); font-size: 0.95em; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1rem; margin: 1rem 0; }
.bad { border-color: var(--bad); }
label { display: block; font-weight: 600; margin-bottom: 0.5rem; }
input { width: 100%; min-height: 48px; font: inherit; padding: 0.5rem 0.75rem; border: 1px solid var(--border);
  border-radius: 8px; background: var(--bg); color: var(--fg); }
button { margin-top: 0.75rem; width: 100%; min-height: 48px; font: inherit; font-weight: 600; border: 0;
  border-radius: 8px; background: var(--accent); color: #fff; }
nav a { display: inline-block; min-height: 48px; padding: 0.75rem 1rem 0.75rem 0; color: var(--accent); }
code { overflow-wrap: anywhere; }
`;

/** The stylesheet's CSP source: the only inline thing the pages carry. */
export const LANDING_STYLE_SOURCE = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string, base: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeText(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
${links(base)}
</main>
</body>
</html>
`;
}

const ZH = translator('zh-CN');
const EN = translator('en');

/**
 * A message as HTML text: the catalogue's words escaped, each parameter in `code` set as escaped
 * <code>. The parameters go through the translator as markers, so no value is ever read as markup.
 */
function said(t: Translate, key: MessageKey, code: Readonly<Record<string, string>> = {}): string {
  const names = Object.keys(code);
  const markers = Object.fromEntries(names.map((name, i) => [name, `\u0001${i}\u0001`]));
  let html = escapeText(t(key, markers));
  names.forEach((name, i) => {
    html = html.replace(`\u0001${i}\u0001`, `<code>${escapeText(code[name]!)}</code>`);
  });
  return html;
}

/** Chinese first, English after it in the muted style: the reader may have come from a paper certificate. */
function both(key: MessageKey, code: Readonly<Record<string, string>> = {}): string {
  return `${said(ZH, key, code)}\n<span class="en">${said(EN, key, code)}</span>`;
}

/** The check form: GET go?proof=…, which the node answers with a redirect to the proof page. */
function checkForm(base: string, value = ''): string {
  return `<form class="card" action="${base}go" method="get">
<label for="proof">${said(ZH, 'landing.proofLabel')} <span class="en">${said(EN, 'landing.proofLabel')}</span></label>
<input id="proof" name="proof" type="text" inputmode="url" autocomplete="off" autocapitalize="off" spellcheck="false"
  placeholder="crt_… / https://…/p/crt_…" value="${escapeText(value)}" required>
<button type="submit">${said(ZH, 'landing.check')} · ${said(EN, 'landing.check')}</button>
</form>`;
}

function links(base: string): string {
  return `<nav aria-label="more">
<a href="${base}console">${said(ZH, 'landing.console')} · ${said(EN, 'landing.console')}</a>
<a href="${base}docs">${said(ZH, 'landing.apiDocs')} · ${said(EN, 'landing.apiDocs')}</a>
</nav>`;
}

/** `base` is the path back to the node's root from the page (`./`, or `../` under /p/), for proxies that mount it under a prefix. */
export function renderLanding(origin: string, base = './'): string {
  return page(
    `Chancery · ${ZH('landing.title')} · ${EN('landing.title')}`,
    `<h1>${said(ZH, 'landing.heading')} <span class="en">${said(EN, 'landing.heading')}</span></h1>
<p>${both('landing.intro', { origin })}</p>
${checkForm(base)}`,
    base,
  );
}

export interface NotFoundPage {
  /** What was asked for, as typed (shown escaped). */
  readonly asked: string;
  readonly base: string;
}

/** The friendly 404: says plainly that nothing was found under what was typed, and offers the box again. */
export function renderNotFound(input: NotFoundPage): string {
  return page(
    `${ZH('notFound.title')} · ${EN('notFound.title')}`,
    `<h1>${said(ZH, 'notFound.title')} <span class="en">${said(EN, 'notFound.title')}</span></h1>
<div class="card bad">
<p>${both('notFound.nothingAt', { asked: input.asked })}</p>
<p>${said(ZH, 'notFound.idShape', { prefix: 'crt_' })}<span class="en">${said(EN, 'notFound.idShape', { prefix: 'crt_' })}</span></p>
</div>
${checkForm(input.base)}`,
    input.base,
  );
}
