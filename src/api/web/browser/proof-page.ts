/**
 * The citizen page's script (bundled with esbuild, see ../proof-page-bundle.ts).
 * It fetches the proof bundle from the same origin, verifies it here with
 * the same pure verifier as `chancery verify`, and hashes a dropped document
 * locally. No network access besides /v1/proofs/:id; the document never leaves
 * the device.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseTrustPolicy, type TrustPolicy } from '../../../domain/federation/trust-policy.js';
import type { Ed25519Verify } from '../../../domain/log/ed25519-ports.js';
import {
  type VerificationReport,
  type VerificationStepId,
  verifyProofBundle,
  type WitnessingSummary,
} from '../../../domain/proof/verify-bundle.js';
import { isoSeconds } from '../../../protocol/iso-seconds.js';

// RFC 8032 strict (zip215: false), like node:crypto on the server, so both accept exactly the same signatures.
const verify: Ed25519Verify = (publicKey, message, signature) => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

/** What each step means, for someone who has never heard of a Merkle tree. */
const EXPLANATIONS: Record<VerificationStepId, string> = {
  bundle: 'The proof must be complete and well formed before anything in it can be checked.',
  signature:
    "The issuing department's digital signature covers the certified details. Nobody else, not even this server, could have made it.",
  inclusion:
    'The certification is written into the public log: an append-only record that every city node keeps a copy of.',
  authority:
    "The province's authority registered the department's key, with its own signature, in the public log. Not even the log's operator could have made that registration.",
  checkpoint:
    "The log signed its current state, and the witnesses below cosigned it. This page checks the log's signature with the key shown below, and each witness's cosignature with the key the node's trust policy gives it.",
  validity: 'The record is within the validity period the department gave it, at the time on this device.',
  status:
    'The department has not suspended or revoked the record: the latest status change the node holds is itself proven to be in the log.',
  batch: 'The record is one of a batch certified together, and its place in the batch is proven.',
  freshness:
    'Independent witnesses cosigned the log at the time shown; the status above is proven as of then.',
  document:
    "Your file's fingerprint was computed on this device and compared with the certified one. Your file was not sent anywhere.",
};

const HASH_CHUNK = 4 * 1024 * 1024;
const MAX_RETRIES = 30;

interface PageState {
  bundle: unknown;
  /** The authority's public keys (base64) the node put in the page: a signing key must trace back to one. */
  authorityKeys: string[];
  /** The node's trust policy, when it names witnesses: the checkpoint must meet its quorum. */
  policy?: TrustPolicy;
  documentDigest?: string;
  documentName?: string;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`page is missing #${id}`);
  return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  // textContent only: nothing from the bundle is ever parsed as HTML.
  if (text !== undefined) node.textContent = text;
  return node;
}

function setSummary(state: string, headline: string, detail: string): void {
  const summary = byId('summary');
  summary.dataset['state'] = state;
  summary.querySelector('.headline')!.textContent = headline;
  byId('summary-detail').textContent = detail;
}

function labelOf(ok: boolean, label: string): HTMLElement {
  const node = el('p', { class: 'step-label' });
  node.append(el('span', { class: 'visually-hidden' }, ok ? 'Passed: ' : 'Failed: '), label);
  return node;
}

function renderSteps(report: VerificationReport): void {
  const list = byId('steps');
  list.replaceChildren(
    ...report.steps.map((step) => {
      const item = el('li', { class: 'step', 'data-step': step.id, 'data-ok': String(step.ok) });
      item.append(
        el('span', { class: 'mark', 'aria-hidden': 'true' }, step.ok ? '✓' : '✗'),
        // The mark is hidden from screen readers, so they hear the outcome in words instead.
        labelOf(step.ok, step.label),
        el('p', { class: 'step-detail' }, step.detail),
        el('p', { class: 'step-explain' }, EXPLANATIONS[step.id]),
      );
      return item;
    }),
  );
}

function field(data: Record<string, unknown>, name: string): string | undefined {
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
}

