// The goals table: every goal with its target, what this run measured and a verdict mark.
import { markdownTable } from '../markdown-table.mjs';

/** @typedef {import('../goals/goal-items.mjs').Goal} Goal */

const metMark = (met) => (met === true ? '✅' : met === false ? '❌' : '—');

/**
 * The `## Goals` section.
 * @param {Goal[]} goals from `evaluateGoals`, in table order.
 * @returns {string} markdown.
 */
export function goalsSection(goals) {
  return [
    '## Goals',
    '',
    markdownTable(
      ['Goal', 'Target', 'Measured', 'Met?'],
      goals.map((g) => [g.goal, g.target, g.measured, metMark(g.met)]),
    ),
    '',
    '✅ met, ❌ missed, — not measured in this run (or a measurement failed: see its section).',
  ].join('\n');
}
