/**
 * The citizen page's script (bundled with esbuild, see ../proof-page-assets.ts).
 * It fetches the proof bundle from the same origin, verifies it here with
 * the same pure verifier as `chancery verify`, and hashes a dropped document
 * locally. No network access besides /v1/proofs/:id; the document never leaves
 * the device. It speaks the reader's language (../i18n), and says what the
 * result means for them (../presentation).
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseTrustPolicy, type TrustPolicy } from '../../../domain/federation/trust-policy.js';
import type { Ed25519Verify } from '../../../domain/log/ed25519-ports.js';
import type { LatestCheck } from '../../../domain/proof/latest-check.js';
import { type VerificationReport, verifyProofBundle } from '../../../domain/proof/verify-bundle.js';
import type { Language } from '../i18n/catalogue.js';
import { translator } from '../i18n/page-i18n.js';
import { withQuorumIn } from '../presentation/quorum-words.js';
import { renderFacts } from './facts-view.js';
import { checkLatest, renderLatest } from './latest-view.js';
import { onLanguageSwitch, readerLanguage, translateStatic } from './page-language.js';
import {
  byId,
  headlineFor,
  renderHeadline,
  renderSteps,
  renderWitnesses,
  type Speech,
  setSummary,
} from './verdict-view.js';

// RFC 8032 strict (zip215: false), like node:crypto on the server, so both accept exactly the same signatures.
const verify: Ed25519Verify = (publicKey, message, signature) => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

const HASH_CHUNK = 4 * 1024 * 1024;
const MAX_RETRIES = 30;

/** What the summary shows before or instead of a verdict: a message key and its parameters. */
interface Notice {
  readonly state: 'loading' | 'waiting' | 'error';
  readonly title: 'summary.loading' | 'summary.waiting' | 'summary.loadFailed' | 'summary.notFound';
  readonly detail:
    | 'summary.loadingDetail'
    | 'summary.waitingDetail'
    | 'summary.noAnswer'
    | 'summary.notFoundDetail'
    | 'summary.answered';
  readonly params?: Record<string, string | number>;
}

interface PageState {
  speech: Speech;
  certificationId: string;
  logKey: string;
  bundle: unknown;
  notice?: Notice;
  /** What the online comparison with the latest checkpoint found, once it answered. */
  latest?: LatestCheck;
  /** The node's trust policy, when it names witnesses: the checkpoint must meet its quorum. */
  policy?: TrustPolicy;
  authorityKeys: string[];
  documentDigest?: string;
  documentName?: string;
  /** The last document status line, as a message, so a language switch can re-say it. */
  documentStatus?: {
    key: 'document.hashing' | 'document.hashingProgress' | 'document.digest';
    params: Record<string, string | number>;
  };
}

function showNotice(state: PageState, notice: Notice): void {
  state.notice = notice;
  const { t } = state.speech;
  const tone = notice.state === 'error' ? 'bad' : notice.state === 'waiting' ? 'caution' : '';
  setSummary(notice.state, tone, '', t(notice.title), t(notice.detail, notice.params));
}

function verifyWith(state: PageState, bundle: unknown, now: number): VerificationReport {
  return verifyProofBundle(bundle, {
    verify,
    trustedLogKeys: [state.logKey],
    now,
    expectedCertificationId: state.certificationId,
    ...(state.authorityKeys.length === 0 ? {} : { authorityKeys: state.authorityKeys }),
    ...(state.policy === undefined ? {} : { policy: state.policy }),
    ...(state.documentDigest === undefined ? {} : { documentDigest: state.documentDigest }),
  });
}

