// The one command: runs every figure, keeps the raw results as JSON and writes
// docs/benchmarks.md with its charts.
//   pnpm bench                       full run (about 20 min on 2 cores)
//   pnpm bench --smoke               a few seconds: proves the harness works, writes to a temp dir
//   pnpm bench --only fanout,buses   some figures (fanout, growth, buses, reconnect, slow)
//   options: --rounds 5 --peer-rounds 1 --ns 1000,5000,10000 --systems a,b
//            --growth 1000,…,16000 --out DIR
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SYSTEMS, SYSTEMS } from './server/systems/index.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIGURES = ['fanout', 'growth', 'buses', 'reconnect', 'slow'];
const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    'peer-rounds': { type: 'string' },
    ns: { type: 'string' },
    systems: { type: 'string' },
    growth: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(`pnpm bench [options]   (or: node tooling/bench/src/run.mjs [options])
  --smoke              a few seconds: proves the harness works, writes to a temp dir
  --only LIST          some figures: ${FIGURES.join(',')}
  --rounds N           alternating rounds of figures 1, 2 and 6 (default 5)
  --peer-rounds N      rounds for better-sse, express-sse, socket.io (default 1)
  --ns LIST            connection counts for figures 1 and 2 (default 1000,5000,10000)
  --growth LIST        connection counts for figure 6 (default 1000,2000,4000,8000,16000)
  --systems LIST       systems to run (default: ${DEFAULT_SYSTEMS.join(',')}; also: ${Object.keys(
    SYSTEMS,
  )
    .filter((name) => !DEFAULT_SYSTEMS.includes(name))
    .join(',')})
  --out DIR            where benchmarks.{md,json} and the charts go (default docs/)
  BENCH_CPU_PROF=DIR   write a CPU profile of every server process to DIR`);
  process.exit(0);
}
const list = (text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const numbers = (text) => list(text).map(Number);

raiseFileLimit(16_500);
const smoke = args.smoke;
const only = args.only ? list(args.only) : FIGURES;
for (const figure of only)
  if (!FIGURES.includes(figure)) throw new Error(`--only: unknown figure "${figure}" (${FIGURES})`);
const fileLimit = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim()) || 1024;
const fits = (n) => n + 200 <= fileLimit;
// Five alternating rounds for the floors and our own systems: on a shared machine one round
// in three can be 30% off, and the goals sit within 10% of the floor. One for the peers: they
// are 10× to 50× from any goal, and opening 10,000 streams to them takes a minute a round.
const rounds = Number(args.rounds ?? (smoke ? 1 : 5));
const peerRounds = Number(args['peer-rounds'] ?? 1);
const ns = (args.ns ? numbers(args.ns) : smoke ? [40] : [1000, 5000, 10_000]).filter(fits);
const growthNs = (
  args.growth ? numbers(args.growth) : smoke ? [20, 40] : [1000, 2000, 4000, 8000, 16_000]
).filter(fits);
const systems = args.systems ? list(args.systems) : DEFAULT_SYSTEMS;
const outDir =
  args.out ?? (smoke ? mkdtempSync(path.join(os.tmpdir(), 'sse-bench-')) : path.join(ROOT, 'docs'));
mkdirSync(outDir, { recursive: true });
const log = (line) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemGiB: Math.round(os.totalmem() / 2 ** 30),
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    rounds,
    peerRounds,
    smoke,
    fileLimit,
  },
};
const started = Date.now();
const jsonPath = path.join(outDir, 'benchmarks.json');
/** Keeps what has been measured so far: a later figure that crashes loses nothing. */
const save = () => writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
if (only.includes('fanout')) {
  const { runFanout } = await import('./figures/fanout.mjs');
  Object.assign(results, await runFanout({ ns, systems, rounds, peerRounds, smoke, log }));
  save();
}
if (only.includes('growth')) {
  const { runGrowth } = await import('./figures/fanout.mjs');
  const growthSystems = systems.filter((s) => s === 'floor-coalesced' || s === 'sse-core');
  results.growth = await runGrowth({ ns: growthNs, systems: growthSystems, rounds, smoke, log });
  save();
}
if (only.includes('buses')) {
  const { runBuses } = await import('./figures/buses.mjs');
  log('buses');
  results.buses = await runBuses({ smoke, log });
  save();
}
if (only.includes('reconnect')) {
  const { runReconnectStorm } = await import('./figures/reconnect-storm.mjs');
  log('reconnect storm');
  results.reconnect = await runReconnectStorm({ smoke, log });
  save();
}
if (only.includes('slow')) {
  const { runSlowConsumers } = await import('./figures/slow-consumers.mjs');
  log('slow consumers');
  results.slow = await runSlowConsumers({ smoke, log });
  save();
}
results.meta.durationS = Math.round((Date.now() - started) / 1000);

const { writeReport } = await import('./report/write-report.mjs');
save();
const { markdownPath, goals } = await writeReport(results, {
  markdownPath: path.join(outDir, 'benchmarks.md'),
});
log(`wrote ${markdownPath} in ${results.meta.durationS} s`);
for (const goal of goals)
  log(
    `${goal.met === true ? 'met   ' : goal.met === false ? 'MISSED' : '  —   '} ${goal.goal}: ${goal.measured}`,
  );

/**
 * Re-executes this process with the open-file limit raised to the hard limit when the soft
 * one is below `wanted` (each stream is a descriptor in the server and in the load process).
 */
function raiseFileLimit(wanted) {
  if (process.env.SSE_BENCH_LIMIT_RAISED) return;
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim());
  if (!(soft < wanted)) return;
  const result = spawnSync(
    'sh',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
      process.execPath,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, SSE_BENCH_LIMIT_RAISED: '1' } },
  );
  process.exit(result.status ?? 1);
}
