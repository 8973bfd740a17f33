/**
 * The citizen page's HTML. A TS string rather than a .html file because tsc
 * copies no assets into dist/. It holds no inline script or style (the CSP
 * forbids both); the server embeds the trusted log key as a data attribute
 * and shows it, and the script verifies everything in the browser.
 */

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
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function renderProofPage(input: ProofPageInput): string {
  const id = escapeHtml(input.certificationId);
  const key = escapeHtml(input.logKey);
  // Only a policy that names witnesses changes what the page checks; "quorum none" alone adds nothing.
  const policy = input.policy !== undefined && input.policy !== null ? escapeHtml(input.policy) : '';
  // Base64 keys, space separated: escaped anyway, like everything the server puts into the page.
  const authority = escapeHtml((input.authorityKeys ?? []).join(' '));
  return `<!doctype html>
<html lang="en">
${head(input, id)}
<body data-certification-id="${id}" data-log-key="${key}" data-policy="${policy}" data-authority-keys="${authority}">
${masthead(input, id)}
<main>
${SUMMARY}

${STEPS}

${WITNESSES}

${DOCUMENT}

${RECORD}

${trust(key, authority)}

${downloads(id, key)}
</main>
${FOOTER}
</body>
</html>
`;
}

function head(input: ProofPageInput, id: string): string {
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Check certified record ${id}</title>
<link rel="icon" type="image/svg+xml" href="${escapeHtml(input.iconUrl)}">
<link rel="stylesheet" href="${escapeHtml(input.styleUrl)}">
<script defer src="${escapeHtml(input.scriptUrl)}" integrity="${escapeHtml(input.scriptIntegrity)}"></script>
</head>`;
}

function masthead(input: ProofPageInput, id: string): string {
  return `<header class="masthead">
  <p class="brand">Chancery · ${escapeHtml(input.origin)}</p>
  <h1>Check a certified record</h1>
  <p class="muted">Certification <code>${id}</code></p>
</header>`;
}

/** The headline the script fills in with the verdict. */
const SUMMARY = `  <section id="summary" class="summary" data-state="loading" role="status" aria-live="polite" aria-atomic="true">
    <p class="headline">Checking the proof on this device…</p>
    <p id="summary-detail">Nothing is sent anywhere: your browser checks the signatures and the log itself.</p>
  </section>
  <noscript>
    <p class="summary" data-state="error">This page checks the proof in your browser and needs JavaScript.
    You can download the proof below and check it with <code>chancery verify</code> instead.</p>
  </noscript>`;

const STEPS = `  <section aria-labelledby="steps-heading">
    <h2 id="steps-heading">What was checked</h2>
    <ol id="steps" class="steps" aria-live="polite"></ol>
  </section>`;

const WITNESSES = `  <section id="witnesses-section" aria-labelledby="witnesses-heading" hidden>
    <h2 id="witnesses-heading">Who vouched for the log</h2>
    <p>Other cities and departments each keep a verified copy of the log and cosign its checkpoints only if
    they are consistent with everything they saw before. A checkpoint is final when enough of them did.</p>
    <p id="quorum" class="quorum"></p>
    <ul id="witnesses" class="witnesses"></ul>
  </section>`;

const DOCUMENT = `  <section aria-labelledby="document-heading">
    <h2 id="document-heading">Compare your document</h2>
    <p>Pick or drop the original file. Its fingerprint (SHA-256) is computed on this device and compared with
    the certified one. <strong>The file never leaves your device.</strong></p>
    <div id="drop" class="drop">
      <input id="document" class="visually-hidden" type="file">
      <label for="document" class="button">Choose a file</label>
      <p class="muted">or drop it here</p>
    </div>
    <p id="document-status" class="document-status" aria-live="polite"></p>
  </section>`;

const RECORD = `  <section aria-labelledby="record-heading">
    <h2 id="record-heading">What the proof says</h2>
    <dl id="record" class="facts"></dl>
  </section>`;

function trust(key: string, authority: string): string {
  return `  <section aria-labelledby="trust-heading">
    <h2 id="trust-heading">Which log this page trusts</h2>
    <p>This page checks the log's signature with this key, which the node serving the page put here:</p>
    <code id="log-key" class="trust-key">${key}</code>
    <p>and checks that the province's authority registered the department's key, with the authority key(s)
    the node put here:</p>
    <code id="authority-keys" class="trust-key">${authority}</code>
    <p>A page can only vouch for what it is given. Compare this key with the one the province publishes
    (on its website, in the official gazette, or from the witnesses that cosign the log). If they differ,
    do not trust this result. The witnesses and the quorum come from the node's trust policy
    (<a href="../v1/federation/policy">download it</a>); <code>chancery verify --policy</code> checks a proof
    against a policy you obtained yourself.</p>
  </section>`;
}

function downloads(id: string, key: string): string {
  // Relative to /p/ID: the node may be mounted under a path prefix.
  const proofJson = `../v1/proofs/${id}`;
  return `  <section aria-labelledby="download-heading">
    <h2 id="download-heading">Check it yourself</h2>
    <ul class="links">
      <li><a href="${proofJson}" download="${id}.json">Download the proof (JSON)</a></li>
      <li><a href="${proofJson}?format=tlog-proof" download="${id}.tlog-proof">Download the proof (C2SP tlog-proof)</a></li>
    </ul>
    <p>Offline: <code>chancery verify ${id}.json --trust '${key}' --authority AUTHORITY_PUBLIC_KEY</code>
    (the authority's key, as the province publishes it)</p>
  </section>`;
}

const FOOTER = `<footer class="footer">
  <p>Chancery proof page. It loads nothing from any other site and sends nothing about you or your document.</p>
</footer>`;
