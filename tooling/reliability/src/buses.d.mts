import type { Bus } from '@sse/core';

/** The kinds of bus the reliability tests run on. */
export type BusKind = 'memory' | 'redis-streams' | 'redis-pubsub' | 'nats' | 'kafka';

/** The bus for `kind`, configured from `env` (REDIS_URL, NATS_URL, KAFKA_BROKERS, prefixes, CHANNEL). */
export function busFor(
  kind: BusKind,
  env: Record<string, string | undefined>,
): Promise<Bus | undefined>;
