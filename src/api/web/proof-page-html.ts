/**
 * The citizen page's HTML. A TS string rather than a .html file because tsc
 * copies no assets into dist/. It holds no inline script or style (the CSP
 * forbids both); the server embeds the trusted log key as a data attribute
 * and shows it, and the script verifies everything in the browser.
 *
 * Every text is in the reader's language (Accept-Language or ?lang=), and
 * marked with its message key so the script can switch language in place.
 * The QR code of the proof URL is drawn here, as inline SVG.
 */
import type { Language } from './i18n/catalogue.js';
import { escapeMarkup, type HtmlText, htmlText } from './i18n/html-text.js';

export interface ProofPageInput {
  readonly certificationId: string;
  /** The C2SP verifier key of the log this node serves; what the page trusts. */
  readonly logKey: string;
  /** The node's C2SP tlog-policy text (witnesses and quorum), which the page judges cosignatures by; null: none. */
  readonly policy?: string | null;
  /** The authority's public keys (base64), which the page pins to check the signing key's registration. */
  readonly authorityKeys?: readonly string[];
  readonly origin: string;
  readonly scriptUrl: string;
  /** Subresource Integrity of the script, e.g. sha384-… */
  readonly scriptIntegrity: string;
  readonly styleUrl: string;
  readonly iconUrl: string;
  /** The language to render in first; the script may switch to the reader's remembered choice. */
  readonly language?: Language;
  /** The page's own public URL, which the QR code carries. */
  readonly proofUrl?: string;
  /** The QR code of proofUrl, as an <svg> element (proof-qr.ts); trusted markup. */
  readonly qrSvg?: string;
}

/** Escapes text for an HTML text node or a quoted attribute. */
export const escapeHtml = escapeMarkup;

export function renderProofPage(input: ProofPageInput): string {
  const html = htmlText(input.language ?? 'en');
  const id = escapeHtml(input.certificationId);
  const key = escapeHtml(input.logKey);
  // Only a policy that names witnesses changes what the page checks; "quorum none" alone adds nothing.
  const policy = input.policy !== undefined && input.policy !== null ? escapeHtml(input.policy) : '';
  // Base64 keys, space separated: escaped anyway, like everything the server puts into the page.
  const authority = escapeHtml((input.authorityKeys ?? []).join(' '));
  return `<!doctype html>
<html lang="${html.language}">
${head(input, html)}
<body data-certification-id="${id}" data-log-key="${key}" data-policy="${policy}" data-authority-keys="${authority}">
${masthead(input, html, id)}
<main>
${summary(html)}

${steps(html)}

${witnesses(html)}

${documentSection(html)}

${record(html)}

${qr(input, html)}

${trust(html, key, authority)}

${downloads(html, id, key)}
</main>
<footer class="footer">
  ${html.element('p', 'page.footer')}
</footer>
</body>
</html>
`;
}

