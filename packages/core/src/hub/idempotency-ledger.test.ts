import { describe, expect, it } from 'vitest';
import { IdempotencyLedger } from './idempotency-ledger.js';

const order = (a: string, b: string): number | undefined => {
  const [pa, pb] = [a, b].map((p) => (/^p\d+$/.test(p) ? Number(p.slice(1)) : undefined));
  return pa === undefined || pb === undefined ? undefined : pa - pb;
};
const filtering = (maxKeys = 100) =>
  new IdempotencyLedger({ windowMs: 1000, maxKeys }, true, order);

describe('IdempotencyLedger', () => {
  it('answers a key it saw within the window with the first position', () => {
    const ledger = filtering();
    expect(ledger.known('k', 5_000)).toBeUndefined();
    expect(ledger.admit({ key: 'k', at: 5_000 }, 'p1')).toBeUndefined();
    expect(ledger.known('k', 5_999)).toBe('p1');
    // The window is measured between the publishers' stamps, not arrival times.
    expect(ledger.known('k', 6_000)).toBeUndefined();
  });

  it('drops a repeat within the window when it filters, and keeps the first', () => {
    const ledger = filtering();
    ledger.admit({ key: 'k', at: 100 }, 'p1');
    expect(ledger.admit({ key: 'k', at: 900 }, 'p2')).toBe('p1');
    // A clock behind the first publisher's still counts as within the window.
    expect(ledger.admit({ key: 'k', at: 50 }, 'p3')).toBe('p1');
    expect(ledger.admit({ key: 'k', at: 1_100 }, 'p4')).toBeUndefined();
    expect(ledger.known('k', 1_200)).toBe('p4');
  });

  it('drops nothing on a bus that deduplicates, and follows what the broker accepted', () => {
    const ledger = new IdempotencyLedger({ windowMs: 1000, maxKeys: 10 }, false, order);
    expect(ledger.admit({ key: 'k', at: 100 }, 'p1')).toBeUndefined();
    expect(ledger.admit({ key: 'k', at: 990 }, 'p2')).toBeUndefined();
    expect(ledger.known('k', 995)).toBe('p2');
    expect(ledger.replay()).toBeUndefined();
  });

  it('is bounded: past maxKeys the oldest key goes, and keys a window older than the newest', () => {
    const ledger = filtering(3);
    for (let i = 1; i <= 4; i++) ledger.admit({ key: `k${i}`, at: i }, `p${i}`);
    expect(ledger.size).toBe(3);
    expect(ledger.known('k1', 5)).toBeUndefined();
    ledger.admit({ key: 'late', at: 2_000 }, 'p5');
    expect(ledger.size).toBe(1);
  });

  it('in a replay, skips the second append of a key, whether the first was replayed or live', () => {
    const ledger = filtering();
    const fresh = ledger.replay()!;
    expect(fresh.repeats({ key: 'a', at: 10 }, 'p1')).toBe(false);
    expect(fresh.repeats({ key: 'a', at: 20 }, 'p2')).toBe(true);
    expect(fresh.repeats({ key: 'a', at: 10 }, 'p1')).toBe(false);

    ledger.admit({ key: 'b', at: 10 }, 'p3');
    // Live first at p3: a replay that starts after it still drops p4.
    expect(ledger.replay()!.repeats({ key: 'b', at: 30 }, 'p4')).toBe(true);
    // Replayed from before p3: p3 itself is the first, and goes out.
    const early = ledger.replay()!;
    expect(early.repeats({ key: 'b', at: 10 }, 'p3')).toBe(false);
    expect(early.repeats({ key: 'b', at: 30 }, 'p4')).toBe(true);
    // An instance that took a later append for the first (it started between the two):
    // the earlier one found in history is delivered, the later one skipped in that replay.
    ledger.admit({ key: 'c', at: 40 }, 'p9');
    const between = ledger.replay()!;
    expect(between.repeats({ key: 'c', at: 35 }, 'p8')).toBe(false);
    expect(between.repeats({ key: 'c', at: 40 }, 'p9')).toBe(true);
  });
});
