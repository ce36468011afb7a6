import { randomBytes } from 'node:crypto';
import { runBusConformance } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { createRedisBus } from '../src/index.js';
import { deleteKeys, PrivateRedis } from './private-redis.js';

const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A distinct prefix per run: runs can overlap and leave nothing behind.
const keyPrefix = `sse-test-${randomBytes(4).toString('hex')}:`;
let privateRedis: PrivateRedis;

beforeAll(async () => {
  privateRedis = await PrivateRedis.start();
});

afterAll(async () => {
  await privateRedis?.stop();
  await deleteKeys(SHARED_URL, keyPrefix);
});

for (const mode of ['streams', 'pubsub'] as const) {
  runBusConformance({
    name: `redis-${mode}`,
    test: { describe, it, afterEach },
    createBus: (channel) => createRedisBus({ mode, channel, redis: SHARED_URL, keyPrefix }),
    capabilities: { retainsHistory: mode === 'streams' },
    faults: {
      createBus: (channel) =>
        createRedisBus({
          mode,
          channel,
          redis: privateRedis.url,
          keyPrefix,
          publishTimeoutMs: 2000,
        }),
      stop: () => privateRedis.stop(),
      start: () => privateRedis.start(),
      // Nothing is persisted: a restarted private Redis is empty (a new epoch).
      keepsDataAcrossRestart: false,
    },
  });
}
