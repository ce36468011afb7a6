// The CI smoke run: the whole harness, tiny sizes, a few seconds. Proves that every
// system serves and is counted, every figure runs, and the report is written; the numbers
// themselves mean nothing here (timing belongs to `pnpm bench`, not to tests).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEMS } from './server/systems/index.mjs';

const out = mkdtempSync(path.join(os.tmpdir(), 'sse-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs `run.mjs --smoke` to completion (bounded) and returns its exit code and output. */
function runSmoke(only) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./run.mjs', import.meta.url)),
        '--smoke',
        '--only',
        only,
        '--out',
        out,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smoke run did not finish within 150 s:\n${output}`));
    }, 150_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('pnpm bench --smoke', () => {
  it('measures every system and figure and writes the report', async () => {
    const { code, output } = await runSmoke('fanout,growth,buses');
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'benchmarks.json'), 'utf8'));
    const measured = new Set(results.fanout.map((row) => row.system));
    expect([...measured].sort()).toEqual([...DEFAULT_SYSTEMS].sort());
    for (const row of results.fanout) {
      expect(row.error, `${row.system} ${row.mode}`).toBeUndefined();
      expect(row.deliveriesPerSec).toBeGreaterThan(0);
      expect(row.p99Ms).toBeGreaterThan(0);
    }
    for (const row of results.memory) {
      // At n = 40 the streams partly reuse what the warm-up streams freed, so the per-stream
      // figure can read 0 or below: the smoke run checks that memory was read, not its size.
      expect(row.error, row.system).toBeUndefined();
      expect(row.idleRssMiB).toBeGreaterThan(0);
      expect(Number.isFinite(row.kibPerConnection)).toBe(true);
    }
    expect(results.growth.map((row) => row.error)).toEqual(results.growth.map(() => undefined));
    expect(results.buses.map((row) => row.bus)).toContain('in-process');
    const markdown = readFileSync(path.join(out, 'benchmarks.md'), 'utf8');
    expect(markdown).toContain('## Goals');
    expect(markdown).toContain('## 1. Broadcast fan-out');
  }, 160_000);
});
