// The goals of figure 1, broadcast fan-out: one function per goal, each reading the fan-out
// rows of the results.

import { deliveryRatio, floorRowOf } from '../fanout-rows.mjs';
import { formatMs, formatRatio } from '../format.mjs';
import { failed, usable } from '../result-rows.mjs';
import { labeller, verdict } from './goal-items.mjs';
import { ratioGoal } from './ratio-goal.mjs';
import { TARGETS } from './targets.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('../results-schema.mjs').FanoutRow} FanoutRow */
/** @typedef {import('./goal-items.mjs').Goal} Goal */

/**
 * Rows of `system` paired with the row of `floor` measured for the same n, mode, size and
 * count (the same run), with their throughput ratio when both have numbers.
 * @param {FanoutRow[]} rows
 * @param {string} system
 * @param {string} floor
 * @param {FanoutRow['mode'] | 'paced'} mode
 * @param {(row: FanoutRow) => boolean} [keep]
 */
function pairs(rows, system, floor, mode, keep = () => true) {
  return rows
    .filter((r) => r.system === system && r.mode === mode && keep(r))
    .map((row) => {
      const base = floorRowOf(rows, row, floor);
      return { row, base, ratio: deliveryRatio(row, base) };
    })
    .sort((a, b) => a.row.n - b.row.n || a.row.size - b.row.size || a.row.count - b.row.count);
}

/**
 * Bursts of 128 B messages: @sse/core against floor-coalesced, at every n.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function burstFanoutGoal(results) {
  return ratioGoal(
    'Burst fan-out, 128 B: @sse/core deliveries/s',
    `≥ ${formatRatio(TARGETS.burstVsCoalesced)} floor-coalesced at every n`,
    pairs(results.fanout ?? [], 'sse-core', 'floor-coalesced', 'burst', (r) => r.size === 128),
    TARGETS.burstVsCoalesced,
  );
}

/**
 * One message per event-loop tick: @sse/core against floor-frame.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function tickFanoutGoal(results) {
  return ratioGoal(
    'One message per tick: @sse/core deliveries/s',
    `≥ ${formatRatio(TARGETS.tickVsFrame)} floor-frame`,
    pairs(results.fanout ?? [], 'sse-core', 'floor-frame', 'tick'),
    TARGETS.tickVsFrame,
  );
}

/**
 * One message per tick with `flushWindowMs: 5`: a multiple of floor-frame, since the window
 * joins many ticks' frames into one write.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function windowFanoutGoal(results) {
  return ratioGoal(
    'One message per tick: @sse/core with flushWindowMs 5, deliveries/s',
    `≥ ${formatRatio(TARGETS.windowVsFrame)} floor-frame`,
    pairs(results.fanout ?? [], 'sse-core-window', 'floor-frame', 'tick'),
    TARGETS.windowVsFrame,
  );
}

/**
 * What the window costs in latency: p99 at a paced rate with `flushWindowMs: 5`, shown
 * beside floor-frame's own p99 at the same rate.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function windowLatencyGoal(results) {
  const fanout = results.fanout ?? [];
  const windowRows = fanout
    .filter((r) => r.system === 'sse-core-window' && r.mode === 'paced')
    .sort((a, b) => a.n - b.n || a.size - b.size);
  // The floor's own p99 at the same rate: what fanning one frame out to n sockets costs.
  const floorP99 = (row) =>
    fanout.find(
      (r) => r.system === 'floor-frame' && r.mode === 'paced' && r.n === row.n && !failed(r),
    )?.p99Ms;
  const overFloor = (ms) => `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))} ms`;
  const label = labeller(windowRows);
  const items = windowRows.map((r) =>
    failed(r)
      ? { text: `${label(r)}: error`, pass: undefined }
      : usable(r.p99Ms)
        ? {
            p99: r.p99Ms,
            text: `${label(r)}: ${formatMs(r.p99Ms)} ms${usable(floorP99(r)) ? ` (floor-frame ${formatMs(floorP99(r))} ms, so ${overFloor(r.p99Ms - floorP99(r))} for the window)` : ''}`,
            pass: r.p99Ms <= TARGETS.windowP99Ms,
          }
        : { text: `${label(r)}: —`, pass: undefined },
  );
  const worst = Math.max(...items.filter((i) => usable(i.p99)).map((i) => i.p99));
  return {
    goal: 'flushWindowMs 5: p99 latency at a paced rate (one message per timer tick)',
    target: `≤ ${TARGETS.windowP99Ms} ms (5 ms window + 5 ms)`,
    measured:
      items.length === 0
        ? 'not run'
        : (items.length > 1 && usable(worst) ? `worst ${formatMs(worst)} ms; ` : '') +
          items.map((i) => i.text).join(', '),
    met: verdict(items),
  };
}
