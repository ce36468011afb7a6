// Cross-instance latency and throughput of each bus, two processes on one broker.
//   node src/bus-latency.mjs [redis-pubsub redis-streams nats …]   (after `pnpm build`)
// REDIS_URL / NATS_URL point elsewhere.
// 1) latency: process A publishes 1,000 msg/s for 5 s; process B records publish→receive time.
// 2) throughput: A publishes as fast as it can with 256 in flight for 3 s; B counts.
// 3) memory: MEMORY USAGE of a stream filled to the default retention with 200-byte payloads.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createKafkaBus } from '@sse/bus-kafka';
import { createNatsBus } from '@sse/bus-nats';
import { createRedisBus } from '@sse/bus-redis';
import { Redis } from 'ioredis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.NATS_URL ?? '127.0.0.1:4222';

/** Deletes the streams this run created on the shared NATS server. */
async function deleteNatsStreams() {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(natsPrefix)) await jsm.streams.delete(name);
  await nc.close();
}

/** A bus of `kind` on `channel`; every run uses fresh keys / streams / topics. */
function busFor(kind, channel) {
  if (kind === 'kafka')
    return createKafkaBus({
      channel,
      brokers: process.env.KAFKA_BROKERS,
      topicPrefix: natsPrefix.toLowerCase(),
    });
  if (kind === 'nats')
    return createNatsBus({ channel, nats: NATS_URL, streamPrefix: natsPrefix, storage: 'memory' });
  return createRedisBus({
    mode: kind === 'redis-pubsub' ? 'pubsub' : 'streams',
    channel,
    redis: REDIS_URL,
    keyPrefix,
  });
}
const keyPrefix =
  process.argv[2] === 'receiver' ? process.argv[5] : `sse-bench-${randomBytes(3).toString('hex')}:`;
const natsPrefix = `BENCH_${keyPrefix.replace(/[^a-z0-9]/g, '').slice(-6)}_`;
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === 'receiver') {
  const [kind, channel] = process.argv.slice(3);
  const latencies = [];
  let count = 0;
  const bus = busFor(kind, channel);
  await bus.start({
    entry: ({ payload }) => {
      count++;
      const sent = Number(payload.slice(0, payload.indexOf('|')));
      if (sent > 0) latencies.push(now() - sent);
    },
  });
  process.send({ ready: true });
  process.on('message', async (message) => {
    if (message === 'report') process.send({ latencies, count });
    if (message === 'reset') {
      latencies.length = 0;
      count = 0;
    }
    if (message === 'stop') {
      await bus.close();
      process.exit(0);
    }
  });
} else {
  const pct = (values, p) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  };
  const ask = (child, message, key) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m[key] !== undefined) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      if (message) child.send(message);
    });
  const padding = 'x'.repeat(100);
  const kinds =
    process.argv.length > 2
      ? process.argv.slice(2)
      : ['redis-pubsub', 'redis-streams', 'nats', 'kafka'];
  let kafkaBroker;
  if (kinds.includes('kafka') && !process.env.KAFKA_BROKERS) {
    const { startKafka } = await import('../../kafka/kafka.mjs');
    const started = Date.now();
    kafkaBroker = await startKafka();
    process.env.KAFKA_BROKERS = kafkaBroker.brokers;
    console.log(`kafka broker started in ${Date.now() - started} ms (format + start; jars cached)`);
  }
  for (const kind of kinds) {
    const channel = `bench-${kind}`;
    const receiver = fork(new URL(import.meta.url).pathname, [
      'receiver',
      kind,
      channel,
      keyPrefix,
    ]);
    await ask(receiver, undefined, 'ready');
    const bus = busFor(kind, channel);
    await bus.start({ entry: () => {} });

    // 1) latency at 1,000 msg/s, paced by the clock (bounded: 5 s).
    const start = now();
    let sent = 0;
    while (now() - start < 5000) {
      const due = Math.floor((now() - start) / 1);
      while (sent < due && sent < 5000) {
        void bus.publish(`${now()}|${padding}`);
        sent++;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 300));
    const { latencies } = await ask(receiver, 'report', 'latencies');
    receiver.send('reset');

    // 2) max sustained throughput, 256 in flight, bounded: 3 s.
    let inFlight = 0;
    let published = 0;
    const t0 = now();
    await new Promise((resolve) => {
      const pump = () => {
        while (inFlight < 256 && now() - t0 < 3000) {
          inFlight++;
          bus.publish(`0|${padding}`).then(() => {
            inFlight--;
            published++;
            pump();
          });
        }
        if (inFlight === 0) resolve();
      };
      pump();
    });
    const seconds = (now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const { count } = await ask(receiver, 'report', 'count');
    console.log(
      `${kind.padEnd(14)} latency at 1,000 msg/s: p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms (${latencies.length} samples); ` +
        `max ${Math.round(published / seconds)} msg/s published, ${Math.round(count / seconds)} msg/s received`,
    );
    receiver.send('stop');
    await bus.close();
    if (kind === 'nats') await deleteNatsStreams();
  }

  await kafkaBroker?.dispose();

  // 3) memory of the retained stream at the default retention (10,000 × 200 B).
  const fill = createRedisBus({ channel: 'bench-memory', redis: REDIS_URL, keyPrefix });
  await fill.start({ entry: () => {} });
  const payload = 'y'.repeat(200);
  for (let i = 0; i < 12_000; i += 200)
    await Promise.all(Array.from({ length: 200 }, () => fill.publish(payload)));
  const redis = new Redis(REDIS_URL);
  const key = `${keyPrefix}{bench-memory}:stream`;
  const [length, bytes] = [await redis.xlen(key), await redis.memory('USAGE', key, 'SAMPLES', 0)];
  console.log(
    `redis-streams retained ${length} entries of 200 B: ${(bytes / 1024 / 1024).toFixed(2)} MiB (${Math.round(bytes / length)} B/entry)`,
  );
  await fill.close();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
