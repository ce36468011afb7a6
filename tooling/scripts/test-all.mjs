// Runs every check and test in the repository, in order, and ends with one summary line
// `tests: N passed, N failed, N skipped`. Exit code 0 only when everything passed.
// Assumes setup.mjs ran (npm test does both).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fail, log, pnpmCommand, run, workspacePackages } from './lib.mjs';
import { ensureServices } from './services.mjs';

const pnpm = pnpmCommand() ?? fail('pnpm is missing: run `npm test`, which sets it up');
const started = Date.now();
const failures = [];

try {
  await ensureServices();
} catch (error) {
  fail(error.message);
}

log('static checks: biome, typecheck, publint + attw');
if ((await run(pnpm, ['exec', 'biome', 'check', '.'])) !== 0) failures.push('lint (biome check)');
if ((await run(pnpm, ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'])) !== 0)
  failures.push('typecheck');
if (
  (await run(pnpm, ['exec', 'turbo', 'run', 'lint:package', '--output-logs=errors-only'])) !== 0
) {
  failures.push('package lint (publint/attw)');
}

const out = mkdtempSync(path.join(os.tmpdir(), 'sse-test-results-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const only = process.argv.slice(2);
for (const { manifest } of workspacePackages()) {
  if (!manifest.scripts?.test) continue;
  if (only.length > 0 && !only.includes(manifest.name)) continue;
  const file = path.join(out, `${manifest.name.replace(/[@/]/g, '_')}.json`);
  log(`testing ${manifest.name}`);
  const code = await run(pnpm, [
    '--filter',
    manifest.name,
    'run',
    'test',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${file}`,
  ]);
  let counted = false;
  try {
    const result = JSON.parse(readFileSync(file, 'utf8'));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
    counted = true;
  } catch {
    // No report: the run crashed before vitest could write one.
  }
  if (code !== 0 || !counted) failures.push(`${manifest.name} tests (exit ${code})`);
}
rmSync(out, { recursive: true, force: true });

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (failures.length > 0) log(`failed: ${failures.join(', ')}`);
log(`finished in ${minutes} min`);
process.stdout.write(
  `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exit(failures.length > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
