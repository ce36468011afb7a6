import type { Bus } from '@sse/core';
import { SseError } from '@sse/core';
import type { RedisBusOptions, RedisStreamsBusOptions } from './options.js';
import { createPubSubBus } from './pubsub-bus.js';
import { createStreamsBus } from './streams-bus.js';

/**
 * Creates a Redis bus for one channel. Give every instance of your app the same `channel`
 * (and `keyPrefix`); they then share one ordered log.
 *
 * - `mode: 'pubsub'`: lowest latency, nothing retained (`retainsHistory: false`); missed
 *   messages during a disconnect are reported through `listener.gap()`.
 * - `mode: 'streams'` (the default): durable; clients that reconnect to any instance replay from Redis.
 *
 * Both modes deduplicate: a publish with an idempotency key is appended once per window, in
 * the same Lua script as the append.
 *
 * @param options - see {@link RedisBusOptions}.
 * @returns a {@link Bus} to pass to `createHub({ bus })`.
 * @throws SseError `SSE_INVALID_OPTION` for an unknown mode or an invalid option.
 * @example
 * ```ts
 * import { createHub } from '@sse/core';
 * import { createRedisBus } from '@sse/bus-redis';
 *
 * const bus = createRedisBus({ mode: 'streams', channel: 'chat', redis: 'redis://127.0.0.1:6379' });
 * const hub = createHub({ bus });
 * await hub.ready();
 * ```
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const mode = (options as { mode?: unknown }).mode;
  if (mode === 'pubsub') return createPubSubBus(options as RedisBusOptions & { mode: 'pubsub' });
  if (mode === 'streams' || mode === undefined)
    return createStreamsBus(options as RedisStreamsBusOptions);
  throw new SseError(
    'SSE_INVALID_OPTION',
    `Option "mode" must be 'pubsub' or 'streams', got ${JSON.stringify(mode)}.`,
    {
      details: { mode },
    },
  );
}
