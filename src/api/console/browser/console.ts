/**
 * The operator console (bundled with esbuild, see ../console-assets.ts). Read-only,
 * public log data only, everything from this node. Live: it polls the node every
 * POLL_MS and redraws the current view; the alert banner is an ARIA live region.
 */

import type { NodeHistoryView } from '../../../protocol/node-history.js';
import type { OpenAlert } from '../../../protocol/operations-status.js';
import { lineChart } from './charts.js';
import { EntryCache, type Snapshot, snapshot } from './console-data.js';
import { el } from './dom.js';
import { CertificationSeriesPanel } from './view-cert-series.js';
import { directoryView } from './view-directory.js';
import { logView } from './view-log.js';
import { networkView } from './view-network.js';
import { type IdentityView, registryView } from './view-registry.js';

const POLL_MS = 2000;
const SERIES_POINTS = 300;
const VIEWS = ['network', 'log', 'registry', 'directory'] as const;
type View = (typeof VIEWS)[number];

const state = {
  last: null as Snapshot | null,
  entries: new EntryCache(),
  identities: [] as IdentityView[],
  series: { t: [] as number[], size: [] as number[], writes: [] as number[] },
  /** The node's own sampled history of every node it knows (/v1/operations/history), read while one is selected. */
  history: null as NodeHistoryView | null,
  selected: null as string | null,
  certSeries: new CertificationSeriesPanel(),
  historyChart: el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'history of the selected node: log size and lag over time',
  }),
  chartHost: el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': 'log size and writes per second over time',
  }),
};

function currentView(): View {
  const hash = location.hash.replace('#', '');
  return (VIEWS as readonly string[]).includes(hash) ? (hash as View) : 'network';
}

async function loadHistory(): Promise<void> {
  if (state.selected === null) return;
  const response = await fetch('/v1/operations/history', { headers: { accept: 'application/json' } });
  if (response.ok) state.history = (await response.json()) as NodeHistoryView;
}

function record(snap: Snapshot): void {
  const ops = snap.operations;
  const { series } = state;
  const t = snap.at / 1000;
  const prevT = series.t[series.t.length - 1];
  const prevSize = series.size[series.size.length - 1];
  series.writes.push(
    prevT === undefined || prevSize === undefined
      ? 0
      : (ops.log.sequencedSize - prevSize) / Math.max(0.001, t - prevT),
  );
  series.t.push(t);
  series.size.push(ops.log.sequencedSize);
  for (const s of [series.t, series.size, series.writes]) if (s.length > SERIES_POINTS) s.shift();
}

function alertBanner(alerts: readonly OpenAlert[]): HTMLElement {
  if (alerts.length === 0) return el('p', { class: 'ok' }, 'No open alerts');
  return el(
    'ul',
    {},
    ...alerts.map((a) =>
      el(
        'li',
        { class: `alert ${a.severity}`, 'data-alert': a.id },
        `${a.severity.toUpperCase()} ${a.kind}${a.subject === null ? '' : ` ${a.subject}`}: ${a.detail}`,
      ),
    ),
  );
}

function render(): void {
  const snap = state.last;
  if (snap === null) return;
  const view = currentView();
  for (const a of Array.from(document.querySelectorAll('nav a')))
    a.setAttribute('aria-current', a.getAttribute('href') === `#${view}` ? 'page' : 'false');
  document.getElementById('alerts')!.replaceChildren(alertBanner(snap.operations.alerts));
  const main = document.getElementById('view')!;
  const entries = state.entries.entries;
  const selectedHistory = state.history?.nodes.find((n) => n.name === state.selected) ?? null;
  if (view === 'network')
    main.replaceChildren(
      networkView(snap, selectedHistory, state.historyChart, state.selected, (name) => {
        state.selected = name;
        void loadHistory().then(render, render);
      }),
    );
  if (view === 'log') main.replaceChildren(logView(snap, entries, state.chartHost));
  if (view === 'registry')
    main.replaceChildren(registryView(state.identities, entries), state.certSeries.view(render));
  if (view === 'registry') state.certSeries.draw();
  if (view === 'directory') main.replaceChildren(directoryView(entries));
  if (view === 'network' && selectedHistory !== null && selectedHistory.samples.t.length > 0) {
    const c = selectedHistory.samples;
    lineChart(
      state.historyChart,
      `${selectedHistory.name}: log size and lag`,
      ['log size', 'lag', 'cosigned lag'],
      [c.t, c.logSize, c.lag, c.cosignedLag],
    );
  }
  if (view === 'log')
    lineChart(
      state.chartHost,
      'Log size and writes/s',
      ['log size', 'writes/s'],
      [state.series.t, state.series.size, state.series.writes],
    );
  document.getElementById('updated')!.textContent =
    `live · updated ${new Date(snap.at).toLocaleTimeString()}`;
}

async function loadIdentities(): Promise<void> {
  const all: IdentityView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`/v1/identities?limit=100${query}`);
    if (!response.ok) break;
    const body = (await response.json()) as { items: IdentityView[]; nextCursor: string | null };
    all.push(...body.items);
    cursor = body.nextCursor;
    if (cursor === null) break;
  }
  state.identities = all;
}

async function poll(): Promise<void> {
  try {
    const snap = await snapshot();
    const arrived = await state.entries.extend(snap.operations.log.sequencedSize);
    if (arrived > 0 || state.identities.length === 0) await loadIdentities();
    state.last = snap;
    record(snap);
    await loadHistory();
    if (currentView() === 'registry') await state.certSeries.load();
    document.body.classList.remove('offline');
    render();
  } catch (error) {
    document.body.classList.add('offline');
    document.getElementById('updated')!.textContent = `node unreachable: ${(error as Error).message}`;
  } finally {
    setTimeout(() => void poll(), POLL_MS);
  }
}

window.addEventListener('hashchange', () => {
  render();
  if (currentView() === 'registry') void state.certSeries.load().then(render, render);
});
void poll();
