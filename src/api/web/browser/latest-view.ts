/**
 * Online, after the verdict: the bundle shown is compared with the log's
 * latest checkpoint (a consistency proof) and the latest bundle's proven
 * state (domain/proof/latest-check.ts). A proxy serving an old bundle after
 * a revocation is caught here; so is a log showing two histories. Only
 * same-origin requests, like the rest of the page.
 */
import type { Ed25519Verify } from '../../../domain/log/ed25519-ports.js';
import { checkAgainstLatest, type LatestCheck } from '../../../domain/proof/latest-check.js';
import type { VerificationReport } from '../../../domain/proof/verify-bundle.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { byId, type Speech, setSummary } from './verdict-view.js';

async function fetchText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { cache: 'no-store' });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

export interface LatestSources {
  readonly bundle: unknown;
  readonly certificationId: string;
  readonly logKey: string;
  readonly verify: Ed25519Verify;
  /** The page's own verification of a bundle (same options as the verdict shown). */
  readonly verifyBundle: (bundle: unknown) => VerificationReport;
}

/** Compares the bundle shown with the latest checkpoint and the latest bundle. */
export async function checkLatest(sources: LatestSources): Promise<LatestCheck> {
  const bundle = sources.bundle as { treeSize?: unknown; checkpoint?: unknown };
  const latestNote = await fetchText('../v1/log/checkpoint');
  if (latestNote === null || typeof bundle.checkpoint !== 'string' || typeof bundle.treeSize !== 'number')
    return { kind: 'unknown' };
  const size = /^[^\n]*\n(\d{1,16})\n/.exec(latestNote)?.[1];
  const grown = size !== undefined && Number(size) > bundle.treeSize;
  const consistency = grown
    ? await fetchText(`../v1/log/consistency?from=${bundle.treeSize}&to=${size}`)
    : null;
  const again = grown ? await fetchText(`../v1/proofs/${encodeURIComponent(sources.certificationId)}`) : null;
  let proof: unknown = [];
  let latestBundle: unknown;
  try {
    proof = consistency === null ? [] : (JSON.parse(consistency) as { proof: unknown }).proof;
    latestBundle = again === null ? undefined : JSON.parse(again);
  } catch {
    return { kind: 'unknown' };
  }
  return checkAgainstLatest({
    bundleCheckpoint: bundle.checkpoint,
    report: sources.verifyBundle(sources.bundle),
    latestNote,
    consistencyProof: Array.isArray(proof) ? (proof as string[]) : [],
    ...(latestBundle === undefined ? {} : { latestReport: sources.verifyBundle(latestBundle) }),
    trustedLogKeys: [sources.logKey],
    verify: sources.verify,
  });
}

const WORDS: Readonly<Record<LatestCheck['kind'], MessageKey>> = {
  current: 'latest.current',
  'same-state': 'latest.sameState',
  changed: 'latest.changed',
  'split-view': 'latest.splitView',
  unknown: 'latest.unknown',
};

/** Says what the online check found; an out-of-date or split-view result overrides the headline. */
export function renderLatest(speech: Speech, check: LatestCheck): void {
  const { t } = speech;
  const node = byId('latest-check');
  node.hidden = false;
  node.dataset['kind'] = check.kind;
  const status = check.latestStatus === undefined ? '?' : t(`record.statusValue.${check.latestStatus}`);
  node.textContent = t(WORDS[check.kind], { status });
  if (check.kind === 'changed') {
    setSummary('out-of-date', 'bad', '!', t('latest.outOfDate'), node.textContent, t('latest.outOfDateNext'));
  } else if (check.kind === 'split-view') {
    setSummary(
      'do-not-trust',
      'bad',
      '✗',
      t('headline.doNotTrust.title'),
      node.textContent,
      t('headline.doNotTrust.next'),
    );
  }
}
