import { startKafka } from '../../kafka/kafka.mjs';
import type { BusKind } from './buses.mjs';
import { PrivateNats, PrivateRedis } from './processes.js';

/** A broker of its own for one fault test, killed (SIGKILL) and started again by PID. */
export interface PrivateBroker {
  /** Settings for `busFor()` and the instance processes (BUS, CHANNEL and the address). */
  readonly env: Record<string, string>;
  /** kill -9: no shutdown, no goodbye. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills it and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * A private broker for a bus of `kind`: Redis with an fsync-always append-only file for
 * streams (what it acknowledged survives a kill), a plain Redis for pub/sub, `nats-server -js`
 * with file storage, a single-node KRaft Kafka.
 */
export async function privateBroker(
  kind: Exclude<BusKind, 'memory'>,
  channel: string,
): Promise<PrivateBroker> {
  const common = { BUS: kind, CHANNEL: channel };
  if (kind === 'nats') {
    const nats = await PrivateNats.start();
    return {
      env: { ...common, NATS_URL: nats.url, STREAM_PREFIX: 'SSEREL_' },
      kill: () => nats.kill(),
      start: () => nats.start(),
      dispose: () => nats.dispose(),
    };
  }
  if (kind === 'kafka') {
    const kafka = await startKafka();
    return {
      env: { ...common, KAFKA_BROKERS: kafka.brokers, TOPIC_PREFIX: 'sse-rel.' },
      kill: () => kafka.kill(),
      start: async () => {
        await kafka.start();
      },
      dispose: () => kafka.dispose(),
    };
  }
  const redis = await PrivateRedis.start(kind === 'redis-streams');
  return {
    env: { ...common, REDIS_URL: redis.url, KEY_PREFIX: 'sse-rel:' },
    kill: () => redis.kill(),
    start: () => redis.start(),
    dispose: () => redis.dispose(),
  };
}