function renderFacts(bundle: unknown): void {
  const facts = byId('record');
  const b = bundle as {
    certificationId?: unknown;
    entry?: { data?: Record<string, unknown> };
    status?: { status?: unknown };
    batch?: { recordDigest?: unknown; index?: unknown; count?: unknown } | null;
  } | null;
  const data = b?.entry?.data;
  if (data === undefined || data === null || typeof data !== 'object') {
    facts.replaceChildren();
    return;
  }
  // A record certified in a batch: its own digest and id are beside the batch entry, not in it.
  const batch = b?.batch !== null && typeof b?.batch === 'object' ? b.batch : undefined;
  const inBatch =
    batch !== undefined && typeof batch.index === 'number' && typeof batch.count === 'number'
      ? `record ${batch.index + 1} of ${batch.count} in ${field(data, 'batchId') ?? 'a batch'}`
      : undefined;
  const rows: [string, string | undefined][] = [
    ['Record type', field(data, 'recordType')],
    ['Issued by', field(data, 'issuerId')],
    ['Certified on', field(data, 'certifiedAt')],
    ['Valid from', field(data, 'validFrom')],
    ['Valid until', data['validUntil'] === null ? 'no end date' : field(data, 'validUntil')],
    ['Status', typeof b?.status?.status === 'string' ? b.status.status : undefined],
    [
      'Document fingerprint (SHA-256)',
      batch === undefined
        ? field(data, 'recordDigest')
        : typeof batch.recordDigest === 'string'
          ? batch.recordDigest
          : undefined,
    ],
    [
      'Certification',
      batch === undefined
        ? field(data, 'certificationId')
        : typeof b?.certificationId === 'string'
          ? b.certificationId
          : undefined,
    ],
    ['Certified in a batch', inBatch],
  ];
  const metadata = data['metadata'];
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [k, v] of Object.entries(metadata)) rows.push([k, String(v)]);
  }
  facts.replaceChildren(
    ...rows
      .filter((row): row is [string, string] => row[1] !== undefined)
      .flatMap(([label, value]) => [el('dt', {}, label), el('dd', { class: 'mono' }, value)]),
  );
}

function timeOf(seconds: number | null): string {
  return seconds === null ? '' : isoSeconds(seconds * 1000);
}

function renderWitnesses(witnessing: WitnessingSummary | undefined): void {
  const section = byId('witnesses-section');
  if (witnessing === undefined) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const cosigned = witnessing.cosigners.filter((c) => c.cosigned).length;
  byId('quorum').textContent =
    `${cosigned} of ${witnessing.cosigners.length} witnesses cosigned this checkpoint. ` +
    `The quorum (${witnessing.quorum}) is ${witnessing.quorumMet ? 'met: the checkpoint is final' : 'not met'}.`;
  byId('witnesses').replaceChildren(
    ...witnessing.cosigners.map((c) => {
      const item = el('li', { 'data-cosigned': String(c.cosigned) });
      item.append(
        el('span', { class: 'mark', 'aria-hidden': 'true' }, c.cosigned ? '✓' : '–'),
        el('span', { class: 'visually-hidden' }, c.cosigned ? 'Cosigned: ' : 'Not cosigned: '),
        el('span', { class: 'mono' }, c.name),
        el('span', { class: 'muted' }, c.cosigned ? ` at ${timeOf(c.timestamp)}` : ' (no cosignature)'),
      );
      return item;
    }),
  );
}

function render(state: PageState, certificationId: string, logKey: string): void {
  const report = verifyProofBundle(state.bundle, {
    verify,
    trustedLogKeys: [logKey],
    now: Date.now(),
    expectedCertificationId: certificationId,
    authorityKeys: state.authorityKeys,
    ...(state.policy === undefined ? {} : { policy: state.policy }),
    ...(state.documentDigest === undefined ? {} : { documentDigest: state.documentDigest }),
  });
  renderSteps(report);
  renderWitnesses(report.witnessing);
  renderFacts(state.bundle);
  const failed = report.steps.filter((s) => !s.ok);
  const [headline, summary] = HEADLINES[report.headline];
  const withDocument =
    report.ok && state.documentDigest !== undefined ? ' Your document is the certified one.' : '';
  const checks =
    report.headline === 'not-verified'
      ? ` ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((s) => s.label.toLowerCase()).join('; ')}.`
      : '';
  setSummary(STATE_OF[report.headline], headline, `${summary}${asOfText(report)}${withDocument}${checks}`);
}

/** The page's words for each headline kind; the verifier gives the kind, never the sentence. */
const HEADLINES: Record<VerificationReport['headline'], [string, string]> = {
  verified: ['✓ Verified', 'This record is authentic, in the public log, valid and active.'],
  'verified-limited': [
    '✓ Verified, with an older proof',
    'This record is authentic and in the public log, but this older kind of proof cannot show that it is still active, nor that the authority registered the signing key.',
  ],
  revoked: ['✗ Revoked', 'This record is authentic, but the public log proves it was revoked.'],
  suspended: ['✗ Suspended', 'This record is authentic, but the public log proves it is suspended.'],
  expired: ['✗ Not valid now', 'This record is authentic and active, but outside its validity period.'],
  stale: [
    '✗ Out of date',
    'This record is authentic, but its status is proven only as of a time too long ago.',
  ],
  'not-verified': ['✗ Not verified', 'This proof does not hold.'],
};

