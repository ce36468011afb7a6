// Figure 4, the reconnect storm: how long until every client has caught up, and what it
// cost the server.
import { formatInt, formatMs, formatOne } from '../format.mjs';
import { keyValueSection } from './key-value-section.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */

/**
 * The `## 4. Reconnect storm` section.
 * @param {BenchResults} results
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function reconnectSection(results) {
  const r = results.reconnect;
  if (!r) return undefined;
  return keyValueSection(
    '## 4. Reconnect storm',
    `${formatInt(r.n)} clients reconnect at once, each ${formatInt(r.behind)} messages of ` +
      `${formatInt(r.size)} B behind, with \`Last-Event-ID\`; timed until every client has ` +
      'everything it missed.',
    r,
    [
      ['all caught up after (ms)', formatInt(r.completeMs)],
      ['per client, p50 / p99 (ms)', `${formatMs(r.p50Ms)} / ${formatMs(r.p99Ms)}`],
      ['server CPU (ms)', formatInt(r.serverCpuMs)],
      [
        'server RSS before → peak (MiB)',
        `${formatOne(r.rssBeforeMiB)} → ${formatOne(r.rssPeakMiB)}`,
      ],
      ['frames replayed', formatInt(r.replayedFrames)],
      ['resets sent', formatInt(r.resets)],
    ],
  );
}
