// What every part of the report asks of a figure's rows: is this a number it can show, did
// the measurement fail, how a failure reads in a table, and the fixed order of names.
import { errorText } from './format.mjs';

/**
 * Whether `value` is a number the report can show and compute with.
 * @param {unknown} value
 * @returns {value is number} false for missing values, NaN and ±Infinity.
 */
export const usable = (value) => typeof value === 'number' && Number.isFinite(value);

/**
 * Whether a row's measurement failed: it carries `error` (and may lack its numbers).
 * @param {{ error?: unknown } | undefined | null} row
 * @returns {boolean} false for a missing row too.
 */
export const failed = (row) => row?.error !== undefined && row?.error !== null;

/**
 * The table cell of a failed row: its error on one line, in place of the numbers.
 * @param {{ error?: unknown }} row
 * @returns {string}
 */
export const errorCell = (row) => `⚠️ error: ${errorText(row.error)}`;

/**
 * A sort comparator that puts names in the order of `order` (names it lacks last, by name).
 * @param {readonly string[]} order e.g. `FANOUT_SYSTEMS` or `BUS_NAMES`.
 * @returns {(a: string, b: string) => number}
 */
export const byOrder = (order) => (a, b) => {
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib) || a.localeCompare(b);
};
