import { SseError } from '@sse/core';
import type { RedisOptions } from 'ioredis';
import {
  checkChannel,
  positiveInteger,
  REDIS_BUS_DEFAULTS,
  type RedisBusCommonOptions,
  type RedisConnectionInput,
} from './options.js';

/** Common options with defaults applied and values checked. */
export interface ResolvedCommon {
  readonly channel: string;
  readonly keyPrefix: string;
  readonly redis: RedisConnectionInput | undefined;
  readonly clientOptions: RedisOptions | undefined;
  readonly defaultUrl: string;
  readonly publishTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/**
 * Applies defaults to the options both modes share.
 * @throws SseError `SSE_INVALID_OPTION` for a bad channel, prefix or timeout.
 */
export function resolveCommon(options: RedisBusCommonOptions): ResolvedCommon {
  const keyPrefix = options.keyPrefix ?? REDIS_BUS_DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
    // The bus adds the hash tag itself; a brace in the prefix would move keys to other slots.
    throw new SseError(
      'SSE_INVALID_OPTION',
      `Option "keyPrefix" must be a string without "{" or "}", got ${JSON.stringify(keyPrefix)}.`,
      { details: { keyPrefix } },
    );
  }
  return {
    channel: checkChannel(options.channel),
    keyPrefix,
    redis: options.redis,
    clientOptions: options.clientOptions,
    defaultUrl: REDIS_BUS_DEFAULTS.url,
    publishTimeoutMs: positiveInteger(
      'publishTimeoutMs',
      options.publishTimeoutMs,
      REDIS_BUS_DEFAULTS.publishTimeoutMs,
    ),
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      REDIS_BUS_DEFAULTS.connectTimeoutMs,
    ),
  };
}
