/**
 * The node's pages for people who did not bring a proof URL, or brought a
 * wrong one: the landing page at `/` and the friendly "not found". Plain HTML
 * with one hashed inline stylesheet and no script, so they load nothing from
 * anywhere and work on any phone. Chinese and English side by side: the
 * reader may have come from a paper certificate's QR code.
 */
import { createHash } from 'node:crypto';

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

/** The check form: GET go?proof=…, which the node answers with a redirect to the proof page. */
function checkForm(base: string, value = ''): string {
  return `<form class="card" action="${base}go" method="get">
<label for="proof">粘贴证书编号或查验网址 <span class="en">Paste a proof id or a proof URL</span></label>
<input id="proof" name="proof" type="text" inputmode="url" autocomplete="off" autocapitalize="off" spellcheck="false"
  placeholder="crt_… / https://…/p/crt_…" value="${escapeText(value)}" required>
<button type="submit">查验 · Check</button>
</form>`;
}

function links(base: string): string {
  return `<nav aria-label="more">
<a href="${base}console">运维控制台 · Console</a>
<a href="${base}docs">接口文档 · API docs</a>
</nav>`;
}

/** `base` is the path back to the node's root from the page (`./`, or `../` under /p/), for proxies that mount it under a prefix. */
export function renderLanding(origin: string, base = './'): string {
  return page(
    'Chancery · 证书查验 · Check a certificate',
    `<h1>证书查验 <span class="en">Check a certified record</span></h1>
<p>这个节点保存着 <code>${escapeText(origin)}</code> 的公开日志。打开证书上的二维码或网址即可在您的设备上查验。
<span class="en">This node keeps the public log <code>${escapeText(origin)}</code>. Open the QR code or URL on a certificate to check it on your own device.</span></p>
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
    '未找到 · Not found',
    `<h1>未找到 <span class="en">Not found</span></h1>
<div class="card bad">
<p>这里没有 <code>${escapeText(input.asked)}</code>。请检查证书上的编号或网址是否完整、是否有输入错误。
<span class="en">There is nothing at <code>${escapeText(input.asked)}</code>. Check that the id or URL on the certificate was copied in full and without typos.</span></p>
<p>证书编号形如 <code>crt_</code> 加 24 个字母或数字。<span class="en">A proof id looks like <code>crt_</code> followed by 24 letters and digits.</span></p>
</div>
${checkForm(input.base)}`,
    input.base,
  );
}
