import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_TIMER_MS, parseRetryAfter } from '../src/backoff.js';
import { createRecentIds } from '../src/recent-ids.js';

describe('backoffDelay', () => {
  it('stays inside [0, min(max, base·2^attempt)) for draws across the range', () => {
    for (const random of [0, 0.25, 0.5, 0.999999]) {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const delay = backoffDelay({ attempt, baseMs: 100, maxMs: 5000, random: () => random });
        const window = Math.min(5000, 100 * 2 ** attempt);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(window);
      }
    }
  });

  it('treats Retry-After as a floor and clamps to what timers can hold', () => {
    expect(
      backoffDelay({ attempt: 0, baseMs: 100, maxMs: 1000, random: () => 0, retryAfterMs: 3000 }),
    ).toBe(3000);
    expect(backoffDelay({ attempt: 5, baseMs: 1e15, maxMs: 10, random: () => 0.9 })).toBe(
      MAX_TIMER_MS,
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('Sun, 22 Nov 2026 23:00:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 23:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 22:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('createRecentIds', () => {
  it('forgets the oldest id once full and never holds more than its capacity', () => {
    const ids = createRecentIds(3);
    expect(['a', 'b', 'c'].map((id) => ids.add(id))).toEqual([true, true, true]);
    expect(ids.add('a')).toBe(false);
    expect(ids.add('d')).toBe(true); // evicts a
    expect(ids.add('a')).toBe(true); // evicts b
    expect(ids.add('b')).toBe(true);
    expect(ids.add('d')).toBe(false);
  });

  it('with capacity 0 never reports a duplicate', () => {
    const ids = createRecentIds(0);
    expect([ids.add('x'), ids.add('x')]).toEqual([true, true]);
  });
});
