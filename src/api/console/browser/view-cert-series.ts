/**
 * Registry: certifications over time by record type, issuer and status
 * change, from the node's /v1/operations/certifications (counted from its
 * read model, each dimension cut to its top keys plus "(other)"), one uPlot
 * chart per dimension with its totals as a table beside it.
 */

import type { BucketName, CertificationSeries, CountSeries } from '../../../protocol/certification-series.js';
import { lineChart } from './charts.js';
import { el, section, table } from './dom.js';

const DIMENSIONS = [
  ['byType', 'by record type'],
  ['byIssuer', 'by issuer'],
  ['byStatus', 'by status change'],
] as const;

/** Buckets per width: two days of hours, an hour of minutes, a month of days. */
const WINDOW: Record<BucketName, number> = { hour: 48, minute: 60, day: 30 };
/** The count is a SQL scan of the read model: asked at most this often, not on every 2 s poll. */
const REFRESH_MS = 10_000;

export class CertificationSeriesPanel {
  series: CertificationSeries | null = null;
  bucket: BucketName = 'hour';
  private fetchedAt = 0;
  private readonly hosts = new Map(
    DIMENSIONS.map(([dim, label]) => [
      dim,
      el('div', { class: 'chart', role: 'img', 'aria-label': `certifications ${label} over time` }),
    ]),
  );

  async load(force = false): Promise<void> {
    if (!force && Date.now() - this.fetchedAt < REFRESH_MS) return;
    const query = `bucket=${this.bucket}&buckets=${WINDOW[this.bucket]}&top=5`;
    const response = await fetch(`/v1/operations/certifications?${query}`, {
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return;
    this.series = (await response.json()) as CertificationSeries;
    this.fetchedAt = Date.now();
  }

  view(changed: () => void): HTMLElement {
    const picker = el(
      'select',
      { 'aria-label': 'bucket width', id: 'cert-bucket' },
      ...(['minute', 'hour', 'day'] as const).map((b) =>
        el('option', b === this.bucket ? { value: b, selected: '' } : { value: b }, `per ${b}`),
      ),
    );
    picker.addEventListener('change', () => {
      this.bucket = picker.value as BucketName;
      void this.load(true).then(changed, changed);
    });
    const s = this.series;
    return section(
      'Certifications over time',
      el('label', {}, 'Buckets ', picker),
      ...DIMENSIONS.map(([dim, label]) =>
        el(
          'div',
          { class: 'series', 'data-dimension': dim },
          el('h3', {}, `Certifications ${label}`),
          this.hosts.get(dim)!,
          table(
            ['key', 'total'],
            (s?.[dim] ?? []).map((c) => [c.key, String(c.total)]),
            `certifications ${label}`,
          ),
        ),
      ),
    );
  }

  /** Draws the charts; call once the view is in the document (uPlot measures its host). */
  draw(): void {
    const s = this.series;
    if (s === null) return;
    for (const [dim, label] of DIMENSIONS) {
      const list: readonly CountSeries[] = s[dim];
      if (list.length === 0) continue;
      lineChart(
        this.hosts.get(dim)!,
        `Certifications ${label} per ${s.bucket}`,
        list.map((c) => c.key),
        [s.buckets, ...list.map((c) => c.counts)],
      );
    }
  }
}
