// Figure 3: cross-instance bus latency and throughput.
// For each broker bus, two processes join one channel: this one publishes, a forked
// `bus-receiver.mjs` receives.
// 1) latency: 1,000 msg/s for 5 s (1 s in smoke mode), paced by the clock; the receiver
//    records publish→receive time, corrected by the measured clock offset between the two
//    processes.
// 2) throughput: publish as fast as possible with 256 publishes in flight for 3 s (1 s in
//    smoke mode); the publisher counts accepted publishes, the receiver counts arrivals.
// The in-process bus has one member only, so it is measured in one process (see `note`).
// Every run uses fresh Redis keys / NATS streams / Kafka topics and deletes them afterwards.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createMemoryBus } from '@sse/core';
import { isListening } from '../../../scripts/lib.mjs';
import { unmeasured } from '../lib/bus-listener.mjs';
import { createBenchBus, now } from './bus-receiver.mjs';

/** Every bus figure 3 knows, in report order. */
export const BUS_KINDS = ['in-process', 'redis-pubsub', 'redis-streams', 'nats', 'kafka'];

const RATE = 1000;
const IN_FLIGHT = 256;
const PADDING = 'x'.repeat(100);
const RECEIVER = fileURLToPath(new URL('./bus-receiver.mjs', import.meta.url));
// Upper bounds on what any one phase may do, whatever the clock says.
const MAX_THROUGHPUT_MESSAGES = 20_000_000;
const MAX_POLLS = 400;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round3 = (value) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value);

/** host:port of the first server in a URL or `host:port[,host:port]` list. */
function firstAddress(spec, defaultPort) {
  const first = String(spec).split(',')[0].trim();
  const url = new URL(first.includes('://') ? first : `tcp://${first}`);
  return { host: url.hostname || '127.0.0.1', port: Number(url.port) || defaultPort };
}

// ---- talking to the receiver -------------------------------------------------------------

