// Fan-out rows (figures 1 and 6): which rows measured the same thing, in which order the
// systems stand, and a system's throughput as a ratio to its floor in the same run.
import { byOrder, failed, usable } from './result-rows.mjs';
import { FANOUT_SYSTEMS } from './results-schema.mjs';

/** @typedef {import('./results-schema.mjs').FanoutRow} FanoutRow */
/** @typedef {{ n: number, size: number, count: number }} MeasurementKey */

/**
 * Whether two rows measured the same n, payload size and message count.
 * @param {MeasurementKey} a
 * @param {MeasurementKey} b
 * @returns {boolean}
 */
export const sameMeasurement = (a, b) => a.n === b.n && a.size === b.size && a.count === b.count;

/**
 * The distinct measurements among `rows`, by n, then size, then count.
 * @param {FanoutRow[]} rows rows of one mode.
 * @returns {MeasurementKey[]}
 */
export function measurementKeys(rows) {
  return [...new Map(rows.map((r) => [`${r.n}|${r.size}|${r.count}`, r])).values()]
    .map(({ n, size, count }) => ({ n, size, count }))
    .sort((a, b) => a.n - b.n || a.size - b.size || a.count - b.count);
}

/**
 * The systems among `rows`, in table and legend order (`FANOUT_SYSTEMS`).
 * @param {{ system: string }[]} rows
 * @returns {string[]}
 */
export function fanoutSystemsIn(rows) {
  return [...new Set(rows.map((r) => r.system))].sort(byOrder(FANOUT_SYSTEMS));
}

/**
 * The row of `floor` measured in the same mode and measurement as `row`.
 * @param {FanoutRow[]} rows
 * @param {FanoutRow} row
 * @param {string} floor `floor-frame` or `floor-coalesced`.
 * @returns {FanoutRow | undefined}
 */
export function floorRowOf(rows, row, floor) {
  return rows.find((r) => r.system === floor && r.mode === row.mode && sameMeasurement(r, row));
}

/**
 * `row`'s deliveries per second over its floor's.
 * @param {FanoutRow} row
 * @param {FanoutRow | undefined} base the floor's row (see {@link floorRowOf}).
 * @returns {number | undefined} undefined when either failed or a number is missing.
 */
export function deliveryRatio(row, base) {
  const ratio =
    !failed(row) && base && !failed(base) && usable(row.deliveriesPerSec)
      ? row.deliveriesPerSec / base.deliveriesPerSec
      : undefined;
  return usable(ratio) ? ratio : undefined;
}
