import { randomBytes } from 'node:crypto';
import type { Bus, BusEntry, BusState } from '@sse/core';
import { isSseError } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus, type RedisBusOptions } from '../src/index.js';
import { deleteKeys, PrivateRedis } from './private-redis.js';

const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sse-test-${randomBytes(4).toString('hex')}:`;
let privateRedis: PrivateRedis;
const open: Bus[] = [];
let channelNo = 0;
const channel = (): string => `bus-${++channelNo}`;

beforeAll(async () => {
  privateRedis = await PrivateRedis.start();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  await privateRedis?.stop();
  await deleteKeys(SHARED_URL, keyPrefix);
});

async function member(options: Partial<RedisBusOptions> & { channel: string }) {
  const bus = createRedisBus({ redis: SHARED_URL, keyPrefix, ...options } as RedisBusOptions);
  open.push(bus);
  const seen = { entries: [] as BusEntry[], states: [] as BusState[], gaps: [] as string[] };
  await bus.start({
    entry: (e) => seen.entries.push(e),
    status: (s) => seen.states.push(s),
    gap: (g) => seen.gaps.push(g),
  });
  return { bus, ...seen };
}

describe('streams mode', () => {
  it('reports trimmed history, unknown future positions and malformed ones', async () => {
    const ch = channel();
    const m = await member({ channel: ch, maxLength: 10 });
    const positions: string[] = [];
    for (let i = 0; i < 400; i++) positions.push(await m.bus.publish(`x${i}`));
    const [epoch] = positions[0]!.split(':');
    expect(await m.bus.readAfter!(positions[0]!, 10)).toEqual({ ok: false, reason: 'trimmed' });
    expect(await m.bus.readAfter!(`${epoch}:99999999999999-0`, 10)).toEqual({
      ok: false,
      reason: 'unknown-position',
    });
    expect(await m.bus.readAfter!('nope', 10)).toEqual({ ok: false, reason: 'malformed' });
    const recent = await m.bus.readAfter!(positions[398]!, 10);
    expect(recent).toEqual({ ok: true, entries: [{ position: positions[399], payload: 'x399' }] });
  });

  it('gets a new epoch when Redis loses its data, and refuses positions from before', async () => {
    const ch = channel();
    const m = await member({ channel: ch, redis: privateRedis.url, publishTimeoutMs: 2000 });
    const before = await m.bus.publish('before');
    await waitFor(() => m.entries.length === 1, 5000, 'the first entry');
    await privateRedis.stop();
    await privateRedis.start();
    const after = await waitFor(
      () => m.bus.publish('after').catch(() => undefined),
      10_000,
      'publish after restart',
      100,
    );
    expect(after.split(':')[0]).not.toBe(before.split(':')[0]);
    await waitFor(
      () => m.entries.some((e) => e.position === after),
      10_000,
      'the entry after the restart',
    );
    expect(m.gaps.length).toBe(1);
    expect(await m.bus.readAfter!(before, 10)).toEqual({ ok: false, reason: 'epoch-mismatch' });
    expect(m.states).toContain('reconnecting');
    expect(m.states.at(-1)).toBe('ready');
  });
});

describe('pub/sub mode', () => {
  it('signals a gap after Redis restarts, and keeps delivering', async () => {
    const ch = channel();
    const a = await member({
      mode: 'pubsub',
      channel: ch,
      redis: privateRedis.url,
      publishTimeoutMs: 2000,
    });
    const b = await member({
      mode: 'pubsub',
      channel: ch,
      redis: privateRedis.url,
      publishTimeoutMs: 2000,
    });
    await a.bus.publish('one');
    await waitFor(() => b.entries.length === 1, 5000, 'the first message');
    await privateRedis.stop();
    const down = await a.bus.publish('lost').catch((error: unknown) => error);
    expect(isSseError(down, 'SSE_BUS_UNAVAILABLE')).toBe(true);
    await privateRedis.start();
    await waitFor(
      () => a.bus.publish('two').catch(() => undefined),
      10_000,
      'publish after restart',
      100,
    );
    await waitFor(() => b.entries.length === 2, 10_000, 'the message after the restart');
    expect(b.gaps).toHaveLength(1);
    expect(b.entries.map((e) => e.payload)).toEqual(['one', 'two']);
  });

  it('detects a jump in positions as a gap', async () => {
    const ch = channel();
    const m = await member({ mode: 'pubsub', channel: ch });
    await m.bus.publish('1');
    // Another writer took a position without publishing, as if a message went missing.
    const redis = new Redis(SHARED_URL);
    await redis.incr(`${keyPrefix}{${ch}}:seq`);
    redis.disconnect();
    await m.bus.publish('3');
    await waitFor(() => m.entries.length === 2, 5000, 'both messages');
    expect(m.gaps).toEqual(['missed 1 message(s) while disconnected from Redis']);
  });
});

describe('clients and options', () => {
  it('uses a client the user passed and does not close it', async () => {
    const client = new Redis(SHARED_URL);
    const m = await member({ channel: channel(), redis: client });
    await m.bus.publish('via user client');
    await waitFor(() => m.entries.length === 1, 5000, 'the entry');
    await m.bus.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('rejects a bad channel and fails start when Redis is unreachable', async () => {
    expect(() => createRedisBus({ channel: 'has space' })).toThrowError(/channel/);
    const port = (await import('./private-redis.js')).freePort;
    const bus = createRedisBus({
      channel: 'x',
      redis: `redis://127.0.0.1:${await port()}`,
      connectTimeoutMs: 500,
    });
    const error = await bus.start({ entry: () => undefined }).catch((e: unknown) => e);
    expect(isSseError(error, 'SSE_BUS_UNAVAILABLE')).toBe(true);
    await bus.close();
  });
});
