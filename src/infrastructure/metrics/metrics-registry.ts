/**
 * The node's metrics, on prom-client (the Prometheus project's Node client):
 * one Registry per node instance, never the library's global default, so
 * several nodes in one process (the tests start many) keep apart series.
 *
 * Most numbers already live with whoever owns them (the sequencer knows the
 * log size, the submitter each witness): they are read at scrape time through
 * `gauge`/`counter` readers. Events that happen once (a request, an append)
 * are counted or observed as they happen through `counterVec`/`histogram`.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram as PromHistogram, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

/** What a part that times things needs: one observation, optionally labelled. */
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

/** What a part that counts things needs. */
export interface CounterVec {
  inc(labels: Labels, value?: number): void;
}

/** Latencies from ~1 ms to a minute: witnesses and stores on a LAN answer in milliseconds, a slow one in seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/** Group-commit batch sizes: one append alone up to the store's queue bound. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000] as const;

type Reader = () => number | readonly Sample[];

function samplesOf(value: number | readonly Sample[]): readonly Sample[] {
  return typeof value === 'number' ? [{ value }] : value;
}

export class MetricsRegistry {
  readonly registry = new Registry();

  /** Process metrics (CPU, memory, handles, GC) and event-loop lag, prefixed as prom-client names them. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  gauge(name: string, help: string, read: Reader, labelNames: readonly string[] = []): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        fill(this, read, (labels, value) => this.set(labels, value));
      },
    });
  }

  /** A gauge read from something asynchronous (the store); the reader must settle quickly and never throw. */
  gaugeAsync(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** A counter whose total someone else keeps (read at scrape time, never decreasing by contract). */
  counter(name: string, help: string, read: Reader, labelNames: readonly string[] = []): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        fill(this, read, (labels, value) => this.inc(labels, value));
      },
    });
  }

  counterVec(name: string, help: string, labelNames: readonly string[]): CounterVec {
    const counter = new Counter({ name, help, labelNames, registers: [this.registry] });
    return { inc: (labels, value = 1) => counter.inc(labels, value) };
  }

  histogram(
    name: string,
    help: string,
    options: { labelNames?: readonly string[]; buckets?: readonly number[] } = {},
  ): Histogram {
    const histogram = new PromHistogram({
      name,
      help,
      labelNames: options.labelNames ?? [],
      buckets: [...(options.buckets ?? LATENCY_BUCKETS_SECONDS)],
      registers: [this.registry],
    });
    return { observe: (value, labels = {}) => histogram.observe(labels, value) };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Replaces a metric's samples with what the reader says now; a reader that throws leaves it empty. */
function fill(
  metric: { reset(): void },
  read: Reader,
  put: (labels: Record<string, string>, value: number) => void,
): void {
  metric.reset();
  let samples: readonly Sample[];
  try {
    samples = samplesOf(read());
  } catch {
    return;
  }
  for (const s of samples) put({ ...s.labels }, s.value);
}
