/** Directory: entries, versions, grants and fetches per department, from the log (the audit trail). */

import { actorOf, DIRECTORY_TYPES, type Entry, timeOf } from './console-data.js';
import { el, link, section, table } from './dom.js';

export function directoryView(entries: readonly Entry[]): HTMLElement {
  const directory = entries.filter((e) => DIRECTORY_TYPES.test(e.leaf.type));
  const perDepartment = new Map<string, Map<string, number>>();
  for (const e of directory) {
    const counts = perDepartment.get(actorOf(e)) ?? new Map<string, number>();
    counts.set(e.leaf.type, (counts.get(e.leaf.type) ?? 0) + 1);
    perDepartment.set(actorOf(e), counts);
  }
  return el(
    'div',
    {},
    section(
      'Directory activity per department',
      table(
        ['department', 'activity'],
        [...perDepartment.entries()].map(([dept, counts]) => [
          dept,
          [...counts.entries()].map(([t, n]) => `${t} ${n}`).join(' · '),
        ]),
        'directory activity per department',
      ),
    ),
    section(
      'Directory trail',
      directory.length === 0
        ? el('p', {}, 'no directory activity in the log yet')
        : table(
            ['#', 'event', 'stream', 'by', 'time', 'entry'],
            directory
              .slice(-50)
              .reverse()
              .map((e) => [
                String(e.leafIndex),
                e.leaf.type,
                e.leaf.stream,
                actorOf(e),
                timeOf(e),
                link(`/v1/log/entries?start=${e.leafIndex}&end=${e.leafIndex + 1}`, 'entry'),
              ]),
            'directory trail',
          ),
    ),
  );
}
