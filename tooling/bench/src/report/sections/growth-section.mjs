// Figure 6, growth with the number of connections: deliveries per second and memory as n
// doubles, as a table and a line chart.

import { fanoutSystemsIn } from '../fanout-rows.mjs';
import { formatInt, formatOne, formatRate, formatRateTick } from '../format.mjs';
import { markdownTable } from '../markdown-table.mjs';
import { byOrder, errorCell, failed, usable } from '../result-rows.mjs';
import { FANOUT_SYSTEMS } from '../results-schema.mjs';
import { lineChart } from '../svg-chart.mjs';
import { SYSTEM_COLORS } from './system-colors.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('../results-schema.mjs').GrowthRow} GrowthRow */
/** @typedef {import('../render-report.mjs').ChartLink} ChartLink */

/**
 * The `## 6. Growth with the number of connections` section with its chart.
 * @param {BenchResults} results
 * @param {ChartLink} chart keeps a chart and gives its link.
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function growthSection(results, chart) {
  const rows = results.growth ?? [];
  if (rows.length === 0) return undefined;
  const image = chart('growth', growthChart(rows));
  const sorted = [...rows].sort((a, b) => byOrder(FANOUT_SYSTEMS)(a.system, b.system) || a.n - b.n);
  const out = [
    '## 6. Growth with the number of connections',
    '',
    markdownTable(
      ['system', 'n', 'deliveries / s', 'KiB / connection', 'RSS after burst (MiB)'],
      sorted.map((r) =>
        failed(r)
          ? [r.system, formatInt(r.n), errorCell(r), '', '']
          : [
              r.system,
              formatInt(r.n),
              formatRate(r.deliveriesPerSec),
              formatOne(r.kibPerConnection),
              formatOne(r.afterBurstRssMiB),
            ],
      ),
      { align: ['left', 'right', 'right', 'right', 'right'] },
    ),
  ];
  if (image) out.push('', `![Deliveries per second as connections grow](${image})`);
  return out.join('\n');
}

/**
 * Deliveries per second against n, one line per system; the n axis turns logarithmic when
 * n spans a factor of ten or more.
 * @param {GrowthRow[]} rows
 * @returns {string | undefined} the SVG; undefined when no row has a number.
 */
function growthChart(rows) {
  const good = rows.filter((r) => !failed(r) && usable(r.deliveriesPerSec));
  if (good.length === 0) return undefined;
  const ns = good.map((r) => r.n);
  return lineChart({
    title: 'Fan-out as connections grow: deliveries per second',
    subtitle: 'Median of alternating runs; higher is better. Missing points: the run failed.',
    series: fanoutSystemsIn(rows).map((system) => ({
      name: system,
      color: SYSTEM_COLORS[system],
      points: rows
        .filter((r) => r.system === system)
        .map((r) => ({ x: r.n, y: failed(r) ? null : r.deliveriesPerSec })),
    })),
    xLabel: 'connections (n)',
    yLabel: 'deliveries / s',
    xScale: Math.max(...ns) / Math.min(...ns) >= 10 ? 'log' : 'linear',
    yScale: 'linear',
    format: formatRate,
    tickFormat: formatRateTick,
    xFormat: formatInt,
  });
}
