// Turns the harness's results object (see results-schema.mjs) into docs/benchmarks.md and the
// SVG charts beside it. The report's entry point: pure rendering lives in render-report.mjs
// (the goals under goals/, one module per section under sections/); this file only writes.
// Figures that were not run are left out; rows with `error` show the error instead of numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderReport } from './render-report.mjs';

export { evaluateGoals } from './goals/evaluate-goals.mjs';
export { TARGETS } from './goals/targets.mjs';
export { renderReport };

/** @typedef {import('./results-schema.mjs').BenchResults} BenchResults */
/** @typedef {import('./goals/goal-items.mjs').Goal} Goal */

/**
 * Writes the markdown report and its SVG charts (`<name>-fanout.svg`, `-fanout-tick.svg`,
 * `-buses.svg`, `-growth.svg`, each only when its figure has data), creating folders as needed.
 * @param {BenchResults} results
 * @param {{ markdownPath: string, svgDir?: string }} options svgDir defaults to the markdown's folder.
 * @returns {Promise<{ markdownPath: string, svgPaths: string[], goals: Goal[] }>}
 */
export async function writeReport(results, { markdownPath, svgDir }) {
  if (!markdownPath) throw new Error('writeReport: markdownPath is required');
  const mdDir = path.dirname(path.resolve(markdownPath));
  const svgFolder = path.resolve(svgDir ?? mdDir);
  let imagePrefix = path.relative(mdDir, svgFolder).split(path.sep).join('/');
  if (imagePrefix) imagePrefix += '/';
  const baseName = path.basename(markdownPath).replace(/\.md$/i, '');
  const { markdown, svgs, goals } = renderReport(results, { imagePrefix, baseName });
  await mkdir(mdDir, { recursive: true });
  await mkdir(svgFolder, { recursive: true });
  const svgPaths = [];
  for (const [name, svg] of Object.entries(svgs)) {
    const file = path.join(svgFolder, name);
    await writeFile(file, svg);
    svgPaths.push(file);
  }
  await writeFile(markdownPath, markdown);
  return { markdownPath: path.resolve(markdownPath), svgPaths, goals };
}