function render(state: PageState): void {
  if (state.bundle === undefined) {
    if (state.notice !== undefined) showNotice(state, state.notice);
    return;
  }
  const now = Date.now();
  const verified = verifyWith(state, state.bundle, now);
  const report = withQuorumIn(verified, state.policy, state.speech.language);
  renderSteps(state.speech, report, state.bundle, now);
  renderWitnesses(state.speech, report.witnessing);
  renderFacts(state.speech, state.bundle);
  renderHeadline(state.speech, headlineFor(state.speech, report, state.bundle, now, state.documentName));
  if (state.latest !== undefined) renderLatest(state.speech, state.latest);
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

async function fetchBundle(state: PageState): Promise<Response | undefined> {
  try {
    // Relative to /p/ID, so a node mounted under a path prefix still answers.
    return await fetch(`../v1/proofs/${encodeURIComponent(state.certificationId)}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    showNotice(state, { state: 'error', title: 'summary.loadFailed', detail: 'summary.noAnswer' });
    return undefined;
  }
}

async function load(state: PageState, attempt = 0): Promise<void> {
  const response = await fetchBundle(state);
  if (response === undefined) return;
  if (response.status === 503 && attempt < MAX_RETRIES) {
    const seconds = Math.min(30, Math.max(1, Number(response.headers.get('retry-after')) || 2));
    showNotice(state, {
      state: 'waiting',
      title: 'summary.waiting',
      detail: 'summary.waitingDetail',
      params: { seconds },
    });
    setTimeout(() => void load(state, attempt + 1), seconds * 1000);
    return;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    showNotice(
      state,
      response.status === 404
        ? {
            state: 'error',
            title: 'summary.notFound',
            detail: 'summary.notFoundDetail',
            params: { id: state.certificationId },
          }
        : {
            state: 'error',
            title: 'summary.loadFailed',
            detail: 'summary.answered',
            params: { status: response.status },
          },
    );
    return;
  }
  state.notice = undefined;
  state.bundle = body;
  render(state);
  const latest = await checkLatest({
    bundle: body,
    certificationId: state.certificationId,
    logKey: state.logKey,
    verify,
    verifyBundle: (bundle) => verifyWith({ ...state, documentDigest: undefined }, bundle, Date.now()),
  });
  state.latest = latest;
  renderLatest(state.speech, latest);
}

function showDocumentStatus(state: PageState): void {
  const status = state.documentStatus;
  byId('document-status').textContent = status === undefined ? '' : state.speech.t(status.key, status.params);
}

function startDocumentInput(state: PageState): void {
  const input = byId<HTMLInputElement>('document');
  const drop = byId('drop');
  const take = async (file: File | undefined) => {
    if (file === undefined) return;
    state.documentStatus = { key: 'document.hashing', params: { name: file.name } };
    showDocumentStatus(state);
    const digest = await digestFile(file, (f) => {
      state.documentStatus = {
        key: 'document.hashingProgress',
        params: { name: file.name, percent: Math.round(f * 100) },
      };
      showDocumentStatus(state);
    });
    state.documentDigest = digest;
    state.documentName = file.name;
    state.documentStatus = { key: 'document.digest', params: { name: file.name, digest } };
    showDocumentStatus(state);
    if (state.bundle !== undefined) render(state);
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

function speak(state: PageState, language: Language): void {
  state.speech = { language, t: translator(language) };
  translateStatic(language, state.speech.t);
  showDocumentStatus(state);
  render(state);
}

function policyOf(text: string): TrustPolicy | undefined {
  if (text.length === 0) return undefined;
  try {
    const policy = parseTrustPolicy(text);
    // A policy without witnesses (quorum none) adds nothing to the log's own signature.
    return policy.witnesses.length > 0 ? policy : undefined;
  } catch {
    // An unreadable policy is ignored: the page still checks the log's signature.
    return undefined;
  }
}

function main(): void {
  const data = document.body.dataset;
  const language = readerLanguage();
  const policy = policyOf(data['policy'] ?? '');
  const state: PageState = {
    speech: { language, t: translator(language) },
    certificationId: data['certificationId'] ?? '',
    logKey: data['logKey'] ?? '',
    bundle: undefined,
    notice: { state: 'loading', title: 'summary.loading', detail: 'summary.loadingDetail' },
    authorityKeys: (data['authorityKeys'] ?? '').split(' ').filter((k) => k.length > 0),
    ...(policy === undefined ? {} : { policy }),
  };
  speak(state, language);
  onLanguageSwitch((chosen) => speak(state, chosen));
  startDocumentInput(state);
  void load(state);
}

main();
