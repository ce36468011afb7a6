// The goals of figure 2, memory: one function per goal, each reading the memory rows of
// the results.
import { formatInt, formatOne, formatRatio } from '../format.mjs';
import { memoryFloorRowOf, memoryRatio, rssGrowthMiB } from '../memory-rows.mjs';
import { failed } from '../result-rows.mjs';
import { verdict } from './goal-items.mjs';
import { ratioGoal } from './ratio-goal.mjs';
import { TARGETS } from './targets.mjs';

/** @typedef {import('../results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./goal-items.mjs').Goal} Goal */

/**
 * KiB per idle connection of @sse/core against floor-coalesced, judged at the largest n.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function memoryPerConnectionGoal(results) {
  const memory = results.memory ?? [];
  const memoryPairs = memory
    .filter((r) => r.system === 'sse-core')
    .map((row) => {
      const base = memoryFloorRowOf(memory, row);
      // Memory rows have no size or count: the labels name n alone.
      return {
        row: { ...row, size: undefined, count: undefined },
        base,
        ratio: memoryRatio(row, base),
      };
    })
    .sort((a, b) => a.row.n - b.row.n);
  // The issue defines this figure at N = 10,000: the largest n run decides, smaller n are
  // listed because a MiB of heap-space or allocator noise is a KiB per stream at n = 1,000.
  const largestN = Math.max(...memoryPairs.map((e) => e.row.n));
  return ratioGoal(
    'Memory per idle connection: @sse/core KiB/connection',
    `≤ ${formatRatio(TARGETS.memoryVsCoalesced)} floor-coalesced${memoryPairs.length > 1 ? ` at the largest n (n=${formatInt(largestN)})` : ''}`,
    memoryPairs,
    TARGETS.memoryVsCoalesced,
    { atMost: true, worst: 'max', onlyLargestN: true },
  );
}

/**
 * How far RSS grows in a burst, for every @sse/core system and n: at most the queue bound
 * per connection times n.
 * @param {BenchResults} results
 * @returns {Goal}
 */
export function rssAfterBurstGoal(results) {
  const rows = (results.memory ?? [])
    .filter(
      (r) => r.system.startsWith('sse-core') && (failed(r) || r.afterBurstRssMiB !== undefined),
    )
    .sort((a, b) => a.system.localeCompare(b.system) || a.n - b.n);
  const systems = new Set(rows.map((r) => r.system)).size > 1;
  const items = rows.map((r) => {
    const name = `${systems ? `${r.system} ` : ''}n=${formatInt(r.n)}`;
    if (failed(r)) return { text: `${name}: error`, pass: undefined };
    const growth = rssGrowthMiB(r);
    if (growth === undefined) return { text: `${name}: —`, pass: undefined };
    const bound = r.n * TARGETS.queueBoundMiBPerConnection;
    return {
      text: `${name}: ${growth >= 0 ? '+' : ''}${formatOne(growth)} MiB (bound ${formatInt(bound)} MiB)`,
      pass: growth <= bound,
    };
  });
  return {
    goal: 'RSS after a burst, above idle RSS with the connections',
    target: `≤ n × ${TARGETS.queueBoundMiBPerConnection} MiB (the per-connection queue bound)`,
    measured: items.length ? items.map((i) => i.text).join(', ') : 'not run',
    met: verdict(items),
  };
}
