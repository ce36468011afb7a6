import { describe, expect, it } from 'vitest';
import { verdict } from './goal-items.mjs';
import { ratioGoal } from './ratio-goal.mjs';

const entry = (n, ratio, extra = {}) => ({
  row: { system: 'sse-core', n },
  base: { system: 'floor' },
  ratio,
  ...extra,
});

describe('ratio goals', () => {
  it('is not run without entries, and names no worst for a single one', () => {
    expect(ratioGoal('g', 't', [], 1)).toEqual({
      goal: 'g',
      target: 't',
      measured: 'not run',
      met: undefined,
    });
    expect(ratioGoal('g', 't', [entry(10, 1.5)], 1)).toMatchObject({
      measured: 'n=10: 1.50×',
      met: true,
    });
  });

  it('leads with the worst ratio in the direction of the goal', () => {
    const entries = [entry(10, 0.8), entry(20, 1.2)];
    expect(ratioGoal('g', 't', entries, 0.9).measured).toBe(
      'worst 0.80× (n=10); n=10: 0.80×, n=20: 1.20×',
    );
    expect(ratioGoal('g', 't', entries, 0.9).met).toBe(false);
    const atMost = ratioGoal('g', 't', entries, 1.3, { atMost: true, worst: 'max' });
    expect(atMost).toMatchObject({ measured: 'worst 1.20× (n=20); n=10: 0.80×, n=20: 1.20×' });
    expect(atMost.met).toBe(true);
  });

  it('judges only the largest n when asked, and lists the others', () => {
    const goal = ratioGoal('g', 't', [entry(10, 2), entry(20, 1.05)], 1.1, {
      atMost: true,
      worst: 'max',
      onlyLargestN: true,
    });
    expect(goal).toMatchObject({ measured: '1.05× (n=20); n=10: 2.00×, n=20: 1.05×', met: true });
  });

  it('never calls a goal met when a row failed, has no floor or no number', () => {
    const failedRow = entry(10, undefined, { row: { system: 'sse-core', n: 10, error: 'x' } });
    const failedBase = entry(10, undefined, { base: { system: 'floor-frame', error: 'x' } });
    const noFloor = entry(10, undefined, { base: undefined });
    const noNumber = entry(10, undefined);
    const texts = [failedRow, failedBase, noFloor, noNumber].map(
      (e) => ratioGoal('g', 't', [e, entry(20, 2)], 1).measured,
    );
    expect(texts).toEqual([
      'worst 2.00× (n=20); n=10: error (sse-core), n=20: 2.00×',
      'worst 2.00× (n=20); n=10: error (floor-frame), n=20: 2.00×',
      'worst 2.00× (n=20); n=10: no floor row, n=20: 2.00×',
      'worst 2.00× (n=20); n=10: —, n=20: 2.00×',
    ]);
    for (const e of [failedRow, failedBase, noFloor, noNumber])
      expect(ratioGoal('g', 't', [e, entry(20, 2)], 1).met).toBeUndefined();
  });

  it('lets one miss outweigh items without a number', () => {
    expect(verdict([{ pass: undefined }, { pass: false }])).toBe(false);
    expect(verdict([{ pass: undefined }, { pass: true }])).toBeUndefined();
    expect(verdict([])).toBeUndefined();
  });
});
