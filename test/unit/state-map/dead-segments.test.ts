import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadSegments } from '../../../src/infrastructure/state-map/dead-segments.js';

describe('DeadSegments', () => {
  it('yields segments with the most dead ids first', () => {
    const dead = new DeadSegments();
    for (const segment of [5, 9, 9, 2, 9, 5]) dead.add(segment);
    dead.load(7, 2);
    expect([...dead.densestFirst()]).toEqual([9, 5, 7, 2]);
    expect(dead.size).toBe(4);
  });

  it('lets the caller delete the segment it was just given, and skips none after it', () => {
    const dead = new DeadSegments();
    for (const segment of [1, 2, 3, 4]) dead.add(segment);
    dead.add(4);
    const seen: number[] = [];
    for (const segment of dead.densestFirst()) {
      seen.push(segment);
      dead.delete(segment);
    }
    expect(seen).toEqual([4, 1, 2, 3]);
    expect(dead.size).toBe(0);
    expect([...dead.densestFirst()]).toEqual([]);
  });

  it('moves a segment between counts, forgets deleted ones and starts over on clear', () => {
    const dead = new DeadSegments();
    dead.load(3, 10);
    dead.add(8);
    dead.load(3, 1);
    dead.add(3);
    expect([...dead.densestFirst()]).toEqual([3, 8]);
    dead.delete(3);
    dead.delete(42);
    expect([...dead.densestFirst()]).toEqual([8]);
    dead.load(8, 0);
    expect(dead.size).toBe(0);
    dead.add(6);
    dead.clear();
    expect([...dead.densestFirst()]).toEqual([]);
  });

  it('orders as a sort by count would, for any sequence of adds and deletes', () => {
    const op = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ remove: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const dead = new DeadSegments();
        const counts = new Map<number, number>();
        for (const o of ops) {
          if ('add' in o) {
            dead.add(o.add);
            counts.set(o.add, (counts.get(o.add) ?? 0) + 1);
          } else {
            dead.delete(o.remove);
            counts.delete(o.remove);
          }
        }
        const order = [...dead.densestFirst()];
        expect(new Set(order)).toEqual(new Set(counts.keys()));
        expect(order.length).toBe(counts.size);
        const byCount = order.map((s) => counts.get(s)!);
        expect(byCount).toEqual([...byCount].sort((a, b) => b - a));
      }),
    );
  });
});