function head(input: ProofPageInput, html: HtmlText): string {
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${html.text('page.title', { id: input.certificationId })}</title>
<link rel="icon" type="image/svg+xml" href="${escapeHtml(input.iconUrl)}">
<link rel="stylesheet" href="${escapeHtml(input.styleUrl)}">
<script defer src="${escapeHtml(input.scriptUrl)}" integrity="${escapeHtml(input.scriptIntegrity)}"></script>
</head>`;
}

/** Each language's name in itself: a reader who cannot read the page can still find their own. */
function languageSwitch(html: HtmlText): string {
  const link = (language: Language, name: string) =>
    `<li><a href="?lang=${language}" lang="${language}" hreflang="${language}" data-language="${language}" aria-pressed="${html.language === language}">${name}</a></li>`;
  return `<ul class="language-switch" data-i18n-label="page.language" aria-label="${html.text('page.language')}">
    ${link('zh-CN', '中文')}
    ${link('en', 'English')}
  </ul>`;
}

function masthead(input: ProofPageInput, html: HtmlText, id: string): string {
  return `<header class="masthead">
  <div class="masthead-top">
    ${html.element('p', 'page.brand', { origin: input.origin }, 'class="brand"')}
    ${languageSwitch(html)}
  </div>
  ${html.element('h1', 'page.heading')}
  <p class="muted">${html.element('span', 'page.certification')} <code>${id}</code></p>
</header>`;
}

/** The headline the script fills in with the verdict: icon, title, what it means, what to do next. */
function summary(html: HtmlText): string {
  return `  <section id="summary" class="summary" data-state="loading" role="status" aria-live="polite" aria-atomic="true">
    <p class="headline"><span id="summary-icon" class="summary-icon" aria-hidden="true"></span><span id="summary-title">${html.text('summary.loading')}</span></p>
    <p id="summary-detail">${html.text('summary.loadingDetail')}</p>
    <p id="latest-check" class="latest-check" data-kind="pending" hidden></p>
    <div id="summary-next" class="summary-next" hidden>
      ${html.element('strong', 'summary.nextStep')}
      <p id="summary-next-text"></p>
    </div>
  </section>
  <noscript>
    <p class="summary" data-state="error" data-tone="bad">${html.text('page.noscript')}</p>
  </noscript>`;
}

function steps(html: HtmlText): string {
  return `  <section aria-labelledby="steps-heading">
    ${html.element('h2', 'steps.heading', undefined, 'id="steps-heading"')}
    <ol id="steps" class="steps" aria-live="polite"></ol>
  </section>`;
}

function witnesses(html: HtmlText): string {
  return `  <section id="witnesses-section" aria-labelledby="witnesses-heading" hidden>
    ${html.element('h2', 'witnesses.heading', undefined, 'id="witnesses-heading"')}
    ${html.element('p', 'witnesses.intro')}
    <p id="quorum" class="quorum"></p>
    <ul id="witnesses" class="witnesses"></ul>
  </section>`;
}

function documentSection(html: HtmlText): string {
  return `  <section aria-labelledby="document-heading">
    ${html.element('h2', 'document.heading', undefined, 'id="document-heading"')}
    <p>${html.element('span', 'document.intro')} ${html.element('strong', 'document.neverLeaves')}</p>
    <div id="drop" class="drop">
      <input id="document" class="visually-hidden" type="file">
      ${html.element('label', 'document.choose', undefined, 'for="document" class="button"')}
      ${html.element('p', 'document.orDrop', undefined, 'class="muted"')}
    </div>
    <p id="document-status" class="document-status" aria-live="polite"></p>
  </section>`;
}

function record(html: HtmlText): string {
  return `  <section aria-labelledby="record-heading">
    ${html.element('h2', 'record.heading', undefined, 'id="record-heading"')}
    <dl id="record" class="facts"></dl>
  </section>`;
}

function qr(input: ProofPageInput, html: HtmlText): string {
  if (input.qrSvg === undefined || input.proofUrl === undefined) return '';
  return `  <section id="qr" aria-labelledby="qr-heading">
    ${html.element('h2', 'qr.heading', undefined, 'id="qr-heading"')}
    <div class="qr-section">
      ${input.qrSvg}
      ${html.element('p', 'qr.caption', { url: input.proofUrl }, 'class="qr-caption mono"')}
    </div>
  </section>`;
}

function trust(html: HtmlText, key: string, authority: string): string {
  return `  <section aria-labelledby="trust-heading">
    ${html.element('h2', 'trust.heading', undefined, 'id="trust-heading"')}
    ${html.element('p', 'trust.logKey')}
    <code id="log-key" class="trust-key">${key}</code>
    ${html.element('p', 'trust.authorityKeys')}
    <code id="authority-keys" class="trust-key">${authority}</code>
    ${html.element('p', 'trust.compare')}
    <p>${html.element('span', 'trust.policy')} <a href="../v1/federation/policy">${html.element('span', 'trust.policyLink')}</a>.
    ${html.element('span', 'trust.policyCli')}</p>
  </section>`;
}

function downloads(html: HtmlText, id: string, key: string): string {
  // Relative to /p/ID: the node may be mounted under a path prefix.
  const proofJson = `../v1/proofs/${id}`;
  return `  <section aria-labelledby="download-heading">
    ${html.element('h2', 'downloads.heading', undefined, 'id="download-heading"')}
    <ul class="links">
      <li><a href="${proofJson}" download="${id}.json">${html.element('span', 'downloads.json')}</a></li>
      <li><a href="${proofJson}?format=tlog-proof" download="${id}.tlog-proof">${html.element('span', 'downloads.tlog')}</a></li>
    </ul>
    <p>${html.element('span', 'downloads.offline')} <code>chancery verify ${id}.json --trust '${key}' --authority AUTHORITY_PUBLIC_KEY</code>
    ${html.element('span', 'downloads.offlineNote')}</p>
  </section>`;
}
