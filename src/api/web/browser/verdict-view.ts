/**
 * Draws the verdict in the reader's language: the headline (colour, icon,
 * what it means, what to do), each step with the text that matches its
 * result, and the witnesses. Text only (textContent): nothing from the
 * bundle is ever parsed as HTML.
 */
import type {
  VerificationReport,
  VerificationStepId,
  WitnessingSummary,
} from '../../../domain/proof/verify-bundle.js';
import type { Language, Message } from '../i18n/catalogue.js';
import { formatDateTime, type Translate } from '../i18n/page-i18n.js';
import { type CitizenHeadline, citizenHeadline } from '../presentation/citizen-headline.js';
import { explainStep } from '../presentation/step-explanation.js';
import { technicalDetail } from '../presentation/technical-detail.js';

export interface Speech {
  readonly language: Language;
  readonly t: Translate;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`page is missing #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function say(speech: Speech, message: Message): string {
  return speech.t(message.key, message.params);
}

/** A time in the reader's locale and time zone (the browser's own zone: no timeZone given). */
export function when(speech: Speech, value: string | number): string {
  return formatDateTime(value, speech.language);
}

/** The summary box: a state for the colour, a headline with its icon, what it means and what to do. */
export function setSummary(
  state: string,
  tone: string,
  icon: string,
  title: string,
  detail: string,
  next?: string,
): void {
  const summary = byId('summary');
  summary.dataset['state'] = state;
  summary.dataset['tone'] = tone;
  byId('summary-icon').textContent = icon;
  byId('summary-title').textContent = title;
  byId('summary-detail').textContent = detail;
  const nextBox = byId('summary-next');
  nextBox.hidden = next === undefined;
  byId('summary-next-text').textContent = next ?? '';
}

export function renderHeadline(speech: Speech, headline: CitizenHeadline): void {
  setSummary(
    headline.verdict,
    headline.tone,
    headline.icon,
    say(speech, headline.title),
    headline.detail.map((m) => say(speech, m)).join(' '),
    say(speech, headline.next),
  );
}

export function headlineFor(
  speech: Speech,
  report: VerificationReport,
  bundle: unknown,
  now: number,
  documentName: string | undefined,
): CitizenHeadline {
  const stepNames = (ids: readonly VerificationStepId[]) =>
    ids.map((id) => speech.t(`step.label.${id}`)).join(speech.language === 'zh-CN' ? '；' : '; ');
  return citizenHeadline(
    { report, bundle, now, ...(documentName === undefined ? {} : { documentName }) },
    { date: (value) => when(speech, value), steps: stepNames },
  );
}

export function renderSteps(speech: Speech, report: VerificationReport, bundle: unknown, now: number): void {
  byId('steps').replaceChildren(
    ...report.steps.map((step) => {
      const item = el('li', { class: 'step', 'data-step': step.id, 'data-ok': String(step.ok) });
      const label = el('p', { class: 'step-label' });
      // The mark is hidden from screen readers, so they hear the outcome in words instead.
      label.append(
        el('span', { class: 'visually-hidden' }, speech.t(step.ok ? 'step.passed' : 'step.failed')),
        speech.t(`step.label.${step.id}`),
      );
      const detail = el('p', { class: 'step-technical' });
      detail.append(
        el('span', { class: 'step-detail-label' }, `${speech.t('step.technical')}: `),
        technicalText(speech, step.detail),
      );
      item.append(
        el('span', { class: 'mark', 'aria-hidden': 'true' }, step.ok ? '✓' : '✗'),
        label,
        el('p', { class: 'step-explain' }, say(speech, explainStep(step, report, bundle, now))),
        detail,
      );
      return item;
    }),
  );
}

/**
 * The verifier's detail with the facts it checked, said in the reader's language when its shape is known;
 * otherwise as the verifier wrote it (English, like `chancery verify` prints it), marked so.
 */
function technicalText(speech: Speech, detail: string): HTMLSpanElement {
  const message = technicalDetail(detail);
  if (message === null) return el('span', { class: 'step-detail', lang: 'en' }, detail);
  return el('span', { class: 'step-detail' }, say(speech, message));
}

export function renderWitnesses(speech: Speech, witnessing: WitnessingSummary | undefined): void {
  const section = byId('witnesses-section');
  section.hidden = witnessing === undefined;
  if (witnessing === undefined) return;
  const cosigned = witnessing.cosigners.filter((c) => c.cosigned).length;
  const params = { cosigned, total: witnessing.cosigners.length, rule: witnessing.quorum };
  byId('quorum').textContent = speech.t(
    witnessing.quorumMet ? 'witnesses.quorumMet' : 'witnesses.quorumNotMet',
    params,
  );
  byId('witnesses').replaceChildren(
    ...witnessing.cosigners.map((c) => {
      const item = el('li', { 'data-cosigned': String(c.cosigned) });
      item.append(
        el('span', { class: 'mark', 'aria-hidden': 'true' }, c.cosigned ? '✓' : '–'),
        el(
          'span',
          { class: 'visually-hidden' },
          speech.t(c.cosigned ? 'witnesses.cosigned' : 'witnesses.notCosigned'),
        ),
        el('span', { class: 'mono' }, c.name),
        el(
          'span',
          { class: 'muted' },
          c.cosigned && c.timestamp !== null
            ? speech.t('witnesses.at', { time: when(speech, c.timestamp * 1000) })
            : speech.t('witnesses.none'),
        ),
      );
      return item;
    }),
  );
}
