// Instructions, not seconds: the same fan-out run by two builds of @sse/core under valgrind's
// callgrind, which counts the server process's instructions. The count repeats within a few
// tenths of a percent whatever else the machine is doing, so a refactor can be held to "no
// slower" on a busy 2-core machine where timings swing by 100%.
//   node src/instructions.mjs <baseline dist/index.mjs> <candidate dist/index.mjs> [--rounds 2]
// Needs valgrind (apt-get install -y valgrind). Not part of `pnpm bench` or CI.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 2);
const [baseline, candidate] = args.filter(
  (a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds',
);
if (!baseline || !candidate) {
  console.error(
    'usage: node src/instructions.mjs <baseline dist/index.mjs> <candidate dist/index.mjs>',
  );
  process.exit(2);
}
const server = fileURLToPath(new URL('./instructions/server.mjs', import.meta.url));
const workloads = [
  {
    name: 'bursts: 200 streams, 20 × 100 broadcasts in one turn',
    args: ['200', '20', '100', 'burst'],
  },
  { name: 'one per turn: 200 streams, 10 × 100 broadcasts', args: ['200', '10', '100', 'tick'] },
];

function count(file, workload) {
  // --single-threaded: V8 compiles and collects on the main thread, so the count repeats.
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      '--single-threaded',
      server,
      file,
      ...workload.args,
    ],
    { encoding: 'utf8', timeout: 1_800_000 },
  );
  const collected = /Collected : (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || !collected)
    throw new Error(`callgrind failed: ${run.stderr?.slice(-400)}`);
  return Number(collected[1]);
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
for (const workload of workloads) {
  const counts = { baseline: [], candidate: [] };
  for (let round = 0; round < rounds; round++) {
    counts.baseline.push(count(baseline, workload));
    counts.candidate.push(count(candidate, workload));
  }
  const ratio = median(counts.candidate) / median(counts.baseline);
  console.log(
    `${workload.name}: baseline ${median(counts.baseline).toLocaleString('en')}, candidate ${median(counts.candidate).toLocaleString('en')} instructions: ${ratio.toFixed(3)}×`,
  );
}
