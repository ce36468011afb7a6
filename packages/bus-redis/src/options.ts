import { SseError } from '@sse/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** How long entries stay in the stream (streams mode). */
export type StreamRetention =
  /** Keep roughly the newest `maxLen` entries (`XADD … MAXLEN ~ maxLen`). */
  | { readonly maxLen: number }
  /** Keep roughly the entries of the last `maxAgeMs` milliseconds (`XADD … MINID ~ now-maxAgeMs`). */
  | { readonly maxAgeMs: number };

/** Where the bus connects: a URL, ioredis options, or your own client. */
export type RedisConnectionInput =
  /** A `redis://` or `rediss://` URL. The bus creates and closes its connections. */
  | string
  /** Options for `new Redis(options)` (standalone or Sentinel). The bus creates and closes its connections. */
  | RedisOptions
  /**
   * Your own connected `Redis` or `Cluster`. The bus publishes and reads through it, duplicates
   * it for its subscriber / blocking-read connection, closes only the duplicate, never yours.
   */
  | Redis
  | Cluster;

/** Options shared by both modes of {@link createRedisBus}. */
export interface RedisBusCommonOptions {
  /** The namespace (tenant, app) whose members share one log. Never contains `{` or `}`. */
  readonly channel: string;
  /** Where to connect. @default 'redis://127.0.0.1:6379' */
  readonly redis?: RedisConnectionInput;
  /** Prepended to every key and pub/sub channel name. @default 'sse:' */
  readonly keyPrefix?: string;
  /**
   * Longest a `publish()` may take before it rejects with `SSE_BUS_UNAVAILABLE`.
   * @default 5000
   */
  readonly publishTimeoutMs?: number;
  /** Longest `start()` waits for Redis to be ready before rejecting. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Extra ioredis options for connections the bus creates from a URL (ignored for your own client). */
  readonly clientOptions?: RedisOptions;
}

/** Options for the pub/sub mode. */
export interface RedisPubSubBusOptions extends RedisBusCommonOptions {
  /** Lowest latency, nothing retained: Redis PUBLISH with server-assigned sequence numbers. */
  readonly mode: 'pubsub';
}

/** Options for the streams mode. */
export interface RedisStreamsBusOptions extends RedisBusCommonOptions {
  /** Durable: Redis Streams, readable from any retained position. @default 'streams' */
  readonly mode?: 'streams';
  /** Retention bound applied on every `XADD`. @default { maxLen: 10000 } */
  readonly retention?: StreamRetention;
  /** Most entries one blocking `XREAD` returns. @default 500 */
  readonly readBatch?: number;
  /** How long one `XREAD BLOCK` waits before it is re-issued. @default 5000 */
  readonly blockMs?: number;
}

/** Options for {@link createRedisBus}. */
export type RedisBusOptions = RedisPubSubBusOptions | RedisStreamsBusOptions;

/** Defaults, exported for the README and tests. */
export const REDIS_BUS_DEFAULTS: {
  readonly url: string;
  readonly keyPrefix: string;
  readonly publishTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly retention: StreamRetention;
  readonly readBatch: number;
  readonly blockMs: number;
} = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'sse:',
  publishTimeoutMs: 5000,
  connectTimeoutMs: 10_000,
  retention: { maxLen: 10_000 },
  readBatch: 500,
  blockMs: 5000,
};

function invalid(message: string, details: Record<string, unknown>): SseError {
  return new SseError('SSE_INVALID_OPTION', message, { details });
}

/**
 * Checks a positive integer option.
 * @throws SseError `SSE_INVALID_OPTION` when `value` is not a positive safe integer.
 */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved <= 0) {
    throw invalid(`Option "${name}" must be a positive integer, got ${String(value)}.`, {
      name,
      value,
    });
  }
  return resolved;
}

/**
 * Checks the channel name: hash tags (`{…}`) are added by the bus, so braces would break the
 * Cluster slot rule, and control characters would make keys unreadable.
 * @throws SseError `SSE_INVALID_OPTION` for an empty channel or one with `{`, `}` or control characters.
 */
export function checkChannel(channel: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
  if (typeof channel !== 'string' || channel.length === 0 || /[{}\u0000-\u001f]/.test(channel)) {
    throw invalid(
      `Option "channel" must be a non-empty string without "{", "}" or control characters, got ${JSON.stringify(channel)}.`,
      { channel },
    );
  }
  return channel;
}

/**
 * Resolves the retention bound.
 * @throws SseError `SSE_INVALID_OPTION` when neither a positive `maxLen` nor `maxAgeMs` is given.
 */
export function checkRetention(retention: StreamRetention | undefined): StreamRetention {
  const value = retention ?? REDIS_BUS_DEFAULTS.retention;
  if ('maxLen' in value) return { maxLen: positiveInteger('retention.maxLen', value.maxLen, 1) };
  if ('maxAgeMs' in value)
    return { maxAgeMs: positiveInteger('retention.maxAgeMs', value.maxAgeMs, 1) };
  throw invalid('Option "retention" must be { maxLen } or { maxAgeMs }.', { retention });
}
