import { describe, expect, it } from 'vitest';
import { deliveryRatio, fanoutSystemsIn, floorRowOf, measurementKeys } from './fanout-rows.mjs';

const row = (system, n, extra = {}) => ({
  system,
  n,
  mode: 'burst',
  size: 128,
  count: 100,
  deliveriesPerSec: 1000,
  ...extra,
});

describe('fan-out rows', () => {
  it('lists each measurement once, by n, size and count', () => {
    const rows = [
      row('sse-core', 5000),
      row('floor-frame', 1000, { size: 4096 }),
      row('sse-core', 1000),
      row('floor-frame', 1000),
      row('sse-core', 1000, { count: 10 }),
    ];
    expect(measurementKeys(rows)).toEqual([
      { n: 1000, size: 128, count: 10 },
      { n: 1000, size: 128, count: 100 },
      { n: 1000, size: 4096, count: 100 },
      { n: 5000, size: 128, count: 100 },
    ]);
  });

  it('orders systems as the tables do, unknown ones last by name', () => {
    const rows = ['zeta', 'socket.io', 'sse-core', 'alpha', 'floor-frame', 'sse-core'].map((s) =>
      row(s, 1),
    );
    expect(fanoutSystemsIn(rows)).toEqual([
      'floor-frame',
      'sse-core',
      'socket.io',
      'alpha',
      'zeta',
    ]);
  });

  it('pairs a row with its floor of the same mode and measurement only', () => {
    const core = row('sse-core', 1000, { deliveriesPerSec: 900 });
    const floor = row('floor-coalesced', 1000);
    const rows = [
      row('floor-coalesced', 1000, { mode: 'tick', deliveriesPerSec: 1 }),
      row('floor-coalesced', 1000, { size: 4096, deliveriesPerSec: 1 }),
      floor,
      core,
    ];
    expect(floorRowOf(rows, core, 'floor-coalesced')).toBe(floor);
    expect(floorRowOf(rows, core, 'floor-frame')).toBeUndefined();
    expect(deliveryRatio(core, floor)).toBeCloseTo(0.9);
  });

  it('has no ratio when a side failed, the floor is missing or a number is not usable', () => {
    const floor = row('floor-coalesced', 1000);
    expect(deliveryRatio(row('sse-core', 1000, { error: 'crashed' }), floor)).toBeUndefined();
    expect(deliveryRatio(row('sse-core', 1000), { ...floor, error: 'crashed' })).toBeUndefined();
    expect(deliveryRatio(row('sse-core', 1000), undefined)).toBeUndefined();
    expect(deliveryRatio(row('sse-core', 1000, { deliveriesPerSec: undefined }), floor)).toBe(
      undefined,
    );
    expect(deliveryRatio(row('sse-core', 1000), { ...floor, deliveriesPerSec: 0 })).toBe(undefined);
  });
});
