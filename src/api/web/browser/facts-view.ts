/**
 * "What the proof says": the record's details as the bundle gives them, in
 * the reader's language, dates in their locale and zone. The values are the
 * bundle's; the steps above say which of them were proven.
 */
import type { MessageKey } from '../i18n/catalogue.js';
import { byId, el, type Speech, when } from './verdict-view.js';

type Loose = Record<string, unknown>;

interface BundleView {
  certificationId?: unknown;
  entry?: { data?: Loose };
  status?: { status?: unknown };
  state?: { certification?: { value?: { status?: unknown } | null } };
  batch?: { recordDigest?: unknown; index?: unknown; count?: unknown } | null;
}

function field(data: Loose, name: string): string | undefined {
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
}

const STATUS_KEYS: Readonly<Record<string, MessageKey>> = {
  active: 'record.statusValue.active',
  suspended: 'record.statusValue.suspended',
  revoked: 'record.statusValue.revoked',
};

/** The record's status as the bundle states it (version 1 field, or the version 2 state map value). */
function statusOf(speech: Speech, b: BundleView): string | undefined {
  const raw = b.status?.status ?? b.state?.certification?.value?.status;
  if (typeof raw !== 'string') return undefined;
  const key = STATUS_KEYS[raw];
  return key === undefined ? raw : speech.t(key);
}

function batchOf(b: BundleView): BundleView['batch'] | undefined {
  return b.batch !== null && typeof b.batch === 'object' ? b.batch : undefined;
}

function rowsOf(speech: Speech, b: BundleView, data: Loose): [MessageKey | string, string | undefined][] {
  const { t } = speech;
  const batch = batchOf(b);
  const date = (name: string) => {
    const value = field(data, name);
    return value === undefined ? undefined : when(speech, value);
  };
  const inBatch =
    batch !== undefined && typeof batch?.index === 'number' && typeof batch.count === 'number'
      ? t('record.inBatchValue', {
          index: batch.index + 1,
          count: batch.count,
          batch: field(data, 'batchId') ?? t('record.aBatch'),
        })
      : undefined;
  const digest =
    batch === undefined
      ? field(data, 'recordDigest')
      : typeof batch?.recordDigest === 'string'
        ? batch.recordDigest
        : undefined;
  const id =
    batch === undefined
      ? field(data, 'certificationId')
      : typeof b.certificationId === 'string'
        ? b.certificationId
        : undefined;
  return [
    ['record.recordType', field(data, 'recordType')],
    ['record.issuedBy', field(data, 'issuerId')],
    ['record.certifiedOn', date('certifiedAt')],
    ['record.validFrom', date('validFrom')],
    ['record.validUntil', data['validUntil'] === null ? t('record.noEndDate') : date('validUntil')],
    ['record.status', statusOf(speech, b)],
    ['record.fingerprint', digest],
    ['record.certification', id],
    ['record.inBatch', inBatch],
  ];
}

export function renderFacts(speech: Speech, bundle: unknown): void {
  const facts = byId('record');
  const b = (bundle ?? {}) as BundleView;
  const data = b.entry?.data;
  if (data === undefined || data === null || typeof data !== 'object') {
    facts.replaceChildren();
    return;
  }
  const rows: [string, string | undefined][] = rowsOf(speech, b, data).map(([key, value]) => [
    speech.t(key as MessageKey),
    value,
  ]);
  const metadata = data['metadata'];
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    // The department's own field names: shown as they are, they are not ours to translate.
    for (const [k, v] of Object.entries(metadata)) rows.push([k, String(v)]);
  }
  facts.replaceChildren(
    ...rows
      .filter((row): row is [string, string] => row[1] !== undefined)
      .flatMap(([label, value]) => [el('dt', {}, label), el('dd', { class: 'mono' }, value)]),
  );
}
