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
    expect(byCount.after('p1', 0)).toBeUndefined();
    // The last entry evicted is the floor: everything after it is still held.
    expect(byCount.after('p2', 0)?.length).toBe(3);
    expect(byCount.after('p3', 0)?.length).toBe(2);

    const byBytes = new ReplayWindow({ maxEntries: 100, maxBytes: 25, maxAgeMs: 1e9 });
    for (let i = 1; i <= 5; i++) byBytes.append(entry(i));
    expect(byBytes.size).toBe(2);
    expect(byBytes.byteSize).toBe(20);

    const byAge = new ReplayWindow({ maxEntries: 100, maxBytes: 1e9, maxAgeMs: 100 });
    byAge.append(entry(1, 0));
    byAge.append(entry(2, 50));
    expect(byAge.after('p1', 120)?.map((e) => e.position)).toEqual(['p2']);
    expect(byAge.after('p0', 120)).toBeUndefined();
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
    // It still knows where the log is: a stream at the newest position missed nothing.
    expect(w.position).toBe('p1');
    expect(w.after('p1', 0)).toEqual([]);
  });

  it('resumes from its origin even while empty', () => {
    const w = new ReplayWindow({ maxEntries: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    expect(w.position).toBeUndefined();
    w.setOrigin('p0');
    expect(w.position).toBe('p0');
    expect(w.after('p0', 0)).toEqual([]);
    w.append(entry(1));
    w.append(entry(2));
    expect(w.after('p0', 0)?.map((e) => e.position)).toEqual(['p1', 'p2']);
    expect(w.has('p0')).toBe(true);
    expect(w.position).toBe('p2');
  });

  it('keeps the origin behind entries delivered while the bus was starting', () => {
    const w = new ReplayWindow({ maxEntries: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    w.append(entry(1));
    w.setOrigin('p0');
    expect(w.position).toBe('p1');
    expect(w.after('p0', 0)?.map((e) => e.position)).toEqual(['p1']);
  });

  it('replays nothing across a break in continuity', () => {
    const w = new ReplayWindow({ maxEntries: 10, maxBytes: 1e9, maxAgeMs: 1e9 });
    w.setOrigin('p0');
    w.append(entry(1));
    w.append(entry(2));
    w.breakContinuity(undefined);
    expect(w.size).toBe(0);
    expect(w.after('p0', 0)).toBeUndefined();
    expect(w.after('p1', 0)).toBeUndefined();
    // Still the newest known position, so a reset can carry it (a reconnect from it resets again).
    expect(w.position).toBe('p2');
    expect(w.after('p2', 0)).toBeUndefined();
    w.setOrigin('p0');
    expect(w.after('p0', 0)).toBeUndefined();
    w.append(entry(5));
    expect(w.after('p5', 0)).toEqual([]);

    w.breakContinuity('p8');
    expect(w.position).toBe('p8');
    w.append(entry(9));
    expect(w.after('p8', 0)?.map((e) => e.position)).toEqual(['p9']);
    expect(w.after('p5', 0)).toBeUndefined();
  });
});
