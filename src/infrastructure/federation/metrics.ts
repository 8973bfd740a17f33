/**
 * A minimal Prometheus text exposition (format 0.0.4) for GET /metrics:
 * gauges and counters read at scrape time from whoever owns the number, and
 * one latency histogram the witness submitter feeds. No client library: the
 * format is a few lines of text, and scraping must not cost a dependency.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly read: () => readonly Sample[];
}

/** Cosign latencies from ~1 ms to a minute: witnesses on a LAN answer in milliseconds, a slow one in seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

export class Histogram {
  private readonly counts = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS_SECONDS) {}

  observe(value: number, labels: Labels = {}): void {
    const key = JSON.stringify(labels);
    let series = this.counts.get(key);
    if (series === undefined) {
      series = { labels, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.counts.set(key, series);
    }
    this.bounds.forEach((bound, i) => {
      if (value <= bound) series.buckets[i]!++;
    });
    series.sum += value;
    series.count++;
  }

  /** Samples in exposition order: buckets (cumulative), +Inf, sum, count. Names get suffixes. */
  samples(): { suffix: string; labels: Labels; value: number }[] {
    const out: { suffix: string; labels: Labels; value: number }[] = [];
    for (const series of this.counts.values()) {
      this.bounds.forEach((bound, i) => {
        out.push({
          suffix: '_bucket',
          labels: { ...series.labels, le: String(bound) },
          value: series.buckets[i]!,
        });
      });
      out.push({ suffix: '_bucket', labels: { ...series.labels, le: '+Inf' }, value: series.count });
      out.push({ suffix: '_sum', labels: series.labels, value: series.sum });
      out.push({ suffix: '_count', labels: series.labels, value: series.count });
    }
    return out;
  }
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly histograms: { name: string; help: string; histogram: Histogram }[] = [];

  gauge(name: string, help: string, read: () => number | readonly Sample[]): void {
    this.families.push({ name, help, type: 'gauge', read: () => samplesOf(read()) });
  }

  counter(name: string, help: string, read: () => number | readonly Sample[]): void {
    this.families.push({ name, help, type: 'counter', read: () => samplesOf(read()) });
  }

  histogram(name: string, help: string, bounds?: readonly number[]): Histogram {
    const histogram = new Histogram(bounds);
    this.histograms.push({ name, help, histogram });
    return histogram;
  }

  /** The exposition text. A family whose reader throws is skipped rather than failing the scrape. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.families) {
      let samples: readonly Sample[];
      try {
        samples = family.read();
      } catch {
        continue;
      }
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
      for (const s of samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
    for (const { name, help, histogram } of this.histograms) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const s of histogram.samples())
        lines.push(`${name}${s.suffix}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function samplesOf(value: number | readonly Sample[]): readonly Sample[] {
  return typeof value === 'number' ? [{ value }] : value;
}
