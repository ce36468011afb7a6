/**
 * Private brokers for tests and tooling (never published): a free port, and a
 * `redis-server`, `nats-server -js`, Kafka (KRaft, from Maven Central) or PostgreSQL of a
 * test's own, each on 127.0.0.1 and free ports, with its data in a temp dir, stopped,
 * crashed (`kill -9`) and restarted by PID. The shared brokers (Redis on 6379, NATS on
 * 4222) are never touched by this package.
 *
 * @example
 * ```ts
 * import { startPrivateRedis } from '@sse/brokers';
 * let redis: PrivateRedis;
 * beforeAll(async () => { redis = await startPrivateRedis(); });
 * afterAll(() => redis?.dispose());
 * ```
 * @module
 */

export { freePort } from './free-port.js';
export type { PrivateKafka, PrivateKafkaOptions } from './kafka.js';
export { fetchKafka, startPrivateKafka } from './kafka.js';
export type { PrivateNats } from './nats.js';
export { startPrivateNats } from './nats.js';
export type { PrivatePostgres, PrivatePostgresOptions } from './postgres.js';
export { startPrivatePostgres } from './postgres.js';
export type { PrivateBroker } from './private-broker.js';
export type { PrivateRedis, PrivateRedisOptions } from './redis.js';
export { startPrivateRedis } from './redis.js';
