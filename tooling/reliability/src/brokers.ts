import {
  type PrivateBroker,
  startPrivateKafka,
  startPrivateNats,
  startPrivateRedis,
} from '@sse/brokers';
import type { BusKind } from './buses.mjs';

/** A broker of its own for one fault test, killed (SIGKILL) and started again by PID. */
export interface BusBroker extends Pick<PrivateBroker, 'kill' | 'start' | 'dispose'> {
  /** Settings for `busFor()` and the instance processes (BUS, CHANNEL and the address). */
  readonly env: Record<string, string>;
}

/**
 * A private broker for a bus of `kind`: Redis with an fsync-always append-only file for
 * streams (what it acknowledged survives a kill), a plain Redis for pub/sub, `nats-server -js`
 * with file storage, a single-node KRaft Kafka.
 */
export async function privateBroker(
  kind: Exclude<BusKind, 'memory'>,
  channel: string,
): Promise<BusBroker> {
  const common = { BUS: kind, CHANNEL: channel };
  if (kind === 'nats') {
    const nats = await startPrivateNats();
    return { ...lifecycle(nats), env: { ...common, NATS_URL: nats.url, STREAM_PREFIX: 'SSEREL_' } };
  }
  if (kind === 'kafka') {
    const kafka = await startPrivateKafka();
    return {
      ...lifecycle(kafka),
      env: { ...common, KAFKA_BROKERS: kafka.brokers, TOPIC_PREFIX: 'sse-rel.' },
    };
  }
  const redis = await startPrivateRedis({ appendOnly: kind === 'redis-streams' });
  return { ...lifecycle(redis), env: { ...common, REDIS_URL: redis.url, KEY_PREFIX: 'sse-rel:' } };
}

/** The part a fault test uses (the brokers' methods are bound, so they are handed on as is). */
function lifecycle(broker: PrivateBroker): Omit<BusBroker, 'env'> {
  return { kill: broker.kill, start: broker.start, dispose: broker.dispose };
}
