import { formatNumber, formatRatio } from './stats.js';
import type { BenchRow } from './types.js';

/** Renders rows as a plain-text table; ratios are value / baseline, both from this run. */
export function renderTable(sections: readonly { name: string; rows: readonly BenchRow[] }[]): string {
  const header = ['benchmark', 'metric', 'value', 'unit', 'vs baseline (same run)'];
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const { name, rows } of sections) {
    for (const row of rows) {
      const ratios = (row.baselines ?? [])
        .map((b) => `${formatRatio(row.value / b.value)} ${b.label} (${formatNumber(b.value)})`)
        .join('; ');
      lines.push([name, row.metric, formatNumber(row.value), row.unit, ratios || '—']);
      notes.push(row.note ?? '');
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = new Set([2]);
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [pad(header), widths.map((w) => '─'.repeat(w)).join('  ')];
  lines.forEach((l, i) => {
    out.push(pad(l));
    if (notes[i]) out.push(`${' '.repeat(widths[0]! + 2)}  ↳ ${notes[i]}`);
  });
  return out.join('\n');
}
