// Figure 3, the receiving member: a second process on the same channel as the publisher in
// `buses.mjs`. It records publish→receive time of every stamped entry and counts the rest.
//   forked by buses.mjs with one argument: JSON { kind, channel, redisUrl, natsUrl, kafkaBrokers, prefixes }
// Also exports `createBenchBus`, which both processes use to build the same bus.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { unmeasured } from '../lib/bus-listener.mjs';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * A bus of `kind` on `config.channel`, under this run's own key / stream / topic prefix so
 * that its data can be found and deleted afterwards. Broker drivers load only when used.
 * @param {'redis-pubsub'|'redis-streams'|'nats'|'kafka'} kind
 * @param {{ channel: string, redisUrl: string, natsUrl: string, kafkaBrokers?: string,
 *   prefixes: { redis: string, nats: string, kafka: string } }} config
 */
export async function createBenchBus(kind, config) {
  if (kind === 'kafka') {
    const { createKafkaBus } = await import('@sse/bus-kafka');
    return createKafkaBus({
      channel: config.channel,
      brokers: config.kafkaBrokers,
      topicPrefix: config.prefixes.kafka,
    });
  }
  if (kind === 'nats') {
    const { createNatsBus } = await import('@sse/bus-nats');
    return createNatsBus({
      channel: config.channel,
      nats: config.natsUrl,
      streamPrefix: config.prefixes.nats,
      storage: 'memory',
    });
  }
  if (kind === 'redis-pubsub' || kind === 'redis-streams') {
    const { createRedisBus } = await import('@sse/bus-redis');
    return createRedisBus({
      mode: kind === 'redis-pubsub' ? 'pubsub' : 'streams',
      channel: config.channel,
      redis: config.redisUrl,
      keyPrefix: config.prefixes.redis,
      connectTimeoutMs: 5000,
    });
  }
  throw new Error(`unknown bus kind "${kind}"`);
}

// At most this many latency samples are kept (5 s at 1,000 msg/s is 5,000).
const MAX_SAMPLES = 200_000;

async function receive() {
  const config = JSON.parse(process.argv[2]);
  // The parent went away: nothing will ever ask for a report or a stop.
  process.on('disconnect', () => process.exit(0));
  const latencies = [];
  let count = 0;
  let firstAt = 0;
  let lastAt = 0;
  let bus;
  try {
    bus = await createBenchBus(config.kind, config);
    await bus.start({
      ...unmeasured(`receiver (${config.kind})`),
      entry: ({ payload }) => {
        const at = now();
        count++;
        if (firstAt === 0) firstAt = at;
        lastAt = at;
        // Payload: `<stamp>|<padding>`; the stamp is the publisher's now(), or a letter for
        // warm-up and throughput entries, which carry no timing.
        const sent = Number(payload.slice(0, payload.indexOf('|')));
        if (sent > 0 && latencies.length < MAX_SAMPLES) latencies.push(at - sent);
      },
    });
  } catch (error) {
    process.send({ error: `receiver could not start: ${error?.message ?? error}` });
    process.exit(1);
  }
  process.on('message', async (message) => {
    if (message.cmd === 'clock') process.send({ clock: now() });
    else if (message.cmd === 'count') process.send({ count: { count, firstAt, lastAt } });
    else if (message.cmd === 'report') process.send({ report: { latencies, count } });
    else if (message.cmd === 'reset') {
      latencies.length = 0;
      count = 0;
      firstAt = 0;
      lastAt = 0;
      process.send({ reset: true });
    } else if (message.cmd === 'stop') {
      await bus.close().catch(() => {});
      process.send({ stopped: true });
      process.exit(0);
    }
  });
  process.send({ ready: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await receive();
