// GitHub-flavoured markdown tables.

/** Makes `text` safe inside a table cell: no line breaks, pipes escaped. */
export function cell(text) {
  return String(text ?? '')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\|/g, '\\|');
}

/**
 * A markdown table. `align` per column: 'left' (default) or 'right' (numbers).
 * @param {string[]} header
 * @param {unknown[][]} rows
 * @param {{ align?: ('left'|'right')[] }} [options]
 * @returns {string}
 */
export function markdownTable(header, rows, { align = [] } = {}) {
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (align[i] === 'right' ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
