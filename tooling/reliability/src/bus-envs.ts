import { randomBytes } from 'node:crypto';
import type { BusKind } from './buses.mjs';

/** Where the durable buses live for a test run, with unique names so runs never collide. */
export interface BusEnv {
  readonly kind: BusKind;
  readonly env: Record<string, string>;
}

/**
 * Settings for a durable bus on the shared Redis / NATS, or a Kafka broker the caller
 * started (`kafkaBrokers`), under names unique to this run.
 */
export function durableBusEnv(
  kind: 'redis-streams' | 'nats' | 'kafka',
  channel: string,
  kafkaBrokers = '',
): BusEnv {
  const id = randomBytes(3).toString('hex');
  const common = { BUS: kind, CHANNEL: channel };
  if (kind === 'nats') {
    return {
      kind,
      env: {
        ...common,
        NATS_URL: process.env.NATS_URL ?? '127.0.0.1:4222',
        STREAM_PREFIX: `SSEREL_${id}_`,
      },
    };
  }
  if (kind === 'kafka')
    return {
      kind,
      env: { ...common, KAFKA_BROKERS: kafkaBrokers, TOPIC_PREFIX: `sse-rel-${id}.` },
    };
  return {
    kind,
    env: {
      ...common,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      KEY_PREFIX: `sse-rel-${id}:`,
    },
  };
}