const STATE_OF: Record<VerificationReport['headline'], string> = {
  verified: 'verified',
  'verified-limited': 'verified',
  revoked: 'failed',
  suspended: 'failed',
  expired: 'failed',
  stale: 'failed',
  'not-verified': 'failed',
};

function asOfText(report: VerificationReport): string {
  const asOf = report.state?.asOf;
  return asOf === undefined || asOf === null
    ? ''
    : ` Status as of ${timeOf(asOf)}, when the witnesses cosigned.`;
}

async function digestFile(file: File, progress: (fraction: number) => void): Promise<string> {
  // noble rather than crypto.subtle: subtle needs a secure context, and a node may be reached over plain http.
  const hash = sha256.create();
  for (let offset = 0; offset < file.size; offset += HASH_CHUNK) {
    const chunk = new Uint8Array(await file.slice(offset, offset + HASH_CHUNK).arrayBuffer());
    hash.update(chunk);
    progress(Math.min(1, (offset + chunk.length) / file.size));
  }
  return bytesToHex(hash.digest());
}

function problemDetail(body: unknown): string | undefined {
  if (
    body !== null &&
    typeof body === 'object' &&
    typeof (body as { detail?: unknown }).detail === 'string'
  ) {
    return (body as { detail: string }).detail;
  }
  return undefined;
}

async function load(state: PageState, certificationId: string, logKey: string, attempt = 0): Promise<void> {
  let response: Response;
  try {
    // Relative to /p/ID, so a node mounted under a path prefix still answers.
    response = await fetch(`../v1/proofs/${encodeURIComponent(certificationId)}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    setSummary(
      'error',
      'Could not load the proof',
      'The node did not answer. Check your connection and reload.',
    );
    return;
  }
  if (response.status === 503 && attempt < MAX_RETRIES) {
    const seconds = Math.min(30, Math.max(1, Number(response.headers.get('retry-after')) || 2));
    setSummary(
      'waiting',
      'Almost there…',
      `This record is not yet sealed into the public log. Checking again in ${seconds} s.`,
    );
    setTimeout(() => void load(state, certificationId, logKey, attempt + 1), seconds * 1000);
    return;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const headline = response.status === 404 ? 'No such certification' : 'Could not load the proof';
    setSummary('error', headline, problemDetail(body) ?? `The node answered ${response.status}.`);
    return;
  }
  state.bundle = body;
  render(state, certificationId, logKey);
}

function startDocumentInput(state: PageState, certificationId: string, logKey: string): void {
  const input = byId<HTMLInputElement>('document');
  const drop = byId('drop');
  const status = byId('document-status');

  const take = async (file: File | undefined) => {
    if (file === undefined) return;
    status.textContent = `Computing the fingerprint of ${file.name}…`;
    const digest = await digestFile(file, (f) => {
      status.textContent = `Computing the fingerprint of ${file.name}… ${Math.round(f * 100)}%`;
    });
    state.documentDigest = digest;
    state.documentName = file.name;
    status.textContent = `${file.name}: SHA-256 ${digest}`;
    if (state.bundle !== undefined) render(state, certificationId, logKey);
  };

  input.addEventListener('change', () => void take(input.files?.[0]));
  // A file dropped anywhere else would make the browser open it and leave the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());
  drop.addEventListener('dragover', () => {
    drop.dataset['dragging'] = 'true';
  });
  drop.addEventListener('dragleave', () => {
    drop.dataset['dragging'] = 'false';
  });
  drop.addEventListener('drop', (event) => {
    drop.dataset['dragging'] = 'false';
    void take(event.dataTransfer?.files[0]);
  });
}

function main(): void {
  const certificationId = document.body.dataset['certificationId'] ?? '';
  const logKey = document.body.dataset['logKey'] ?? '';
  const authorityKeys = (document.body.dataset['authorityKeys'] ?? '').split(' ').filter((k) => k.length > 0);
  const state: PageState = { bundle: undefined, authorityKeys };
  const policyText = document.body.dataset['policy'] ?? '';
  if (policyText.length > 0) {
    try {
      const policy = parseTrustPolicy(policyText);
      // A policy without witnesses (quorum none) adds nothing to the log's own signature.
      if (policy.witnesses.length > 0) state.policy = policy;
    } catch {
      // An unreadable policy is ignored: the page still checks the log's signature.
    }
  }
  startDocumentInput(state, certificationId, logKey);
  void load(state, certificationId, logKey);
}

main();
