/** Network: the primary and every witness the trust policy names, up or down, with history on click. */

import type { OperationsStatus, WitnessHealth } from '../../../protocol/operations-status.js';
import type { Snapshot } from './console-data.js';
import { el, section, table } from './dom.js';

export interface NodeHistory {
  readonly at: string;
  readonly state: string;
}

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

export function networkView(
  snap: Snapshot,
  histories: ReadonlyMap<string, readonly NodeHistory[]>,
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
  const history = selected === null ? [] : [...(histories.get(selected) ?? [])].reverse();
  return el(
    'div',
    {},
    section('Network', graph),
    selected === null
      ? null
      : section(
          `History of ${selected}`,
          table(
            ['time', 'state'],
            history.map((h) => [h.at, h.state]),
            `history of ${selected}`,
          ),
        ),
  );
}
