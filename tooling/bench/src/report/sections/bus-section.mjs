// Figure 3, the cross-instance bus: latency and top rate per bus, and the latency chart.
import { formatInt, formatMs, formatRate } from '../format.mjs';
import { markdownTable } from '../markdown-table.mjs';
import { byOrder, errorCell, failed, usable } from '../result-rows.mjs';
import { BUS_NAMES } from '../results-schema.mjs';
import { barChart } from '../svg-chart.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('../results-schema.mjs').BusRow} BusRow */
/** @typedef {import('../render-report.mjs').ChartLink} ChartLink */

/**
 * The `## 3. Cross-instance bus` section with its chart.
 * @param {BenchResults} results
 * @param {ChartLink} chart keeps a chart and gives its link.
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function busSection(results, chart) {
  const rows = results.buses ?? [];
  if (rows.length === 0) return undefined;
  const image = chart('buses', busChart(rows));
  // A smoke run measures for 1 s; the text states the durations of the run it describes.
  const smoke = results.meta?.smoke;
  const sorted = [...rows].sort((a, b) => byOrder(BUS_NAMES)(a.bus, b.bus));
  const out = [
    '## 3. Cross-instance bus',
    '',
    'Two processes on one channel of one broker: one publishes 1,000 messages/s for ' +
      `${smoke ? '1 s' : '5 s'} and the other records publish → receive time (corrected for the ` +
      'clock offset between the processes, measured over IPC); then the publisher publishes ' +
      `as fast as the bus accepts with 256 publishes in flight for ${smoke ? '1 s' : '3 s'}. ` +
      'The in-process bus has a single member, so its latency is publish → delivery inside one ' +
      'process.',
    '',
    markdownTable(
      [
        'bus',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'samples',
        'max published / s',
        'max received / s',
        'note',
      ],
      sorted.map((r) =>
        failed(r)
          ? [r.bus, errorCell(r), '', '', '', '', '', '']
          : [
              r.bus,
              formatMs(r.p50Ms),
              formatMs(r.p99Ms),
              formatMs(r.maxMs),
              formatInt(r.samples),
              formatRate(r.maxPublishedPerSec),
              formatRate(r.maxReceivedPerSec),
              r.note ?? '',
            ],
      ),
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] },
    ),
  ];
  if (image) out.push('', `![Cross-instance latency per bus](${image})`);
  return out.join('\n');
}

/**
 * p50, p99 and max latency per bus on a log axis (the in-process bus is microseconds, the
 * brokers milliseconds).
 * @param {BusRow[]} rows
 * @returns {string | undefined} the SVG; undefined when no bus has a number.
 */
function busChart(rows) {
  const sorted = [...rows]
    .filter((r) => !failed(r) && usable(r.p50Ms))
    .sort((a, b) => byOrder(BUS_NAMES)(a.bus, b.bus));
  if (sorted.length === 0) return undefined;
  return barChart({
    title: 'Cross-instance latency at 1,000 msg/s',
    subtitle:
      'Publish → receive between two processes (in-process: one process). Log scale; lower is better.',
    groups: sorted.map((r) => r.bus),
    series: [
      { name: 'p50', color: '#56B4E9', values: sorted.map((r) => r.p50Ms) },
      { name: 'p99', color: '#0072B2', values: sorted.map((r) => r.p99Ms) },
      { name: 'max', color: '#a3a3a3', values: sorted.map((r) => r.maxMs) },
    ],
    yLabel: 'milliseconds',
    scale: 'log',
    format: (v) => (v >= 1 ? String(Number(v.toPrecision(3))) : String(Number(v.toPrecision(2)))),
  });
}
