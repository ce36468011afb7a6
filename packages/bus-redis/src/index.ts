/**
 * `@sse/bus-redis`: the `@sse/core` Bus on Redis, in two modes: `streams` (durable,
 * replayable, the default) and `pubsub` (lowest latency, nothing kept).
 * @module
 */
import type { Bus } from '@sse/core';
import type { RedisBusOptions } from './options.js';
import { createRedisPubSubBus } from './pubsub-bus.js';
import { createRedisStreamsBus } from './streams-bus.js';

/**
 * Creates a Redis bus for one channel. Give every instance of your app the same channel.
 *
 * @example
 * ```ts
 * import { createHub } from '@sse/core';
 * import { createRedisBus } from '@sse/bus-redis';
 *
 * const hub = createHub({ bus: createRedisBus({ redis: process.env.REDIS_URL, channel: 'chat' }) });
 * await hub.ready(); // fails fast if Redis is unreachable
 * ```
 * @throws SseError `SSE_INVALID_OPTION` for a bad channel or timeout.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  return options.mode === 'pubsub' ? createRedisPubSubBus(options) : createRedisStreamsBus(options);
}

export type { ChannelKeys } from './keys.js';
export { channelKeys } from './keys.js';
export type {
  RedisBusCommonOptions,
  RedisBusOptions,
  RedisPubSubBusOptions,
  RedisStreamsBusOptions,
} from './options.js';
export type { ParsedPosition } from './position.js';
export { comparePositions, parsePosition } from './position.js';
