/** Time series with uPlot (served by this node): one chart per element, redrawn with new data. */

import uPlot from 'uplot';

const charts = new WeakMap<HTMLElement, uPlot>();

export function lineChart(
  host: HTMLElement,
  title: string,
  labels: readonly string[],
  /** x values, then one series per label; null is a gap. */
  data: readonly (readonly (number | null)[])[],
): void {
  const width = Math.max(260, Math.min(host.clientWidth || 600, 900));
  const existing = charts.get(host);
  if (existing !== undefined && existing.series.length === labels.length + 1) {
    existing.setSize({ width, height: 200 });
    existing.setData(data as uPlot.AlignedData);
    return;
  }
  existing?.destroy();
  const colors = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df'];
  const chart = new uPlot(
    {
      title,
      width,
      height: 200,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: colors[i % colors.length]!, width: 2 }))],
      axes: [{}, { size: 60 }],
    },
    data as uPlot.AlignedData,
    host,
  );
  charts.set(host, chart);
}
