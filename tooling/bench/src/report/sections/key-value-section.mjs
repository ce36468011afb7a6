// A section of one measurement: a heading, a paragraph and a two-column table (figures 4, 5).
import { markdownTable } from '../markdown-table.mjs';
import { errorCell, failed } from '../result-rows.mjs';

/**
 * A heading, an intro and a `measure | value` table, or the error in place of the table.
 * @param {string} title the heading line, e.g. `## 4. Reconnect storm`.
 * @param {string} intro what was measured.
 * @param {{ error?: unknown }} result the figure's result.
 * @param {[string, string][]} fields measure and formatted value, in table order.
 * @returns {string} markdown.
 */
export function keyValueSection(title, intro, result, fields) {
  const out = [title, '', intro, ''];
  if (failed(result)) out.push(errorCell(result));
  else out.push(markdownTable(['measure', 'value'], fields, { align: ['left', 'right'] }));
  return out.join('\n');
}