/** Sends `message` (unless undefined) and resolves with the first reply carrying `key`. */
function request(child, message, key, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`receiver did not answer "${key}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply) => {
      if (reply.error) {
        cleanup();
        reject(new Error(reply.error));
      } else if (reply[key] !== undefined) {
        cleanup();
        resolve(reply[key]);
      }
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`receiver exited (code ${code}) while waiting for "${key}"`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message);
  });
}

/**
 * The receiver's clock minus ours, from the round trip with the smallest delay of a few
 * IPC pings (error at most half that round trip, typically well under 0.1 ms).
 */
async function clockOffset(child) {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 7; i++) {
    const t0 = now();
    const theirs = await request(child, { cmd: 'clock' }, 'clock');
    const t1 = now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: theirs - (t0 + t1) / 2 };
  }
  return best.offset;
}

/**
 * Polls the receiver until it counted `expected` entries, or its count stopped growing for
 * `quietMs`, or `timeoutMs` passed. Resolves with its last { count, firstAt, lastAt }.
 */
async function waitForArrivals(child, expected, { timeoutMs, quietMs = 1000 }) {
  const started = now();
  let last = { count: -1, firstAt: 0, lastAt: 0 };
  let grewAt = started;
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const current = await request(child, { cmd: 'count' }, 'count');
    if (current.count !== last.count) grewAt = now();
    last = current;
    if (current.count >= expected) break;
    if (now() - grewAt > quietMs || now() - started > timeoutMs) break;
    await sleep(25);
  }
  return last;
}

async function stopReceiver(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    await request(child, { cmd: 'stop' }, 'stopped', 10_000);
  } catch {
    // Not answering: fall through to the kill below.
  }
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await withTimeout(exited, 5000, 'receiver exit').catch(() => {});
  }
}

// ---- the two phases, shared by every bus -------------------------------------------------

/**
 * Publishes at `rate` msg/s for `durationMs`, each payload stamped with the send time
 * (`stamp` false: stamped `w`, for warm-up). Bounded by count (rate × duration) and time.
 */
async function publishPaced(bus, { rate, durationMs, stamp }) {
  const total = Math.round((rate * durationMs) / 1000);
  const start = now();
  const deadline = start + durationMs + 2000;
  let sent = 0;
  let failed = 0;
  let firstError;
  const onError = (error) => {
    failed++;
    firstError ??= error;
  };
  while (sent < total && now() < deadline) {
    const due = Math.min(total, Math.floor(((now() - start) * rate) / 1000) + 1);
    while (sent < due) {
      bus.publish(`${stamp ? now() : 'w'}|${PADDING}`).catch(onError);
      sent++;
    }
    await sleep(1);
  }
  return { sent, failed, firstError };
}

/**
 * Publishes as fast as the bus accepts with IN_FLIGHT publishes outstanding, for
 * `durationMs` (bounded by MAX_THROUGHPUT_MESSAGES and, for a publish that never settles,
 * by a hard deadline). Resolves with accepted publishes per second.
 */
async function publishFlat(bus, durationMs) {
  let inFlight = 0;
  let issued = 0;
  let accepted = 0;
  let failed = 0;
  let firstError;
  const t0 = now();
  const end = t0 + durationMs;
  let settledAt = t0;
  const payload = `t|${PADDING}`;
  await new Promise((resolve) => {
    const hard = setTimeout(resolve, durationMs + 15_000);
    const pump = () => {
      while (inFlight < IN_FLIGHT && issued < MAX_THROUGHPUT_MESSAGES && now() < end) {
        inFlight++;
        issued++;
        bus.publish(payload).then(
          () => {
            accepted++;
            settle();
          },
          (error) => {
            failed++;
            firstError ??= error;
            settle();
          },
        );
      }
      if (inFlight === 0) {
        clearTimeout(hard);
        resolve();
      }
    };
    const settle = () => {
      inFlight--;
      settledAt = now();
      pump();
    };
    pump();
  });
  const seconds = Math.max(settledAt - t0, 1) / 1000;
  return { t0, seconds, accepted, failed, firstError, perSec: accepted / seconds };
}

function latencyFields(raw, offset) {
  const sorted = Float64Array.from(raw, (value) => value - offset).sort();
  return {
    p50Ms: round3(percentile(sorted, 50)),
    p99Ms: round3(percentile(sorted, 99)),
    maxMs: round3(sorted.length ? sorted[sorted.length - 1] : Number.NaN),
    samples: sorted.length,
  };
}

function failureNote({ failed, firstError }, what) {
  return failed ? `${failed} ${what} publishes failed (${firstError?.message ?? firstError})` : '';
}

// ---- one bus -----------------------------------------------------------------------------

async function measureInProcess({ latencyMs, throughputMs, log }) {
  const bus = createMemoryBus();
  const latencies = [];
  let count = 0;
  let lastAt = 0;
  await bus.start({
    ...unmeasured('in-process'),
    entry: ({ payload }) => {
      const at = now();
      count++;
      lastAt = at;
      const sent = Number(payload.slice(0, payload.indexOf('|')));
      if (sent > 0 && latencies.length < 200_000) latencies.push(at - sent);
    },
  });
  try {
    log(`in-process: latency at ${RATE} msg/s for ${latencyMs} ms, then throughput`);
    const paced = await publishPaced(bus, { rate: RATE, durationMs: latencyMs, stamp: true });
    await sleep(10);
    const latency = latencyFields(latencies, 0);
    count = 0;
    const flat = await publishFlat(bus, throughputMs);
    const receivedSeconds = Math.max((lastAt - flat.t0) / 1000, flat.seconds);
    const notes = [
      'one member only (the in-process bus has no second process): publish→entry time in one process; delivery is synchronous inside publish()',
      failureNote(paced, 'latency'),
      failureNote(flat, 'throughput'),
    ];
    return {
      bus: 'in-process',
      rateMsgPerSec: RATE,
      ...latency,
      maxPublishedPerSec: Math.round(flat.perSec),
      maxReceivedPerSec: Math.round(count / receivedSeconds),
      note: notes.filter(Boolean).join('; '),
    };
  } finally {
    await bus.close();
  }
}

async function measureBroker(kind, context) {
  const { latencyMs, throughputMs, log } = context;
  const config = { ...context.busConfig, kind, channel: `bench-${kind}` };
  const startTimeoutMs = kind === 'kafka' ? 60_000 : 15_000;
  const receiver = fork(RECEIVER, [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let publisher;
  try {
    await request(receiver, undefined, 'ready', startTimeoutMs);
    publisher = await createBenchBus(kind, config);
    await withTimeout(
      publisher.start({ ...unmeasured(`${kind} publisher`), entry: () => {} }),
      startTimeoutMs,
      `${kind} start`,
    );
    const offset = await clockOffset(receiver);
    const drainMs = kind === 'kafka' ? 5000 : 2000;

    // Warm-up: connections, JIT and broker-side structures, not recorded.
    const warm = await publishPaced(publisher, { rate: RATE, durationMs: 200, stamp: false });
    await waitForArrivals(receiver, warm.sent, { timeoutMs: drainMs });
    await request(receiver, { cmd: 'reset' }, 'reset');

    log(`${kind}: latency at ${RATE} msg/s for ${latencyMs} ms`);
    const paced = await publishPaced(publisher, {
      rate: RATE,
      durationMs: latencyMs,
      stamp: true,
    });
    await waitForArrivals(receiver, paced.sent, { timeoutMs: drainMs });
    const { latencies } = await request(receiver, { cmd: 'report' }, 'report', 30_000);
    const latency = latencyFields(latencies, offset);
    await request(receiver, { cmd: 'reset' }, 'reset');

    log(`${kind}: throughput with ${IN_FLIGHT} in flight for ${throughputMs} ms`);
    const flat = await publishFlat(publisher, throughputMs);
    const arrived = await waitForArrivals(receiver, flat.accepted, {
      timeoutMs: drainMs + throughputMs,
    });
    // Arrivals per second over the publishing window, or longer if the receiver lagged.
    const receivedSeconds = Math.max((arrived.lastAt - offset - flat.t0) / 1000, flat.seconds);
    const missing = paced.sent - paced.failed - latency.samples;
    const notes = [
      failureNote(paced, 'latency'),
      missing > 0 ? `${missing} of ${paced.sent} latency messages not received` : '',
      failureNote(flat, 'throughput'),
      arrived.count < flat.accepted
        ? `${flat.accepted - arrived.count} of ${flat.accepted} accepted messages not received`
        : '',
    ];
    const note = notes.filter(Boolean).join('; ');
    return {
      bus: kind,
      rateMsgPerSec: RATE,
      ...latency,
      maxPublishedPerSec: Math.round(flat.perSec),
      maxReceivedPerSec: Math.round(arrived.count / receivedSeconds),
      ...(note ? { note } : {}),
    };
  } finally {
    await publisher?.close().catch(() => {});
    await stopReceiver(receiver);
  }
}

// ---- cleanup -----------------------------------------------------------------------------

async function deleteRedisKeys(redisUrl, prefix) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await withTimeout(redis.connect(), 5000, 'redis cleanup connect');
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

async function deleteNatsStreams(natsUrl, prefix) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    const names = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) names.push(name);
      if (names.length > 1000) break;
    }
    for (const name of names) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

async function deleteKafkaTopics(brokers, prefix) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    clientId: 'sse-bench-cleanup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    // The bus's readers join groups named after their topic.
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.includes(prefix));
    if (ours.length) await admin.deleteGroups(ours).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

async function cleanup(kind, { busConfig }) {
  if (kind === 'redis-pubsub' || kind === 'redis-streams')
    await deleteRedisKeys(busConfig.redisUrl, busConfig.prefixes.redis);
  else if (kind === 'nats') await deleteNatsStreams(busConfig.natsUrl, busConfig.prefixes.nats);
  else if (kind === 'kafka')
    await deleteKafkaTopics(busConfig.kafkaBrokers, busConfig.prefixes.kafka);
}

// ---- the figure --------------------------------------------------------------------------

/**
 * Runs figure 3 and resolves with one row per bus (see `BusRow` in
 * `../report/results-schema.mjs`). A bus that fails yields a row with `error`; in smoke mode
 * a broker that does not answer is left out instead, and Kafka is not in the default kinds.
 * @param {{ kinds?: string[], smoke?: boolean, log?: (line: string) => void }} [options]
 * @returns {Promise<import('../report/results-schema.mjs').BusRow[]>}
 */
export async function runBuses({ kinds, smoke = false, log = () => {} } = {}) {
  const wanted = kinds?.length ? kinds : BUS_KINDS.filter((k) => !(smoke && k === 'kafka'));
  for (const kind of wanted)
    if (!BUS_KINDS.includes(kind))
      throw new Error(`unknown bus "${kind}"; known: ${BUS_KINDS.join(', ')}`);
  const id = randomBytes(3).toString('hex');
  const context = {
    latencyMs: smoke ? 1000 : 5000,
    throughputMs: smoke ? 1000 : 3000,
    log,
    busConfig: {
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      natsUrl: process.env.NATS_URL ?? '127.0.0.1:4222',
      kafkaBrokers: process.env.KAFKA_BROKERS,
      prefixes: { redis: `sse-bench-${id}:`, nats: `BENCH_${id}_`, kafka: `sse-bench-${id}.` },
    },
  };
  const { busConfig } = context;
  const addresses = {
    'redis-pubsub': firstAddress(busConfig.redisUrl, 6379),
    'redis-streams': firstAddress(busConfig.redisUrl, 6379),
    nats: firstAddress(busConfig.natsUrl, 4222),
  };

  const rows = [];
  let kafkaBroker;
  try {
    for (const kind of BUS_KINDS.filter((k) => wanted.includes(k))) {
      const started = now();
      try {
        if (kind === 'in-process') {
          rows.push(await measureInProcess(context));
          continue;
        }
        if (kind === 'kafka' && !busConfig.kafkaBrokers) {
          const { startPrivateKafka } = await import('@sse/brokers');
          log('kafka: starting a private broker (@sse/brokers)');
          kafkaBroker = await startPrivateKafka();
          busConfig.kafkaBrokers = kafkaBroker.brokers;
          log(`kafka: broker ${kafkaBroker.brokers} started in ${kafkaBroker.lastStartMs} ms`);
        }
        const address = addresses[kind] ?? firstAddress(busConfig.kafkaBrokers, 9092);
        if (!(await isListening(address.port, address.host))) {
          const message = `${kind}: nothing answers on ${address.host}:${address.port}`;
          if (smoke) {
            log(`${message}; left out of the smoke run`);
            continue;
          }
          throw new Error(message);
        }
        try {
          rows.push(await measureBroker(kind, context));
        } finally {
          await withTimeout(cleanup(kind, context), 20_000, `${kind} cleanup`).catch((error) =>
            log(`${kind}: cleanup failed: ${error.message}`),
          );
        }
      } catch (error) {
        rows.push({ bus: kind, rateMsgPerSec: RATE, error: String(error?.message ?? error) });
      } finally {
        log(`${kind}: done in ${Math.round(now() - started)} ms`);
      }
    }
  } finally {
    await kafkaBroker?.dispose();
  }
  return rows;
}

/**
 * Memory Redis needs for one channel's retained stream at the bus's default retention:
 * fills a fresh stream with 12,000 entries of 200 B (the default keeps 10,000), reads
 * MEMORY USAGE, deletes the keys. Not part of the figure's rows; `bus-latency.mjs` prints it.
 * @returns {Promise<{ entries: number, bytes: number, bytesPerEntry: number }>}
 */
export async function measureStreamRetention({ redisUrl } = {}) {
  const url = redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `sse-bench-${randomBytes(3).toString('hex')}:`;
  const { createRedisBus } = await import('@sse/bus-redis');
  const { Redis } = await import('ioredis');
  const bus = createRedisBus({
    channel: 'bench-memory',
    redis: url,
    keyPrefix: prefix,
    connectTimeoutMs: 5000,
  });
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await bus.start({ ...unmeasured('bus'), entry: () => {} });
    const payload = 'y'.repeat(200);
    for (let i = 0; i < 12_000; i += 200)
      await Promise.all(Array.from({ length: 200 }, () => bus.publish(payload)));
    const key = `${prefix}{bench-memory}:stream`;
    const entries = await redis.xlen(key);
    const bytes = await redis.memory('USAGE', key, 'SAMPLES', 0);
    return { entries, bytes, bytesPerEntry: Math.round(bytes / entries) };
  } finally {
    await bus.close().catch(() => {});
    redis.disconnect();
    await deleteRedisKeys(url, prefix);
  }
}
