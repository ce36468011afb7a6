// Figure 2, memory per idle connection: RSS before, with and after the streams, per system
// and n, with each system's ratio to floor-coalesced.
import { formatInt, formatOne, formatRatio } from '../format.mjs';
import { markdownTable } from '../markdown-table.mjs';
import { memoryFloorRowOf, memoryRatio, rssGrowthMiB } from '../memory-rows.mjs';
import { byOrder, errorCell, failed } from '../result-rows.mjs';
import { FANOUT_SYSTEMS } from '../results-schema.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */

/**
 * The `## 2. Memory per idle connection` section.
 * @param {BenchResults} results
 * @returns {string | undefined} markdown; undefined when the figure was not run.
 */
export function memorySection(results) {
  const rows = results.memory ?? [];
  if (rows.length === 0) return undefined;
  const sorted = [...rows].sort((a, b) => a.n - b.n || byOrder(FANOUT_SYSTEMS)(a.system, b.system));
  return [
    '## 2. Memory per idle connection',
    '',
    'Server RSS before the streams (after warm-up streams, as many as n up to 1,000, were opened and closed, so ' +
      'that optimised code, allocator arenas and grown heap spaces count as fixed cost), with ' +
      'n idle streams, and after a burst to them; KiB per connection is (idle − baseline) / n. ' +
      'At n = 1,000 a MiB of heap-space or allocator noise is a KiB per stream, so the goal is ' +
      'judged at the largest n, as the issue defines it (N = 10,000).',
    '',
    markdownTable(
      [
        'system',
        'n',
        'baseline RSS (MiB)',
        'idle RSS (MiB)',
        'KiB / connection',
        'vs floor-coalesced',
        'after burst (MiB)',
        'after burst − idle (MiB)',
      ],
      sorted.map((r) => {
        if (failed(r)) return [r.system, formatInt(r.n), errorCell(r), '', '', '', '', ''];
        return [
          r.system,
          formatInt(r.n),
          formatOne(r.baselineRssMiB),
          formatOne(r.idleRssMiB),
          formatOne(r.kibPerConnection),
          formatRatio(memoryRatio(r, memoryFloorRowOf(rows, r))),
          formatOne(r.afterBurstRssMiB),
          formatOne(rssGrowthMiB(r)),
        ];
      }),
      { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] },
    ),
  ].join('\n');
}
