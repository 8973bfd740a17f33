/** Log: size and writes over time, seal latency, checkpoints with cosigners, recent entries with links. */

import { actorOf, type Entry, type Snapshot, timeOf } from './console-data.js';
import { countBy, el, link, section, table } from './dom.js';

function entryLinks(entry: Entry, size: number): HTMLElement {
  const i = entry.leafIndex;
  const id =
    typeof entry.leaf.data['certificationId'] === 'string'
      ? (entry.leaf.data['certificationId'] as string)
      : null;
  return el(
    'span',
    { class: 'links' },
    link(`/v1/log/entries?start=${i}&end=${i + 1}`, 'entry'),
    ' ',
    size > i ? link(`/v1/log/proofs/inclusion?index=${i}`, 'proof') : null,
    ' ',
    id === null ? null : link(`/p/${encodeURIComponent(id)}`, 'citizen page'),
  );
}

export function logView(snap: Snapshot, entries: readonly Entry[], charts: HTMLElement): HTMLElement {
  const { log, finality } = snap.operations;
  const cp = snap.federation.checkpoint;
  const recent = entries.slice(-25).reverse();
  const seal = log.sealLatencyMs;
  return el(
    'div',
    {},
    section(
      'Log',
      el(
        'dl',
        { class: 'facts' },
        ...fact('size', String(log.sequencedSize)),
        ...fact('checkpoint', `${finality.checkpointTreeSize} (final ${finality.finalTreeSize})`),
        ...fact('checkpoint age', `${Math.round(log.checkpointAgeSeconds)} s`),
        ...fact('unsealed leaves', String(log.unsealedLeaves)),
        ...fact('seal latency', seal === null ? '-' : `p50 ${seal.p50} ms · p99 ${seal.p99} ms`),
      ),
      charts,
    ),
    section(
      'Latest checkpoint and its cosigners',
      cp === null
        ? el('p', {}, 'no checkpoint yet')
        : table(
            ['witness', 'cosigned', 'time'],
            cp.cosigners.map((c) => [
              c.name,
              c.cosigned ? 'yes' : 'no',
              c.timestamp === null ? '-' : new Date(c.timestamp * 1000).toISOString(),
            ]),
            'cosigners',
          ),
    ),
    section(
      'Writes by type',
      table(
        ['type', 'entries'],
        countBy(entries, (e) => e.leaf.type).map(([t, n]) => [t, String(n)]),
        'writes by type',
      ),
    ),
    section(
      'Recent entries',
      table(
        ['#', 'type', 'stream', 'signer', 'time', 'links'],
        recent.map((e) => [
          String(e.leafIndex),
          e.leaf.type,
          e.leaf.stream,
          actorOf(e),
          timeOf(e),
          entryLinks(e, finality.checkpointTreeSize),
        ]),
        'recent entries',
      ),
    ),
  );
}

function fact(term: string, value: string): HTMLElement[] {
  return [el('dt', {}, term), el('dd', {}, value)];
}
