/**
 * The citizen page's styles for the headline's tones, the language switch
 * and the QR code, appended to proof-page-css.ts. The tone, not the verdict,
 * picks the colour: green only for "rely on it", amber for genuine but not
 * (yet) to be relied on, red for "do not accept".
 */
export const CITIZEN_PAGE_CSS = `
body:lang(zh-CN) {
  font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
}
.masthead-top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; }
.language-switch { display: flex; gap: .25rem; margin: 0; padding: 0; list-style: none; }
.language-switch a {
  display: inline-flex;
  align-items: center;
  min-height: 48px;
  min-width: 48px;
  padding: 0 .75rem;
  border: 1px solid var(--border);
  border-radius: .5rem;
  color: var(--accent);
  text-decoration: none;
  font-weight: 600;
}
.language-switch a[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }
@media (prefers-color-scheme: dark) { .language-switch a[aria-pressed="true"] { color: #0b1a33; } }
.summary .headline { display: flex; align-items: flex-start; gap: .6rem; }
.summary-icon {
  flex: none;
  width: 2.25rem;
  height: 2.25rem;
  border-radius: 50%;
  display: grid;
  place-items: center;
  font-size: 1.2rem;
  color: #fff;
  background: var(--muted);
}
.summary-icon:empty { display: none; }
.summary[data-tone="good"] { border-color: var(--ok); background: var(--ok-bg); }
.summary[data-tone="good"] .headline { color: var(--ok); }
.summary[data-tone="good"] .summary-icon { background: var(--ok); }
.summary[data-tone="caution"] { border-color: var(--wait); background: var(--wait-bg); }
.summary[data-tone="caution"] .headline { color: var(--wait); }
.summary[data-tone="caution"] .summary-icon { background: var(--wait); }
.summary[data-tone="bad"] { border-color: var(--bad); background: var(--bad-bg); }
.summary[data-tone="bad"] .headline { color: var(--bad); }
.summary[data-tone="bad"] .summary-icon { background: var(--bad); }
.summary-next { margin-top: .75rem; padding-top: .75rem; border-top: 1px solid var(--border); }
.summary-next strong { display: block; }
.step-technical { margin: .25rem 0 0; color: var(--muted); font-size: .88em; overflow-wrap: anywhere; }
.step-detail-label { font-weight: 600; }
.qr-section { display: grid; gap: .75rem; justify-items: start; }
.qr { width: 10rem; height: 10rem; background: #fff; border-radius: .5rem; }
.qr-caption { overflow-wrap: anywhere; }
@media (min-width: 40rem) {
  .qr-section { grid-template-columns: auto minmax(0, 1fr); align-items: center; }
}
`;
