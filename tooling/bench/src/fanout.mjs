// Broadcast fan-out benchmark: bursts of `count` messages to N connections, deliveries per
// second for @sse/core and the two plain node:http floors, alternating runs (A B C A B C…)
// in one session; prints medians and ratios against the coalesced floor.
//   node src/fanout.mjs [--n 2000] [--count 200] [--size 128] [--rounds 3] [--smoke]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const smoke = args.includes('--smoke');
const N = arg('n', smoke ? 50 : 2000);
const COUNT = arg('count', smoke ? 20 : 200);
const SIZE = arg('size', 128);
const ROUNDS = arg('rounds', smoke ? 1 : 3);
const SYSTEMS = ['floor-frame', 'floor-coalesced', 'sse-core'];
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

function once(child, key, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${key}"`)), timeoutMs);
    const onMessage = (message) => {
      if (message[key] === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message[key]);
    };
    child.on('message', onMessage);
  });
}

async function measure(system) {
  const server = fork(here('./fanout-server.mjs'), [system], { stdio: 'inherit' });
  const port = await once(server, 'port');
  const load = fork(here('./fanout-load.mjs'), [String(port), String(N)], { stdio: 'inherit' });
  try {
    await once(load, 'open');
    for (;;) {
      server.send({ count: true });
      if ((await once(server, 'connections')) >= N) break;
    }
    // Warm-up burst, then the measured one.
    const results = [];
    for (const phase of ['warm', 'measure']) {
      load.send({ expect: N * COUNT });
      const reached = once(load, 'reached');
      const t0 = process.hrtime.bigint();
      server.send({ burst: { count: COUNT, size: SIZE } });
      await reached;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (phase === 'measure') results.push((N * COUNT) / seconds);
    }
    return results[0];
  } finally {
    load.kill();
    server.kill();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const samples = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const system of SYSTEMS) samples[system].push(await measure(system));
}
const floor = median(samples['floor-coalesced']);
console.log(
  `\nBroadcast fan-out: ${N} connections, bursts of ${COUNT} x ${SIZE} B, median of ${ROUNDS} alternating runs`,
);
console.log('system            deliveries/s   vs coalesced floor');
for (const system of SYSTEMS) {
  const value = median(samples[system]);
  console.log(
    `${system.padEnd(17)} ${(value / 1e6).toFixed(2).padStart(9)}M   ${(value / floor).toFixed(2)}x`,
  );
}
