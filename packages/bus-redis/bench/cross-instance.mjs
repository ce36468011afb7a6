// Cross-instance benchmark for @sse/bus-redis (not a test; timing claims live here).
//   pnpm --filter @sse/bus-redis build && node packages/bus-redis/bench/cross-instance.mjs
// Env: REDIS_URL (default redis://127.0.0.1:6379), RATE (1000), SECONDS (5), BURST (20000).
// Process A (this one) publishes, process B (a forked child) receives; both run the bus.
// Reports, per mode: latency p50/p99/max from publish() in A to entry() in B at RATE msg/s,
// maximum sustained msg/s through one channel (BURST messages, 256 in flight), and for
// streams the Redis memory of the stream at the default retention with 200-byte messages.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createRedisBus, REDIS_BUS_DEFAULTS } from '../dist/index.mjs';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 5);
const BURST = Number(process.env.BURST ?? 20_000);
const IN_FLIGHT = 256;
// Wall-clock milliseconds with sub-millisecond resolution, comparable across processes.
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === 'receiver')
  await receiver(process.argv[3], process.argv[4], process.argv[5]);
else await main();

/** Process B: time-stamped entries feed the latency list; the burst is only counted. */
async function receiver(mode, channel, keyPrefix) {
  const latencies = [];
  let counted = 0;
  let target = Number.POSITIVE_INFINITY;
  const bus = createRedisBus({ mode, channel, keyPrefix, redis: REDIS_URL });
  await bus.start({
    entry: ({ payload }) => {
      if (payload.startsWith('L'))
        latencies.push(now() - Number(payload.slice(1, payload.indexOf(' '))));
      else if (++counted === target) process.send({ burstDoneAt: now() });
    },
  });
  process.on('message', async (message) => {
    if (message.report) process.send({ latencies });
    if (message.expect) target = message.expect;
    if (message.exit) {
      await bus.close();
      process.exit(0);
    }
  });
  process.send({ ready: true });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sends `message` (if any) to the child and waits, at most 60 s, for a reply holding `key`. */
async function request(child, message, key) {
  let onMessage;
  const reply = new Promise((resolve) => {
    onMessage = (m) => {
      if (key in m) resolve(m);
    };
    child.on('message', onMessage);
  });
  if (message) child.send(message);
  const timer = setTimeout(() => {
    console.error(`the receiver did not answer "${key}" within 60 s`);
    child.kill('SIGKILL');
    process.exit(1);
  }, 60_000);
  try {
    return await reply;
  } finally {
    clearTimeout(timer);
    child.off('message', onMessage);
  }
}

async function runMode(mode, keyPrefix) {
  const channel = `bench-${mode}`;
  const child = fork(fileURLToPath(import.meta.url), ['receiver', mode, channel, keyPrefix], {
    stdio: 'inherit',
  });
  await request(child, undefined, 'ready');
  const bus = createRedisBus({ mode, channel, keyPrefix, redis: REDIS_URL });
  await bus.start({ entry: () => {} });

  // 1. Latency at a steady RATE for SECONDS: every 5 ms tick sends what the schedule owes.
  const pad = 'x'.repeat(150);
  const total = RATE * SECONDS;
  const started = now();
  const pending = [];
  let sent = 0;
  while (sent < total) {
    const owed = Math.min(total, Math.floor(((now() - started) / 1000) * RATE));
    for (; sent < owed; sent++) pending.push(bus.publish(`L${now()} ${pad}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { latencies } = await request(child, { report: true }, 'latencies');
  latencies.sort((a, b) => a - b);

  // 2. Maximum sustained throughput: BURST messages, at most IN_FLIGHT publishes pending.
  child.send({ expect: BURST });
  const burstStart = now();
  const done = request(child, undefined, 'burstDoneAt');
  let next = 0;
  const worker = async () => {
    while (next < BURST) await bus.publish(`B${next++} ${pad}`);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const { burstDoneAt } = await done;
  const throughput = BURST / ((burstDoneAt - burstStart) / 1000);

  child.send({ exit: true });
  await once(child, 'exit');
  await bus.close();
  const fixed = (value) => (value === undefined ? 'n/a' : value.toFixed(2));
  return {
    mode,
    'latency received': `${latencies.length}/${total}`,
    'p50 ms': fixed(percentile(latencies, 50)),
    'p99 ms': fixed(percentile(latencies, 99)),
    'max ms': fixed(latencies.at(-1)),
    'max msg/s': Math.round(throughput),
  };
}

/** Fills a stream past the default retention with 200-byte messages, then asks Redis. */
async function streamMemory(keyPrefix, admin) {
  const channel = 'bench-memory';
  const bus = createRedisBus({ mode: 'streams', channel, keyPrefix, redis: REDIS_URL });
  await bus.start({ entry: () => {} });
  const retention = REDIS_BUS_DEFAULTS.retention;
  const fill = (retention.maxLen ?? 10_000) + 2_000;
  const payload = randomBytes(150).toString('base64').slice(0, 200);
  for (let i = 0; i < fill; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, fill - i) }, () => bus.publish(payload)));
  }
  const key = `${keyPrefix}{${channel}}:stream`;
  const [bytes, length] = await Promise.all([
    admin.memory('USAGE', key, 'SAMPLES', 0),
    admin.xlen(key),
  ]);
  await bus.close();
  return {
    retention: JSON.stringify(retention),
    published: fill,
    'entries kept': length,
    'MEMORY USAGE bytes': bytes,
    'bytes/entry': Math.round(bytes / length),
  };
}

async function main() {
  const keyPrefix = `sse-bench:${randomBytes(4).toString('hex')}:`;
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    console.log(
      `Redis ${REDIS_URL}; latency at ${RATE} msg/s for ${SECONDS} s; throughput over ${BURST} messages ` +
        `(${IN_FLIGHT} in flight); ~170-byte payloads; publisher and receiver in separate processes`,
    );
    const rows = [];
    for (const mode of ['pubsub', 'streams']) rows.push(await runMode(mode, keyPrefix));
    console.table(rows);
    console.table([await streamMemory(keyPrefix, admin)]);
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    admin.disconnect();
  }
}
