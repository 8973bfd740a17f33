/** Time series with uPlot (served by this node): one chart per element, redrawn with new data. */

import uPlot from 'uplot';

const charts = new WeakMap<HTMLElement, { chart: uPlot; key: string }>();

export function lineChart(
  host: HTMLElement,
  title: string,
  labels: readonly string[],
  /** x values, then one series per label; null is a gap. */
  data: readonly (readonly (number | null)[])[],
): void {
  const width = Math.max(260, Math.min(host.clientWidth || 600, 900));
  // Same title and series: new data into the chart; otherwise (a key came or went) a new chart.
  const key = JSON.stringify([title, labels]);
  const existing = charts.get(host);
  if (existing !== undefined && existing.key === key) {
    existing.chart.setSize({ width, height: 200 });
    existing.chart.setData(data as uPlot.AlignedData);
    return;
  }
  existing?.chart.destroy();
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
  charts.set(host, { chart, key });
}
