import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../src/index.js';
import { alive, exchange, refused } from './probes.js';

const started: PrivateRedis[] = [];
afterAll(async () => {
  await Promise.all(started.map((redis) => redis.dispose()));
});

async function start(appendOnly: boolean): Promise<PrivateRedis> {
  const redis = await startPrivateRedis({ appendOnly });
  started.push(redis);
  return redis;
}

const command = (
  redis: PrivateRedis,
  line: string,
  until: RegExp,
  timeoutMs?: number,
): Promise<string> => exchange(redis.port, `${line}\r\n`, until, timeoutMs);

describe('startPrivateRedis', () => {
  it('answers on 127.0.0.1 and a free port; kill -9 by PID loses everything; dispose removes its dir', async () => {
    const redis = await start(false);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(await command(redis, 'PING', /\r\n/)).toBe('+PONG\r\n');
    expect(await command(redis, 'SET k v', /\r\n/)).toBe('+OK\r\n');
    const pid = redis.pid!;
    await redis.kill();
    expect(redis.pid).toBeUndefined();
    expect(alive(pid)).toBe(false);
    expect(await refused(redis.port)).toBe(true);
    await redis.start();
    expect(redis.pid).not.toBe(pid);
    expect(await command(redis, 'GET k', /\r\n/)).toBe('$-1\r\n');
    await redis.dispose();
    expect(existsSync(redis.dir)).toBe(false);
    expect(await refused(redis.port)).toBe(true);
    await expect(redis.start()).rejects.toThrow(/disposed/);
  });

  it('pause() freezes it (nothing is answered) and resume() thaws it', async () => {
    const redis = await start(false);
    redis.pause();
    await expect(command(redis, 'PING', /\r\n/, 300)).rejects.toThrow(/no answer/);
    redis.resume();
    expect(await command(redis, 'PING', /\r\n/)).toBe('+PONG\r\n');
    // A clean stop of a frozen server still ends it.
    redis.pause();
    await redis.stop();
    expect(redis.pid).toBeUndefined();
  });

  it('with appendOnly, keeps what it acknowledged across kill -9 and a clean restart', async () => {
    const redis = await start(true);
    expect(await command(redis, 'SET kept yes', /\r\n/)).toBe('+OK\r\n');
    await redis.kill();
    await redis.start();
    expect(await command(redis, 'GET kept', /yes\r\n/)).toBe('$3\r\nyes\r\n');
    await redis.restart();
    expect(await command(redis, 'GET kept', /yes\r\n/)).toBe('$3\r\nyes\r\n');
  });
});
