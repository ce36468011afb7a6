import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  MAX_TIMER_MS,
  MIN_RECONNECT_DELAY_MS,
  parseRetryAfter,
} from '../src/backoff.js';
import { createRecentIds } from '../src/recent-ids.js';
import { createReconnectPolicy, HEALTHY_CONNECTION_MS } from '../src/reconnect-policy.js';

describe('backoffDelay', () => {
  it('stays inside [floor, min(max, base·2^attempt)) for draws across the range', () => {
    for (const random of [0, 0.25, 0.5, 0.999999]) {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const delay = backoffDelay({ attempt, baseMs: 1000, maxMs: 5000, random: () => random });
        const window = Math.min(5000, 1000 * 2 ** attempt);
        expect(delay).toBeGreaterThanOrEqual(MIN_RECONNECT_DELAY_MS);
        expect(delay).toBeLessThan(window);
      }
    }
  });

  it('raises a base under the floor (a server retry: 0) to it, then doubles from there', () => {
    const top = (attempt: number, baseMs: number) =>
      backoffDelay({ attempt, baseMs, maxMs: 30_000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4].map((attempt) => top(attempt, 0))).toEqual([500, 999, 1999, 3999, 7999]);
    expect(top(0, 100)).toBe(500);
    const low = (draw: number) =>
      backoffDelay({ attempt: 3, baseMs: 0, maxMs: 30_000, random: () => draw });
    // Even a draw of 0, or a broken jitter source, waits the floor.
    expect([0, Number.NaN, -1, 1, 7].map(low)).toEqual([500, 500, 500, 500, 500]);
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

describe('createReconnectPolicy', () => {
  function policy(maxRetries = Number.POSITIVE_INFINITY) {
    let clock = 0;
    const p = createReconnectPolicy({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      maxRetries,
      random: () => 0.999999,
      now: () => clock,
    });
    return { p, advance: (ms: number) => (clock += ms) };
  }

  it('counts a stream that opened and ended without an event as a failure', () => {
    const { p, advance } = policy();
    const attempts: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      p.opened();
      advance(HEALTHY_CONNECTION_MS - 1);
      attempts.push(p.next(undefined)!.attempt);
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('starts over after an event, or after a stream that stayed open long enough', () => {
    const { p, advance } = policy();
    p.next(undefined);
    p.next(undefined);
    p.opened();
    p.progressed();
    expect(p.next(undefined)).toEqual({ attempt: 1, delayMs: 999 });
    p.next(undefined);
    p.opened();
    advance(HEALTHY_CONNECTION_MS);
    expect(p.next(undefined)?.attempt).toBe(1);
    // A failure with no open in between (a refused request) never counts as healthy.
    advance(60_000);
    expect(p.next(undefined)?.attempt).toBe(2);
  });

  it('uses the server retry as base, floored, and stops after maxRetries failures', () => {
    const { p } = policy(2);
    p.retry(0);
    expect(p.next(undefined)?.delayMs).toBe(500);
    expect(p.next(undefined)?.delayMs).toBe(999);
    expect(p.next(undefined)).toBeUndefined();
    expect(p.failures).toBe(2);
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
