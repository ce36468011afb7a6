// Figures 4 and 5 in smoke mode (about 100 streams, real server and load processes on
// 127.0.0.1): the scenarios behave as designed, not how fast they are.
import { describe, expect, it } from 'vitest';
import { checkSample, runReconnectStorm } from './figures/reconnect-storm.mjs';
import { runSlowConsumers } from './figures/slow-consumers.mjs';

const quiet = () => {};

describe('reconnect storm (smoke)', () => {
  it('catches every stream up: all complete, no reset, exact ids in order', async () => {
    const r = await runReconnectStorm({ smoke: true, log: quiet });
    expect(r.error).toBeUndefined();
    expect(r.completed).toBe(r.n);
    expect(r.lost).toBe(0);
    expect(r.resets).toBe(0);
    // Smoke samples every stream; each was checked id by id against the bus.
    expect(r.sampledStreams).toBe(r.n);
    expect(r.replayedFrames).toBeGreaterThanOrEqual(r.n * r.behind);
    expect(r.liveMessages).toBeGreaterThan(0);
    expect(r.completeMs).toBeGreaterThan(0);
    expect(r.p50Ms).toBeLessThanOrEqual(r.p99Ms);
    expect(r.p99Ms).toBeLessThanOrEqual(r.completeMs);
  }, 60_000);

  it('rejects a sampled stream with a gap, a duplicate, a wrong start or no retry frame', () => {
    const all = ['e-1', 'e-2', 'e-3', 'e-4', 'e-5'];
    const good = { fields: ['retry: 2000', 'e-2', 'e-3', 'e-4'], frames: 4 };
    expect(checkSample(good, all, 1, 2)).toBeUndefined();
    const bad = [
      { fields: ['retry: 2000', 'e-2', 'e-4', 'e-5'], frames: 4 }, // gap
      { fields: ['retry: 2000', 'e-2', 'e-2', 'e-3'], frames: 4 }, // duplicate
      { fields: ['retry: 2000', 'e-1', 'e-2', 'e-3'], frames: 4 }, // replayed too much
      { fields: ['e-2', 'e-3', 'e-4'], frames: 3 }, // no retry frame first
      { fields: ['retry: 2000', 'e-2', 'e-3'], frames: 3 }, // nothing live
      { fields: ['retry: 2000', 'e-2', 'e-3', 'e-4'], frames: 6 }, // frames without an id
    ];
    for (const sample of bad) expect(checkSample(sample, all, 1, 2)).toBeTypeOf('string');
  });
});

describe('slow consumers (smoke)', () => {
  it('keeps the reading streams whole, cuts the paused ones, stays under the bound', async () => {
    const r = await runSlowConsumers({ smoke: true, log: quiet });
    expect(r.error).toBeUndefined();
    expect(r.paused).toBe(Math.round(r.n * r.slowFraction));
    // Every reading stream received every burst (a short one fails the run), at a rate.
    expect(r.fastDeliveriesPerSec).toBeGreaterThan(0);
    expect(r.baselineDeliveriesPerSec).toBeGreaterThan(0);
    // Policy 'disconnect': the hub cut every paused stream once its queue was full, and
    // each paused client, reading again, saw its stream end.
    expect(r.disconnects).toBe(r.paused);
    expect(r.drops).toBeGreaterThanOrEqual(r.paused);
    expect(r.pausedClosed).toBe(r.paused);
    expect(r.rssPeakMiB).toBeLessThanOrEqual(r.rssBoundMiB);
  }, 120_000);
});
