/**
 * The page's headline: what the verification report means for the person
 * holding the record, said plainly, with a colour, an icon and what to do
 * next. It must never say the opposite of the truth: a genuine record that
 * is only waiting for witnesses is not "not verified" like a forgery, a
 * revoked record is "revoked" (with when, by whom and why), and a wrong file
 * is "not the certified document" rather than a failed check.
 *
 * Pure: the caller gives the time and how to format dates and step names.
 */
import type { VerificationReport, VerificationStepId } from '../../../domain/proof/verify-bundle.js';
import type { Message, MessageKey } from '../i18n/catalogue.js';
import { type BundleFacts, bundleFacts, validityProblem } from './bundle-facts.js';

export type CitizenVerdict =
  | 'verified'
  | 'limited'
  | 'pending'
  | 'revoked'
  | 'suspended'
  | 'expired'
  | 'not-yet-valid'
  | 'stale'
  | 'wrong-document'
  | 'do-not-trust';

/** good: rely on it; caution: genuine, but not (yet) to be relied on; bad: do not accept it. */
export type Tone = 'good' | 'caution' | 'bad';

export interface CitizenHeadline {
  readonly verdict: CitizenVerdict;
  readonly tone: Tone;
  /** A symbol beside the title; the title says the same in words. */
  readonly icon: string;
  readonly title: Message;
  readonly detail: readonly Message[];
  readonly next: Message;
}

export interface HeadlineInput {
  readonly report: VerificationReport;
  /** The bundle the report is about, for the facts the headline names. */
  readonly bundle: unknown;
  /** Milliseconds since the epoch: the time the validity was judged at. */
  readonly now: number;
  /** The name of the file the reader dropped, when they did. */
  readonly documentName?: string;
}

export interface HeadlineFormat {
  /** An RFC 3339 time (or seconds since the epoch) in the reader's locale and zone. */
  readonly date: (value: string | number) => string;
  /** The steps' names in the reader's language, as one list. */
  readonly steps: (ids: readonly VerificationStepId[]) => string;
}

const LOOK: Readonly<Record<CitizenVerdict, { tone: Tone; icon: string; messages: string }>> = {
  verified: { tone: 'good', icon: '✓', messages: 'verified' },
  limited: { tone: 'caution', icon: '!', messages: 'limited' },
  pending: { tone: 'caution', icon: '◔', messages: 'pending' },
  revoked: { tone: 'bad', icon: '⊘', messages: 'revoked' },
  suspended: { tone: 'bad', icon: '‖', messages: 'suspended' },
  expired: { tone: 'bad', icon: '⌛', messages: 'expired' },
  'not-yet-valid': { tone: 'caution', icon: '◷', messages: 'notYetValid' },
  stale: { tone: 'caution', icon: '◔', messages: 'stale' },
  'wrong-document': { tone: 'bad', icon: '≠', messages: 'wrongDocument' },
  'do-not-trust': { tone: 'bad', icon: '✗', messages: 'doNotTrust' },
};

/**
 * Whether only the witnesses' quorum failed at the checkpoint: the report names the witnesses only once the
 * log's own signature and the tree size checked out (policy-checkpoint-step.ts).
 */
export function onlyQuorumShort(report: VerificationReport): boolean {
  return report.witnessing !== undefined && !report.witnessing.quorumMet;
}

/** A failed step that leaves the record authentic: the reader is told what it is instead of "do not trust". */
function explainedFailure(id: VerificationStepId, input: HeadlineInput, facts: BundleFacts): boolean {
  const { report } = input;
  switch (id) {
    case 'checkpoint':
      return onlyQuorumShort(report);
    case 'status':
      // The state is set only once its map proof and the entry that set it checked out (status-v2-step.ts).
      return report.state?.status === 'revoked' || report.state?.status === 'suspended';
    case 'validity':
      return validityProblem(facts, input.now) !== 'unreadable';
    case 'document':
    case 'freshness':
      return true;
    default:
      return false;
  }
}

