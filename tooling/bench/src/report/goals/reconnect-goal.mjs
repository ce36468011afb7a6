// The goal of figure 4: every client of a reconnect storm caught up in time.
import { formatInt } from '../format.mjs';
import { failed, usable } from '../result-rows.mjs';
import { TARGETS } from './targets.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./goal-items.mjs').Goal} Goal */

/**
 * Time until every reconnecting client has everything it missed.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function reconnectGoal(results) {
  const r = results.reconnect;
  const target = `< ${TARGETS.reconnectMs / 1000} s`;
  const goal = r
    ? `Reconnect storm: ${formatInt(r.n)} clients, ${formatInt(r.behind)} messages behind, all caught up`
    : 'Reconnect storm: all clients caught up';
  if (!r) return { goal, target, measured: 'not run', met: undefined };
  if (failed(r)) return { goal, target, measured: 'error', met: undefined };
  return {
    goal,
    target,
    measured: usable(r.completeMs) ? `${formatInt(r.completeMs)} ms` : '—',
    met: usable(r.completeMs) ? r.completeMs < TARGETS.reconnectMs : undefined,
  };
}
