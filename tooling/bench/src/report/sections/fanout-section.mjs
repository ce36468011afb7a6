// Figure 1, broadcast fan-out: per mode, a throughput table with each cell's ratio to its
// floor, a latency table, the largest run-to-run spread, and the chart.

import {
  deliveryRatio,
  fanoutSystemsIn,
  floorRowOf,
  measurementKeys,
  sameMeasurement,
} from '../fanout-rows.mjs';
import { formatInt, formatMs, formatRate, formatRatio } from '../format.mjs';
import { markdownTable } from '../markdown-table.mjs';
import { errorCell, failed, usable } from '../result-rows.mjs';
import { fanoutChart } from './fanout-chart.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('../results-schema.mjs').FanoutRow} FanoutRow */
/** @typedef {import('../fanout-rows.mjs').MeasurementKey} MeasurementKey */
/** @typedef {import('../render-report.mjs').ChartLink} ChartLink */

/** Table order of the modes, and their headings. */
const MODE_TITLE = {
  burst: 'Bursts',
  tick: 'One message per tick',
  paced: 'A paced rate: one message per timer tick, about 100k deliveries/s asked for',
};
/** The floor each mode is compared with: bursts coalesce, single frames do not. */
const MODE_FLOOR = { burst: 'floor-coalesced', tick: 'floor-frame', paced: 'floor-frame' };

/**
 * The `## 1. Broadcast fan-out` section with its two charts (bursts, one per tick).
 * @param {BenchResults} results
 * @param {ChartLink} chart keeps a chart and gives its link.
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function fanoutSection(results, chart) {
  const rows = results.fanout ?? [];
  if (rows.length === 0) return undefined;
  const images = {
    burst: chart('fanout', fanoutChart(rows, 'burst')),
    tick: chart('fanout-tick', fanoutChart(rows, 'tick')),
  };
  const out = ['## 1. Broadcast fan-out'];
  out.push(
    '',
    'Deliveries per second: frames received by all clients together, per second. Each cell ' +
      'is the median and, after the dot, its ratio to the floor measured in the same run ' +
      '(`floor-coalesced` for bursts, `floor-frame` for one message per tick).',
  );
  for (const mode of Object.keys(MODE_TITLE)) {
    const modeRows = rows.filter((r) => r.mode === mode);
    if (modeRows.length === 0) continue;
    out.push('', `### ${MODE_TITLE[mode]}`, '', ...modeTables(modeRows, MODE_FLOOR[mode]));
    const spread = spreadLine(modeRows);
    if (spread) out.push('', spread);
    if (images[mode])
      out.push('', `![${MODE_TITLE[mode]}: deliveries per second](${images[mode]})`);
  }
  return out.join('\n');
}

/**
 * The throughput table of one mode and, when any row has latencies, the latency table.
 * @param {FanoutRow[]} modeRows
 * @param {string} floor the system each cell's ratio is taken to.
 * @returns {string[]} the tables, with a blank line and a caption between them.
 */
function modeTables(modeRows, floor) {
  const systems = fanoutSystemsIn(modeRows);
  const keys = measurementKeys(modeRows);
  const find = (system, k) => modeRows.find((r) => r.system === system && sameMeasurement(r, k));
  const table = (cell) =>
    markdownTable(
      ['n', 'size', 'messages', ...systems],
      keys.map((k) => [
        formatInt(k.n),
        `${formatInt(k.size)} B`,
        formatInt(k.count),
        ...systems.map((s) => cell(find(s, k))),
      ]),
      { align: ['right', 'right', 'right', ...systems.map(() => 'right')] },
    );
  const rateCell = (row) => {
    if (!row) return '';
    if (failed(row)) return errorCell(row);
    const ratio = deliveryRatio(row, floorRowOf(modeRows, row, floor));
    return `${formatRate(row.deliveriesPerSec)} · ${formatRatio(ratio)}`;
  };
  const latencyCell = (row) => {
    if (!row) return '';
    if (failed(row)) return 'error';
    return `${formatMs(row.p50Ms)} / ${formatMs(row.p99Ms)}`;
  };
  const out = [table(rateCell)];
  if (modeRows.some((r) => !failed(r) && (usable(r.p50Ms) || usable(r.p99Ms))))
    out.push('', 'Latency, publish → receive, p50 / p99 in ms:', '', table(latencyCell));
  return out;
}

/**
 * The row whose rounds spread most, (max − min) / median, as a sentence: how far one run's
 * numbers can be trusted.
 * @param {FanoutRow[]} modeRows
 * @returns {string | undefined} undefined when no row has two usable rounds.
 */
function spreadLine(modeRows) {
  const spread = modeRows
    .filter((r) => !failed(r) && Array.isArray(r.rounds) && r.rounds.filter(usable).length > 1)
    .map((r) => {
      const v = r.rounds.filter(usable);
      return { r, spread: (Math.max(...v) - Math.min(...v)) / r.deliveriesPerSec };
    })
    .filter((s) => usable(s.spread))
    .sort((a, b) => b.spread - a.spread)[0];
  if (!spread) return undefined;
  return (
    `Largest run-to-run spread, (max − min) / median: ${Math.round(spread.spread * 100)}% ` +
    `(${spread.r.system}, n=${formatInt(spread.r.n)}, ${formatInt(spread.r.size)} B).`
  );
}
