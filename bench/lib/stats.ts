/** Small numeric helpers shared by the benchmarks. */

/** Nearest-rank percentile (p in 0..100) of the first `count` values; NaN when empty. */
export function percentile(values: ArrayLike<number>, p: number, count = values.length): number {
  if (count === 0) return Number.NaN;
  const sorted = Float64Array.from({ length: count }, (_, i) => values[i]!).sort();
  const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
  return sorted[rank - 1]!;
}

/** Milliseconds since an arbitrary origin, monotonic. */
export function nowMs(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 5400.3 → "5,400"; small values keep a few significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return grouped.format(value);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

export function mib(bytes: number): number {
  return bytes / (1024 * 1024);
}
