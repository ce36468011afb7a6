/**
 * `@sse/bus-redis`: a Redis bus for `@sse/core`, in pub/sub (lowest latency) or Streams
 * (durable, replayable) mode.
 * @module
 */

export type {
  RedisBusCommonOptions,
  RedisBusOptions,
  RedisConnectionInput,
  RedisPubSubBusOptions,
  RedisStreamsBusOptions,
  StreamRetention,
} from './options.js';
export { REDIS_BUS_DEFAULTS } from './options.js';
export { createRedisBus } from './redis-bus.js';
