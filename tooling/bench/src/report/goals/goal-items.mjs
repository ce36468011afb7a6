// The pieces every goal is made of: each goal lists what it measured as items
// ({ text, pass }), names rows the same way, and reaches one verdict from its items.
import { formatInt } from '../format.mjs';

/**
 * @typedef {object} Goal One row of the goals table.
 * @property {string} goal What is measured.
 * @property {string} target The number it must reach.
 * @property {string} measured What this run measured, or `not run`.
 * @property {boolean | undefined} met undefined: not measured, or a measurement failed.
 */

/**
 * One goal from its per-item checks.
 * @param {{ pass: boolean | undefined }[]} items
 * @returns {boolean | undefined} false when any item fails; true when all pass; undefined
 *   (not shown as met or missed) when nothing was measured or some item has no number.
 */
export function verdict(items) {
  if (items.length === 0) return undefined;
  if (items.some((i) => i.pass === false)) return false;
  if (items.some((i) => i.pass === undefined)) return undefined;
  return true;
}

/**
 * Names rows as `n=1,000`, plus the size and count when the rows differ in them.
 * @param {{ size?: number, count?: number }[]} rows the rows that will be named.
 * @returns {(row: { n: number, size?: number, count?: number }) => string}
 */
export function labeller(rows) {
  const sizes = new Set(rows.map((r) => r.size)).size > 1;
  const counts = new Set(rows.map((r) => r.count)).size > 1;
  return (r) =>
    [
      `n=${formatInt(r.n)}`,
      sizes && r.size !== undefined ? `${formatInt(r.size)} B` : '',
      counts && r.count !== undefined ? `${formatInt(r.count)} msgs` : '',
    ]
      .filter(Boolean)
      .join(' ');
}
