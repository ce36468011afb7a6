// Memory rows (figure 2): KiB per connection as a ratio to floor-coalesced at the same n,
// and how far RSS grew in a burst. The goals and the memory table both read them here.
import { failed, usable } from './result-rows.mjs';

/** @typedef {import('./results-schema.mjs').MemoryRow} MemoryRow */

/**
 * The `floor-coalesced` row measured at the same n as `row`.
 * @param {MemoryRow[]} rows
 * @param {MemoryRow} row
 * @returns {MemoryRow | undefined}
 */
export function memoryFloorRowOf(rows, row) {
  return rows.find((r) => r.system === 'floor-coalesced' && r.n === row.n);
}

/**
 * `row`'s KiB per connection over its floor's.
 * @param {MemoryRow} row
 * @param {MemoryRow | undefined} base the floor's row (see {@link memoryFloorRowOf}).
 * @returns {number | undefined} undefined when either failed, the floor's figure is not
 *   positive, or a number is missing.
 */
export function memoryRatio(row, base) {
  const ratio =
    !failed(row) && base && !failed(base) && base.kibPerConnection > 0
      ? row.kibPerConnection / base.kibPerConnection
      : undefined;
  return usable(ratio) ? ratio : undefined;
}

/**
 * How much the server's RSS grew from idle to after the burst, in MiB.
 * @param {MemoryRow} row
 * @returns {number | undefined} undefined when either reading is missing.
 */
export function rssGrowthMiB(row) {
  return usable(row.afterBurstRssMiB) && usable(row.idleRssMiB)
    ? row.afterBurstRssMiB - row.idleRssMiB
    : undefined;
}
