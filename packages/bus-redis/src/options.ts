import { SseError } from '@sse/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** Options shared by both modes of {@link createRedisBus}. */
export interface RedisBusCommonOptions {
  /** Namespace of this log: buses on the same channel share it; other channels never see it. */
  readonly channel: string;
  /**
   * How to reach Redis: a URL (`redis://…`, `rediss://…`), ioredis options (Sentinel included),
   * or your own connected `Redis`/`Cluster` client. A client you pass is used for commands and
   * `duplicate()`d for the subscriber; it is never closed by the bus.
   * @default 'redis://127.0.0.1:6379'
   */
  readonly redis?: string | RedisOptions | Redis | Cluster;
  /** Prefix of every key. @default 'sse:' */
  readonly keyPrefix?: string;
  /** Longest a publish may take before it rejects with `SSE_BUS_UNAVAILABLE`. @default 5000 */
  readonly publishTimeoutMs?: number;
  /** Longest `start()` waits for Redis. @default 10000 */
  readonly connectTimeoutMs?: number;
}

/** Streams mode: durable, replayable from Redis. */
export interface RedisStreamsBusOptions extends RedisBusCommonOptions {
  readonly mode?: 'streams';
  /**
   * Retention: keep about this many entries (`XADD MAXLEN ~`). Ignored when `maxAgeMs` is set.
   * @default 10000
   */
  readonly maxLength?: number;
  /** Retention by age instead (`XADD MINID ~ now-maxAgeMs`). */
  readonly maxAgeMs?: number;
  /** Longest one blocking read waits before it is re-issued. @default 5000 */
  readonly blockMs?: number;
  /** Entries fetched per read. @default 500 */
  readonly readCount?: number;
}

/** Pub/sub mode: lowest latency, nothing retained. */
export interface RedisPubSubBusOptions extends RedisBusCommonOptions {
  readonly mode: 'pubsub';
}

/** Options for {@link createRedisBus}. */
export type RedisBusOptions = RedisStreamsBusOptions | RedisPubSubBusOptions;

const CHANNEL = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Checks the options every mode shares. @throws SseError `SSE_INVALID_OPTION` */
export function checkCommonOptions(options: RedisBusCommonOptions): void {
  if (typeof options?.channel !== 'string' || !CHANNEL.test(options.channel)) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `createRedisBus: channel must be 1–200 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(options?.channel)}.`,
    );
  }
  for (const name of ['publishTimeoutMs', 'connectTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new SseError(
        'SSE_INVALID_OPTION',
        `createRedisBus: ${name} must be a positive number, got ${value}.`,
      );
    }
  }
}
