import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared Redis the tests use (never flushed: tests use a unique key prefix). */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix unique to this test run. */
export function uniquePrefix(): string {
  return `sse-test:${randomBytes(4).toString('hex')}:`;
}

/** Fails with a clear message naming the address when the shared Redis is unreachable. */
export async function connectShared(): Promise<Redis> {
  const client = new Redis(SHARED_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `The shared Redis at 127.0.0.1:6379 is unreachable (${String(error)}). Start redis-server first.`,
    );
  }
  return client;
}

/** Deletes every key under `prefix` (SCAN, bounded). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await client.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}
