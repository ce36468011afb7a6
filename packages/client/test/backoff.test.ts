import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  MAX_TIMER_MS,
  MIN_RECONNECT_DELAY_MS,
  parseRetryAfter,
} from '../src/backoff.js';
import { createRecentIds } from '../src/recent-ids.js';
import {
  createReconnectPolicy,
  GATEWAY_OUTAGE_MS,
  HEALTHY_CONNECTION_MS,
} from '../src/reconnect-policy.js';

/** A failure without an answer (connection refused, network error). */
const REFUSED = {};
/** A 502 from a proxy whose upstreams are away. */
const BAD_GATEWAY = { gateway: true };

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

  it('treats Retry-After as the start of the window, keeping its width, and clamps to what timers can hold', () => {
    expect(
      backoffDelay({ attempt: 0, baseMs: 100, maxMs: 1000, random: () => 0, retryAfterMs: 3000 }),
    ).toBe(3000);
    // A crowd told "5 s" is spread over the window above it, not landed on the fifth second.
    const told = (draw: number) =>
      backoffDelay({
        attempt: 2,
        baseMs: 1000,
        maxMs: 30_000,
        random: () => draw,
        retryAfterMs: 5000,
      });
    expect([0, 0.5, 0.999999].map(told)).toEqual([5000, 6750, 8499]);
    expect(backoffDelay({ attempt: 5, baseMs: 1e15, maxMs: 10, random: () => 0.9 })).toBe(
      MAX_TIMER_MS,
    );
  });
});

describe('backoffDelay with a gateway cap', () => {
  it('stops the window at capMs, even above a server retry:', () => {
    const top = (attempt: number, baseMs: number) =>
      backoffDelay({ attempt, baseMs, maxMs: 30_000, capMs: 2000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 10].map((attempt) => top(attempt, 1000))).toEqual([
      999, 1999, 1999, 1999, 1999,
    ]);
    // The jittered retry: 2000–5000 of a hub that shuts down does not stretch a proxy's 502s.
    expect(top(0, 5000)).toBe(1999);
    // A cap under the floor cannot make a tight loop.
    expect(
      backoffDelay({ attempt: 3, baseMs: 1000, maxMs: 30_000, capMs: 1, random: () => 0.9 }),
    ).toBe(500);
  });
});

describe('createReconnectPolicy', () => {
  function policy(maxRetries = Number.POSITIVE_INFINITY) {
    let clock = 0;
    const p = createReconnectPolicy({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      maxGatewayDelayMs: 2000,
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
      attempts.push(p.next(REFUSED)!.attempt);
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('starts over after an event, or after a stream that stayed open long enough', () => {
    const { p, advance } = policy();
    p.next(REFUSED);
    p.next(REFUSED);
    p.opened();
    p.progressed();
    expect(p.next(REFUSED)).toEqual({ attempt: 1, delayMs: 999 });
    p.next(REFUSED);
    p.opened();
    advance(HEALTHY_CONNECTION_MS);
    expect(p.next(REFUSED)?.attempt).toBe(1);
    // A failure with no open in between (a refused request) never counts as healthy.
    advance(60_000);
    expect(p.next(REFUSED)?.attempt).toBe(2);
  });

  it('keeps 502/503/504 windows at maxGatewayDelayMs for the first minute of an outage, not refusals', () => {
    const { p, advance } = policy();
    // The stream broke (a network failure), then the proxy answers 502 for a while.
    const delays = [p.next(REFUSED)!.delayMs];
    for (let i = 0; i < 6; i += 1) {
      advance(2000);
      delays.push(p.next(BAD_GATEWAY)!.delayMs);
    }
    expect(delays).toEqual([999, 1999, 1999, 1999, 1999, 1999, 1999]);
    // Refused connections in the same run grow as before.
    expect(p.next(REFUSED)!.delayMs).toBe(29_999);
    // Past a minute of failures in a row the outage is a real one: the ordinary backoff.
    advance(GATEWAY_OUTAGE_MS);
    expect(p.next(BAD_GATEWAY)!.delayMs).toBe(29_999);
    // A success starts a new run, and with it a new short phase.
    p.opened();
    p.progressed();
    expect(p.next(REFUSED)!.delayMs).toBe(999);
    expect(p.next(BAD_GATEWAY)!.delayMs).toBe(1999);
    expect(p.next(BAD_GATEWAY)!.delayMs).toBe(1999);
  });

  it('uses the server retry as base, floored, and stops after maxRetries failures', () => {
    const { p } = policy(2);
    p.retry(0);
    expect(p.next(REFUSED)?.delayMs).toBe(500);
    expect(p.next(REFUSED)?.delayMs).toBe(999);
    expect(p.next(REFUSED)).toBeUndefined();
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
