/**
 * Network: the primary and every witness the trust policy names, up or down. A
 * click shows the node's history as the node itself sampled it
 * (/v1/operations/history), so a console opened now shows the last 24 hours.
 */

import type { NodeHistorySeries } from '../../../protocol/node-history.js';
import type { OperationsStatus, WitnessHealth } from '../../../protocol/operations-status.js';
import type { Snapshot } from './console-data.js';
import { el, section, table } from './dom.js';

/** Rows of the history table: the newest changes of state, size or lag. */
const HISTORY_ROWS = 50;

/** The replication lag of the mirror behind a witness, as the primary last learned it from the mirror. */
function mirrorLine(name: string, ops: OperationsStatus): HTMLElement | null {
  const m = ops.mirrors.find((x) => x.name === name);
  if (m === undefined) return null;
  const size = m.replicatedSize === null ? '-' : String(m.replicatedSize);
  return el(
    'span',
    { class: m.up ? 'mirror-lag' : 'mirror-lag error', 'data-mirror-lag': String(m.lagEntries ?? '') },
    `mirror · verified size ${size} · replication lag ${m.lagEntries ?? '-'}${m.up ? '' : ' · not answering'}`,
  );
}

function witnessCard(w: WitnessHealth, ops: OperationsStatus, selected: boolean): HTMLElement {
  const lag = w.cosignedSize === null ? '-' : String(Math.max(0, ops.log.sequencedSize - w.cosignedSize));
  return el(
    'button',
    {
      class: `node ${w.up ? 'up' : 'down'}`,
      'data-node': w.name,
      'aria-pressed': String(selected),
      'aria-label': `${w.name}: ${w.up ? 'up' : 'down'}`,
    },
    el('strong', {}, w.name),
    el('span', { class: 'state' }, w.up ? 'UP' : 'DOWN'),
    el('span', {}, `witness · cosigned size ${w.cosignedSize ?? '-'} · cosigned lag ${lag}`),
    mirrorLine(w.name, ops),
    el('span', {}, `last cosignature ${w.lastSuccessAt ?? 'none yet'}`),
    el('span', {}, `cosign latency ${w.lastLatencyMs === null ? '-' : `${Math.round(w.lastLatencyMs)} ms`}`),
    w.lastError === null ? null : el('span', { class: 'error' }, w.lastError),
  );
}

function primaryCard(ops: OperationsStatus, selected: boolean): HTMLElement {
  const ok = ops.ready && ops.alerts.every((a) => a.severity !== 'critical');
  return el(
    'button',
    {
      class: `node primary ${ok ? 'up' : 'down'}`,
      'data-node': ops.origin,
      'aria-pressed': String(selected),
    },
    el('strong', {}, `${ops.origin} (${ops.role})`),
    el('span', { class: 'state' }, ops.ready ? 'READY' : 'NOT READY'),
    el('span', {}, `log size ${ops.log.sequencedSize} · checkpoint ${ops.finality.checkpointTreeSize}`),
    el(
      'span',
      {},
      `finality ${ops.finality.state}${ops.finality.quorum === null ? '' : ` · quorum ${ops.finality.quorum}`}`,
    ),
    ops.mirror === null
      ? null
      : el(
          'span',
          {},
          `mirror lag ${ops.mirror.lagEntries ?? '-'}${ops.mirror.halted === null ? '' : ' · HALTED'}`,
        ),
  );
}

const show = (v: number | null | undefined, unit = '') =>
  v === null || v === undefined ? '-' : `${v}${unit}`;
const time = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? '-' : new Date(seconds * 1000).toISOString();

/** Samples where the node's state, size or lags changed (and the newest), newest first. */
function historyRows(series: NodeHistorySeries): string[][] {
  const c = series.samples;
  const rows: string[][] = [];
  const key = (i: number) => `${c.up[i]} ${c.logSize[i]} ${c.lag[i]} ${c.cosignedLag[i]}`;
  for (let i = c.t.length - 1; i >= 0 && rows.length < HISTORY_ROWS; i--) {
    if (i !== c.t.length - 1 && i > 0 && key(i) === key(i - 1)) continue;
    rows.push([
      time(c.t[i]),
      c.up[i] === 1 ? 'UP' : c.up[i] === 0 ? 'DOWN' : '-',
      show(c.logSize[i]),
      show(c.lag[i]),
      show(c.cosignedLag[i]),
      time(c.lastCosignatureAt[i]),
      show(c.cosignLatencyMs[i] === null ? null : Math.round(c.cosignLatencyMs[i]!), ' ms'),
    ]);
  }
  return rows;
}

function historySection(name: string, series: NodeHistorySeries | null, chartHost: HTMLElement): HTMLElement {
  if (series === null || series.samples.t.length === 0)
    return section(`History of ${name}`, el('p', {}, 'No samples yet: the node samples every minute.'));
  const since = time(series.samples.t[0]);
  return section(
    `History of ${name}`,
    el('p', {}, `${series.samples.t.length} samples since ${since}, kept by the node (${series.role})`),
    chartHost,
    table(
      ['time', 'state', 'log size', 'lag', 'cosigned lag', 'last cosignature', 'cosign latency'],
      historyRows(series),
      `history of ${name}`,
    ),
  );
}

export function networkView(
  snap: Snapshot,
  history: NodeHistorySeries | null,
  chartHost: HTMLElement,
  selected: string | null,
  select: (name: string) => void,
): HTMLElement {
  const ops = snap.operations;
  const graph = el(
    'div',
    { class: 'graph', role: 'group', 'aria-label': 'nodes' },
    primaryCard(ops, selected === ops.origin),
    el('div', { class: 'witnesses' }, ...ops.witnesses.map((w) => witnessCard(w, ops, selected === w.name))),
  );
  graph.addEventListener('click', (event) => {
    const node = (event.target as HTMLElement).closest('[data-node]');
    if (node !== null) select(node.getAttribute('data-node')!);
  });
  return el(
    'div',
    {},
    section('Network', graph),
    selected === null ? null : historySection(selected, history, chartHost),
  );
}
