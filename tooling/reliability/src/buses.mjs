// The bus for a kind, configured from an env-like object: shared by the instance processes
// and the tests' publishers so both always sit on the same log.
//   kinds: memory | redis-streams | redis-pubsub | nats | kafka
//   env:   REDIS_URL, KEY_PREFIX, NATS_URL, STREAM_PREFIX, KAFKA_BROKERS, TOPIC_PREFIX, CHANNEL
export async function busFor(kind, env) {
  const channel = env.CHANNEL ?? 'reliability';
  if (kind === 'memory') return undefined;
  if (kind === 'nats') {
    const { createNatsBus } = await import('@sse/bus-nats');
    return createNatsBus({
      channel,
      nats: env.NATS_URL,
      streamPrefix: env.STREAM_PREFIX,
      publishTimeoutMs: 2000,
    });
  }
  if (kind === 'kafka') {
    const { createKafkaBus } = await import('@sse/bus-kafka');
    return createKafkaBus({
      channel,
      brokers: env.KAFKA_BROKERS,
      topicPrefix: env.TOPIC_PREFIX,
      publishTimeoutMs: 3000,
    });
  }
  const { createRedisBus } = await import('@sse/bus-redis');
  return createRedisBus({
    mode: kind === 'redis-pubsub' ? 'pubsub' : 'streams',
    channel,
    keyPrefix: env.KEY_PREFIX ?? 'sse-reliability:',
    redis: env.REDIS_URL,
    publishTimeoutMs: 2000,
  });
}
