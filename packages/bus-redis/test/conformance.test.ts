import { type PrivateRedis, startPrivateRedis } from '@sse/brokers';
import { runBusConformance, runScaleOutConformance } from '@sse/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { createRedisBus } from '../src/index.js';
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

// Both modes against the shared Redis (unique key prefix, deleted afterwards); the fault
// cases against a private redis-server that the suite kills and restarts by PID.
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
  await privateRedis?.dispose();
});

// Positions are `<epoch>:<id>` with a 16-hex-digit epoch; an all-zero one was never drawn.
const foreignEpoch = (position: string): string =>
  `0000000000000000:${position.slice(position.indexOf(':') + 1)}`;

for (const mode of ['pubsub', 'streams'] as const) {
  runBusConformance({
    name: `redis-${mode}`,
    test: { describe, it, afterEach },
    createBus: (channel) => createRedisBus({ mode, channel, keyPrefix, redis: SHARED_REDIS_URL }),
    capabilities: { retainsHistory: mode === 'streams', deduplicates: true },
    faults: {
      createBus: (channel) =>
        createRedisBus({
          mode,
          channel,
          keyPrefix,
          redis: privateRedis.url,
          publishTimeoutMs: 2000,
        }),
      stop: () => privateRedis.kill(),
      start: () => privateRedis.start(),
      keepsDataAcrossRestart: false,
    },
  });

  runScaleOutConformance({
    name: `redis-${mode}`,
    test: { describe, it, beforeAll, afterAll, afterEach },
    createBus: (channel) => createRedisBus({ mode, channel, keyPrefix, redis: SHARED_REDIS_URL }),
    capabilities: { retainsHistory: mode === 'streams', foreignEpoch },
  });
}
