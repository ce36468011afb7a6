// The goals table's rows, in the order the report shows them.
import { busLatencyGoal } from './bus-latency-goal.mjs';
import {
  burstFanoutGoal,
  tickFanoutGoal,
  windowFanoutGoal,
  windowLatencyGoal,
} from './fanout-goals.mjs';
import { memoryPerConnectionGoal, rssAfterBurstGoal } from './memory-goals.mjs';
import { reconnectGoal } from './reconnect-goal.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./goal-items.mjs').Goal} Goal */

/** One function per goal, in table order; a new goal is a function and a line here. */
const GOALS = [
  burstFanoutGoal,
  tickFanoutGoal,
  windowFanoutGoal,
  windowLatencyGoal,
  memoryPerConnectionGoal,
  rssAfterBurstGoal,
  busLatencyGoal,
  reconnectGoal,
];

/**
 * The goals with what this run measured.
 * @param {BenchResults} results
 * @returns {Goal[]}
 */
export function evaluateGoals(results) {
  return GOALS.map((goal) => goal(results));
}
