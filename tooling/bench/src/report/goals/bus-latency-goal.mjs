// The goal of figure 3: cross-instance latency on the buses the issue names.
import { formatMs } from '../format.mjs';
import { failed, usable } from '../result-rows.mjs';
import { verdict } from './goal-items.mjs';
import { TARGETS } from './targets.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./goal-items.mjs').Goal} Goal */

/** The buses the goal is set for; the others are shown in their section only. */
const JUDGED_BUSES = ['redis-pubsub', 'nats'];

/**
 * p99 publish → receive latency between two processes at 1,000 msg/s, on every judged bus.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function busLatencyGoal(results) {
  const buses = results.buses ?? [];
  const ran = buses.length > 0;
  const items = JUDGED_BUSES.map((bus) => {
    const row = buses.find((r) => r.bus === bus);
    if (!row) return { text: `${bus}: not run`, pass: undefined };
    if (failed(row)) return { text: `${bus}: error`, pass: undefined };
    if (!usable(row.p99Ms)) return { text: `${bus}: —`, pass: undefined };
    return { text: `${bus}: ${formatMs(row.p99Ms)} ms`, pass: row.p99Ms <= TARGETS.busP99Ms };
  });
  return {
    goal: 'Cross-instance latency at 1,000 msg/s: p99',
    target: `≤ ${TARGETS.busP99Ms} ms on redis-pubsub and nats`,
    measured: ran ? items.map((i) => i.text).join(', ') : 'not run',
    met: ran ? verdict(items) : undefined,
  };
}
