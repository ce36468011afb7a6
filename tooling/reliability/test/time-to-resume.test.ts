import { describe, expect, it } from 'vitest';
import { timeToResume } from '../src/time-to-resume.js';

/** Arrival times by message number, as an ArrivalClock would report them. */
function clockOf(arrivals: Record<number, number>) {
  return {
    arrivedAt: (n: number) => arrivals[n],
    firstArrivalSince: (since: number) => {
      const after = Object.values(arrivals).filter((at) => at >= since);
      return after.length > 0 ? Math.min(...after) : undefined;
    },
  };
}

describe('timeToResume', () => {
  it('is the first arrival after the restart when nothing was held back', () => {
    const accepted = [
      { n: 1, at: 1_000 },
      { n: 2, at: 1_100 },
    ];
    expect(timeToResume(accepted, clockOf({ 1: 1_010, 2: 1_105 }), 500)).toBe(510);
  });

  it('runs to the end of a stall that follows a trickle', () => {
    const accepted = [
      { n: 1, at: 1_000 },
      { n: 2, at: 1_100 },
      { n: 3, at: 3_000 },
      { n: 4, at: 44_990 },
    ];
    // 1 and 2 arrive at once, 3 only with the backlog at 45 s; 4, published then, at once.
    const clock = clockOf({ 1: 1_010, 2: 1_110, 3: 45_000, 4: 45_001 });
    expect(timeToResume(accepted, clock, 500)).toBe(44_500);
  });

  it('ignores messages that never arrived, and is undefined when nothing arrived', () => {
    const accepted = [
      { n: 1, at: 1_000 },
      { n: 2, at: 1_100 },
    ];
    expect(timeToResume(accepted, clockOf({ 2: 1_150 }), 500)).toBe(650);
    expect(timeToResume(accepted, clockOf({}), 500)).toBeUndefined();
  });
});
