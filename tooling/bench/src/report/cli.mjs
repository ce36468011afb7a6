// Re-renders docs/benchmarks.md and its charts from a saved results file, without measuring
// again (after a change to the report's layout).
//   node src/report/cli.mjs [docs/benchmarks.json]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from './write-report.mjs';

const file =
  process.argv[2] ?? fileURLToPath(new URL('../../../../docs/benchmarks.json', import.meta.url));
const results = JSON.parse(readFileSync(file, 'utf8'));
const { markdownPath } = await writeReport(results, {
  markdownPath: path.join(path.dirname(file), 'benchmarks.md'),
});
console.log(`wrote ${markdownPath}`);
