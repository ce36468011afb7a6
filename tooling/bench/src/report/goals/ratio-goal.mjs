// A goal on the ratio of a system to its floor, measured in the same run: the burst, tick
// and window fan-out goals and the memory goal all read this way.
import { formatRatio } from '../format.mjs';
import { failed } from '../result-rows.mjs';
import { labeller, verdict } from './goal-items.mjs';

/** @typedef {import('./goal-items.mjs').Goal} Goal */

/**
 * @typedef {object} RatioEntry A system's row beside its floor's.
 * @property {{ n: number, size?: number, count?: number, system: string }} row
 * @property {{ system: string } | undefined} base The floor's row, when there is one.
 * @property {number | undefined} ratio row / base, when both have numbers.
 */

/**
 * A goal on the ratio of `entries` to their floors: each entry is listed with its ratio,
 * and, when there are several, the worst one leads.
 * @param {string} goal What is measured.
 * @param {string} target The target, as the table shows it.
 * @param {RatioEntry[]} entries
 * @param {number} threshold The ratio to reach.
 * @param {{ atMost?: boolean, worst?: 'min' | 'max', onlyLargestN?: boolean }} [options]
 *   atMost: the ratio must stay at or under the threshold (default: at or over);
 *   worst: which extreme is the worst; onlyLargestN: only the rows at the largest n decide
 *   (the others are listed for reference).
 * @returns {Goal}
 */
export function ratioGoal(
  goal,
  target,
  entries,
  threshold,
  { atMost = false, worst = 'min', onlyLargestN = false } = {},
) {
  if (entries.length === 0) return { goal, target, measured: 'not run', met: undefined };
  const label = labeller(entries.map((e) => e.row));
  const largestN = Math.max(...entries.map((e) => e.row.n));
  const judged = (item) => !onlyLargestN || item.row.n === largestN;
  const items = entries.map((e) => {
    const broken = failed(e.row) ? e.row : failed(e.base) ? e.base : undefined;
    if (broken) return { ...e, text: `${label(e.row)}: error (${broken.system})`, pass: undefined };
    if (!e.base) return { ...e, text: `${label(e.row)}: no floor row`, pass: undefined };
    if (e.ratio === undefined) return { ...e, text: `${label(e.row)}: —`, pass: undefined };
    const pass = atMost ? e.ratio <= threshold : e.ratio >= threshold;
    return { ...e, text: `${label(e.row)}: ${formatRatio(e.ratio)}`, pass };
  });
  const measuredItems = items.filter((i) => i.ratio !== undefined && judged(i));
  const worstItem = measuredItems.reduce(
    (acc, i) => (!acc || (worst === 'min' ? i.ratio < acc.ratio : i.ratio > acc.ratio) ? i : acc),
    undefined,
  );
  const head =
    worstItem && items.length > 1
      ? `${onlyLargestN ? '' : 'worst '}${formatRatio(worstItem.ratio)} (${label(worstItem.row)}); `
      : '';
  return {
    goal,
    target,
    measured: head + items.map((i) => i.text).join(', '),
    met: verdict(items.filter(judged)),
  };
}
