import { describe, expect, it } from 'vitest';
import { ReplayWindow, type WindowEntry } from './replay-window.js';

const entry = (n: number, at = 0, size = 10): WindowEntry => ({
  position: `p${n}`,
  target: { kind: 'all', value: '' },
  frame: Buffer.alloc(size),
  at,
});

describe('ReplayWindow', () => {
  it('returns the entries after a position, or undefined for unknown ones', () => {
    const w = new ReplayWindow({ maxEntries: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    for (let i = 1; i <= 5; i++) w.append(entry(i));
    expect(w.after('p2', 0)?.map((e) => e.position)).toEqual(['p3', 'p4', 'p5']);
    expect(w.after('p5', 0)).toEqual([]);
    expect(w.after('nope', 0)).toBeUndefined();
    expect(w.head).toBe('p5');
  });

  it('evicts by count, bytes and age', () => {
    const byCount = new ReplayWindow({ maxEntries: 3, maxBytes: 1e9, maxAgeMs: 1e9 });
    for (let i = 1; i <= 5; i++) byCount.append(entry(i));
    expect(byCount.size).toBe(3);
    expect(byCount.after('p2', 0)).toBeUndefined();
    expect(byCount.after('p3', 0)?.length).toBe(2);

    const byBytes = new ReplayWindow({ maxEntries: 100, maxBytes: 25, maxAgeMs: 1e9 });
    for (let i = 1; i <= 5; i++) byBytes.append(entry(i));
    expect(byBytes.size).toBe(2);
    expect(byBytes.byteSize).toBe(20);

    const byAge = new ReplayWindow({ maxEntries: 100, maxBytes: 1e9, maxAgeMs: 100 });
    byAge.append(entry(1, 0));
    byAge.append(entry(2, 50));
    expect(byAge.after('p1', 120)).toBeUndefined();
    expect(byAge.after('p2', 120)).toEqual([]);
  });

  it('keeps lookups right across many evictions and compactions', () => {
    const w = new ReplayWindow({ maxEntries: 100, maxBytes: 1e12, maxAgeMs: 1e12 });
    for (let i = 1; i <= 5000; i++) w.append(entry(i));
    expect(w.size).toBe(100);
    expect(w.after('p4990', 0)?.map((e) => e.position)).toEqual(
      Array.from({ length: 10 }, (_, k) => `p${4991 + k}`),
    );
  });

  it('keeps nothing when maxEntries is 0', () => {
    const w = new ReplayWindow({ maxEntries: 0, maxBytes: 1e9, maxAgeMs: 1e9 });
    w.append(entry(1));
    expect(w.size).toBe(0);
    expect(w.head).toBeUndefined();
  });
});
