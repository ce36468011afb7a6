// Figure 1's chart: deliveries per second per system, one group of bars per measurement.

import { fanoutSystemsIn, measurementKeys, sameMeasurement } from '../fanout-rows.mjs';
import { formatInt, formatRate, formatRateTick } from '../format.mjs';
import { failed, usable } from '../result-rows.mjs';
import { barChart } from '../svg-chart.mjs';
import { SYSTEM_COLORS } from './system-colors.mjs';

/** @typedef {import('../results-schema.mjs').FanoutRow} FanoutRow */

/**
 * The bar chart of one mode; a failed or missing run is marked, not drawn.
 * @param {FanoutRow[]} rows every fan-out row.
 * @param {'burst' | 'tick'} mode
 * @returns {string | undefined} the SVG; undefined when no row of the mode has a number.
 */
export function fanoutChart(rows, mode) {
  const modeRows = rows.filter((r) => r.mode === mode);
  if (!modeRows.some((r) => !failed(r) && usable(r.deliveriesPerSec))) return undefined;
  const systems = fanoutSystemsIn(modeRows);
  const keys = measurementKeys(modeRows);
  const sizes = [...new Set(modeRows.map((r) => r.size))];
  const counts = new Set(modeRows.map((r) => r.count)).size > 1;
  const label = (k) =>
    [
      `${formatInt(k.n)} connections`,
      sizes.length > 1 ? `${formatInt(k.size)} B` : '',
      counts ? `${formatInt(k.count)} msgs` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  return barChart({
    title: `Broadcast fan-out, ${mode === 'burst' ? 'bursts' : 'one message per tick'}: deliveries per second`,
    subtitle:
      `Median of alternating runs; higher is better.` +
      (sizes.length === 1 ? ` Payload ${formatInt(sizes[0])} B.` : ''),
    groups: keys.map(label),
    series: systems.map((system) => ({
      name: system,
      color: SYSTEM_COLORS[system],
      values: keys.map((k) => {
        const row = modeRows.find((r) => r.system === system && sameMeasurement(r, k));
        return row && !failed(row) ? row.deliveriesPerSec : null;
      }),
    })),
    yLabel: 'deliveries / s',
    scale: 'linear',
    format: formatRate,
    tickFormat: formatRateTick,
  });
}
