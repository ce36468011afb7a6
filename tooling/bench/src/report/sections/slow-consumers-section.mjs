// Figure 5, slow consumers: what clients that stop reading cost the fast ones, and whether
// server memory stays inside the queue bounds.
import { formatInt, formatOne, formatRate, formatRatio } from '../format.mjs';
import { keyValueSection } from './key-value-section.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */

/**
 * The `## 5. Slow consumers` section.
 * @param {BenchResults} results
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function slowConsumersSection(results) {
  const s = results.slow;
  if (!s) return undefined;
  return keyValueSection(
    '## 5. Slow consumers',
    `${formatInt(s.n)} clients, ${Math.round((s.slowFraction ?? 0) * 100)}% of which stop reading, ` +
      `${formatInt(s.size)} B messages for ${formatInt(s.durationMs)} ms: the fast clients' ` +
      'deliveries per second against the same run without slow clients, and server memory ' +
      'against the configured queue bounds.',
    s,
    [
      ['fast clients, deliveries / s', formatRate(s.fastDeliveriesPerSec)],
      ['without slow clients, deliveries / s', formatRate(s.baselineDeliveriesPerSec)],
      ['ratio', formatRatio(s.ratio)],
      [
        'server RSS before → peak (MiB)',
        `${formatOne(s.rssBeforeMiB)} → ${formatOne(s.rssPeakMiB)}`,
      ],
      ['RSS bound from the queue limits (MiB)', formatOne(s.rssBoundMiB)],
      ['frames dropped', formatInt(s.drops)],
      ['slow clients disconnected', formatInt(s.disconnects)],
    ],
  );
}
