/**
 * The citizen page's stylesheet. A TS string rather than a .css file because
 * tsc copies no assets into dist/, and the strict CSP forbids inline styles.
 * Mobile first: one column, 48px touch targets, long digests and keys wrap
 * anywhere so nothing scrolls sideways at 360px.
 */
import { CITIZEN_PAGE_CSS } from './citizen-page-css.js';

export const PROOF_PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f6f6f3;
  --fg: #1a1a1a;
  --muted: #545454;
  --card: #ffffff;
  --border: #cfcfc8;
  --ok: #176b3a;
  --ok-bg: #e6f4eb;
  --bad: #a3211a;
  --bad-bg: #fbe9e8;
  --wait: #7a5a00;
  --wait-bg: #fdf5dc;
  --accent: #1d4f9e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #141414;
    --fg: #ececec;
    --muted: #b4b4b4;
    --card: #1f1f1f;
    --border: #3d3d3d;
    --ok: #4cc27e;
    --ok-bg: #14301f;
    --bad: #ff7b72;
    --bad-bg: #3a1614;
    --wait: #e3b341;
    --wait-bg: #2f2610;
    --accent: #6ea2ff;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
.masthead, main, .footer { max-width: 42rem; margin: 0 auto; padding: 1rem; }
.masthead { padding-bottom: 0; }
.brand { margin: 0; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; font-size: .8rem; color: var(--muted); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: .25rem 0 .25rem; }
h2 { font-size: 1.15rem; line-height: 1.3; margin: 1.75rem 0 .5rem; }
p { margin: .5rem 0; }
code, .mono {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em;
  overflow-wrap: anywhere;
  word-break: break-all;
}
.muted { color: var(--muted); }
.summary {
  margin-top: 1rem;
  padding: 1rem;
  border: 2px solid var(--border);
  border-radius: .75rem;
  background: var(--card);
}
.summary .headline { margin: 0; font-size: 1.25rem; font-weight: 700; line-height: 1.3; }
.summary[data-state="verified"] { border-color: var(--ok); background: var(--ok-bg); }
.summary[data-state="verified"] .headline { color: var(--ok); }
.summary[data-state="failed"], .summary[data-state="error"] { border-color: var(--bad); background: var(--bad-bg); }
.summary[data-state="failed"] .headline, .summary[data-state="error"] .headline { color: var(--bad); }
.summary[data-state="waiting"] { border-color: var(--wait); background: var(--wait-bg); }
.steps { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
.step {
  display: grid;
  grid-template-columns: 2.25rem minmax(0, 1fr);
  column-gap: .75rem;
  padding: .75rem;
  border: 1px solid var(--border);
  border-radius: .5rem;
  background: var(--card);
}
.step[data-ok="false"] { border-color: var(--bad); }
.mark {
  grid-row: span 3;
  width: 2.25rem;
  height: 2.25rem;
  border-radius: 50%;
  display: grid;
  place-items: center;
  font-weight: 700;
  font-size: 1.2rem;
  color: #fff;
}
.step[data-ok="true"] .mark { background: var(--ok); }
.step[data-ok="false"] .mark { background: var(--bad); }
.step-label { margin: 0; font-weight: 650; }
.step-detail { margin: .15rem 0 0; overflow-wrap: anywhere; }
.step-explain { margin: .25rem 0 0; color: var(--muted); font-size: .94em; }
.witnesses { list-style: none; margin: 0; padding: 0; display: grid; gap: .35rem; }
.witnesses li { display: flex; align-items: center; gap: .5rem; overflow-wrap: anywhere; }
.witnesses .mark { width: 1.5rem; height: 1.5rem; font-size: .95rem; grid-row: auto; flex: none; }
.witnesses li[data-cosigned="true"] .mark { background: var(--ok); }
.witnesses li[data-cosigned="false"] .mark { background: var(--muted); }
.quorum { font-weight: 650; }
.drop {
  padding: 1.25rem 1rem;
  border: 2px dashed var(--border);
  border-radius: .75rem;
  background: var(--card);
  text-align: center;
}
.drop[data-dragging="true"] { border-color: var(--accent); }
.button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  min-height: 48px;
  min-width: 48px;
  padding: .75rem 1.25rem;
  border: 0;
  border-radius: .5rem;
  background: var(--accent);
  color: #fff;
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
@media (prefers-color-scheme: dark) { .button { color: #0b1a33; } }
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  clip-path: inset(50%);
  white-space: nowrap;
  border: 0;
}
input[type="file"]:focus-visible + label { outline: 3px solid var(--accent); outline-offset: 3px; }
.document-status { min-height: 1.5em; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: minmax(0, 1fr); margin: 0; }
.facts dt { font-weight: 600; color: var(--muted); font-size: .94em; }
.facts dd { margin: 0 0 .6rem; overflow-wrap: anywhere; }
@media (min-width: 40rem) {
  .facts { grid-template-columns: 11rem minmax(0, 1fr); column-gap: 1rem; }
  .facts dd { margin-bottom: .4rem; }
}
.trust-key {
  display: block;
  padding: .75rem;
  border: 1px solid var(--border);
  border-radius: .5rem;
  background: var(--card);
}
.links { list-style: none; margin: 0; padding: 0; }
.links a {
  display: flex;
  align-items: center;
  min-height: 48px;
  color: var(--accent);
  overflow-wrap: anywhere;
}
.footer { color: var(--muted); font-size: .9em; padding-bottom: 2rem; }
${CITIZEN_PAGE_CSS}`;