export function verdictOf(
  input: HeadlineInput,
  facts: BundleFacts = bundleFacts(input.bundle),
): CitizenVerdict {
  const { report } = input;
  const failed = report.steps.filter((s) => !s.ok).map((s) => s.id);
  if (report.version === undefined || !failed.every((id) => explainedFailure(id, input, facts))) {
    return 'do-not-trust';
  }
  if (failed.includes('document')) return 'wrong-document';
  if (failed.includes('status')) return report.state?.status === 'revoked' ? 'revoked' : 'suspended';
  if (failed.includes('validity')) {
    return validityProblem(facts, input.now) === 'not-yet-valid' ? 'not-yet-valid' : 'expired';
  }
  if (failed.includes('checkpoint')) return 'pending';
  if (failed.includes('freshness')) return 'stale';
  return report.version === 1 ? 'limited' : 'verified';
}

function key(verdict: CitizenVerdict, part: string): MessageKey {
  return `headline.${LOOK[verdict].messages}.${part}` as MessageKey;
}

function statusDetail(
  verdict: 'revoked' | 'suspended',
  input: HeadlineInput,
  facts: BundleFacts,
  format: HeadlineFormat,
): Message {
  const change = facts.statusChange;
  if (change === undefined)
    return { key: key(verdict, 'detailUnknown'), params: { entry: input.report.state?.setAt ?? '?' } };
  return {
    key: key(verdict, 'detail'),
    params: { by: change.by, date: format.date(change.at), reason: change.reason },
  };
}

function verifiedDetail(input: HeadlineInput, issuer: string, format: HeadlineFormat): Message[] {
  const { report } = input;
  const witnessed = report.witnessing !== undefined && report.witnessing.cosigners.length > 0;
  const detail: Message[] = [
    {
      key: witnessed ? 'headline.verified.detail' : 'headline.verified.detailNoWitnesses',
      params: { issuer },
    },
  ];
  if (report.steps.some((s) => s.id === 'document' && s.ok))
    detail.push({ key: 'headline.verified.documentMatches' });
  const asOf = report.state?.asOf ?? null;
  if (asOf !== null)
    detail.push({ key: 'headline.verified.asOf', params: { asOf: format.date(asOf * 1000) } });
  return detail;
}

function detailOf(
  verdict: CitizenVerdict,
  input: HeadlineInput,
  facts: BundleFacts,
  format: HeadlineFormat,
): Message[] {
  const { report } = input;
  const issuer = facts.issuer ?? '?';
  switch (verdict) {
    case 'verified':
      return verifiedDetail(input, issuer, format);
    case 'pending': {
      const w = report.witnessing;
      const cosigned = w?.cosigners.filter((c) => c.cosigned).length ?? 0;
      return [
        {
          key: key(verdict, 'detail'),
          params: { issuer, cosigned, total: w?.cosigners.length ?? 0, rule: w?.quorum ?? '' },
        },
      ];
    }
    case 'revoked':
    case 'suspended':
      return [statusDetail(verdict, input, facts, format)];
    case 'expired':
      return [
        {
          key: key(verdict, 'detail'),
          params: { until: facts.validUntil ? format.date(facts.validUntil) : '?' },
        },
      ];
    case 'not-yet-valid':
      return [
        {
          key: key(verdict, 'detail'),
          params: { from: facts.validFrom ? format.date(facts.validFrom) : '?' },
        },
      ];
    case 'stale': {
      const asOf = report.state?.asOf ?? report.witnessing?.asOf ?? null;
      return [
        asOf === null
          ? { key: key(verdict, 'detailUnknown') }
          : { key: key(verdict, 'detail'), params: { asOf: format.date(asOf * 1000) } },
      ];
    }
    case 'wrong-document':
      return [{ key: key(verdict, 'detail'), params: { issuer, name: input.documentName ?? '?' } }];
    case 'do-not-trust': {
      const failed = report.steps.filter((s) => !s.ok).map((s) => s.id);
      return [{ key: key(verdict, 'detail'), params: { steps: format.steps(failed) } }];
    }
    default:
      return [{ key: key(verdict, 'detail'), params: { issuer } }];
  }
}

export function citizenHeadline(input: HeadlineInput, format: HeadlineFormat): CitizenHeadline {
  const facts = bundleFacts(input.bundle);
  const verdict = verdictOf(input, facts);
  const { tone, icon } = LOOK[verdict];
  return {
    verdict,
    tone,
    icon,
    title: { key: key(verdict, 'title') },
    detail: detailOf(verdict, input, facts, format),
    next: { key: key(verdict, 'next') },
  };
}
