import { runBusConformance } from '@sse/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { createRedisBus } from '../src/index.js';
import { type PrivateRedis, startPrivateRedis } from './private-redis.js';
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const keyPrefix = uniquePrefix();
let admin: Redis;
let privateRedis: PrivateRedis;

beforeAll(async () => {
  admin = await connectShared();
  privateRedis = await startPrivateRedis();
});

afterAll(async () => {
  await deleteKeys(admin, keyPrefix);
  admin.disconnect();
  await privateRedis?.stop();
});

runBusConformance({
  name: 'redis-streams',
  test: { describe, it, afterEach },
  createBus: (channel) =>
    createRedisBus({ mode: 'streams', channel, keyPrefix, redis: SHARED_REDIS_URL }),
  capabilities: { retainsHistory: true },
  faults: {
    createBus: (channel) =>
      createRedisBus({
        mode: 'streams',
        channel,
        keyPrefix,
        redis: privateRedis.url,
        publishTimeoutMs: 2000,
      }),
    stop: () => privateRedis.stop(),
    start: () => privateRedis.start(),
    keepsDataAcrossRestart: false,
  },
});
