import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type PrivateRedis, startPrivateRedis } from '@sse/brokers';
import { createHub, type Hub, isSseError } from '@sse/core';
import { type BusRecording, SseReader, startRecording, waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/index.js';

// A reply that arrives after publishTimeoutMs, from a Redis that did run the script: the
// private redis-server is frozen (SIGSTOP) while the publish is in flight and thawed after
// the bus gave up. Its own process, so the shared Redis is never paused.
let redis: PrivateRedis;
let admin: Redis;
const cleanups: (() => Promise<void> | void)[] = [];
const PUBLISH_TIMEOUT_MS = 300;

beforeAll(async () => {
  redis = await startPrivateRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});

afterEach(async () => {
  thaw();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.dispose();
});

function freeze(): void {
  redis.pause();
}
function thaw(): void {
  redis?.resume();
}

/** Runs `publish` while Redis is frozen; thaws it once the publish gave up (bounded). */
async function whileFrozen(publish: () => Promise<unknown>): Promise<unknown> {
  freeze();
  try {
    return await publish().then(
      () => new Error('the publish did not fail while Redis was frozen'),
      (error: unknown) => error,
    );
  } finally {
    thaw();
  }
}

const channelName = (): string => `idem-${randomUUID().slice(0, 8)}`;

describe.each(['streams', 'pubsub'] as const)('%s mode', (mode) => {
  async function member(channel: string): Promise<BusRecording> {
    const bus = createRedisBus({
      mode,
      channel,
      redis: redis.url,
      publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    });
    cleanups.push(() => bus.close());
    return startRecording(bus, { idempotencyWindowMs: 60_000 });
  }

  it('a keyed publish reported failed though Redis ran it: the retry gets its position, nothing is appended twice', async () => {
    const channel = channelName();
    const [a, b] = [await member(channel), await member(channel)];
    // Loads the script, so that the frozen call is a single EVALSHA.
    await a.bus.publishOnce!('warm-up', { key: `warm-${randomUUID()}` });
    const key = `k-${randomUUID()}`;
    const failed = await whileFrozen(() => a.bus.publishOnce!('hello', { key }));
    expect(isSseError(failed, 'SSE_BUS_UNAVAILABLE'), String(failed)).toBe(true);
    expect(String((failed as Error).message)).toContain('publishTimeoutMs');

    const retry = await a.bus.publishOnce!('hello again', { key });
    expect(retry.duplicate).toBe(true);
    const fromB = await b.bus.publishOnce!('and from b', { key });
    expect(fromB).toEqual(retry);
    await a.bus.publish('marker');
    for (const m of [a, b])
      await waitFor(() => m.entries.length === 3, 5000, 'the warm-up, the message and the marker');
    for (const m of [a, b])
      expect(m.entries.map((e) => e.payload)).toEqual(['warm-up', 'hello', 'marker']);
    expect(b.entries[1]!.position).toBe(retry.position);
    // The Redis key expires with the window the bus was started with.
    const ttl = await admin.pttl(`sse:{${channel}}:idem:${key}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('without a key, the same retry appends the message twice (what the key prevents)', async () => {
    const channel = channelName();
    const a = await member(channel);
    await a.bus.publish('warm-up');
    const failed = await whileFrozen(() => a.bus.publish('hello'));
    expect(isSseError(failed, 'SSE_BUS_UNAVAILABLE')).toBe(true);
    await a.bus.publish('hello');
    await waitFor(() => a.entries.length === 3, 5000, 'three entries');
    expect(a.entries.map((e) => e.payload)).toEqual(['warm-up', 'hello', 'hello']);
  });
});

describe('two hubs on Redis streams', () => {
  async function instance(channel: string): Promise<{ hub: Hub; reader: SseReader }> {
    const bus = createRedisBus({ channel, redis: redis.url, publishTimeoutMs: PUBLISH_TIMEOUT_MS });
    const hub = createHub({ bus });
    hub.on('error', () => undefined);
    const server = http.createServer((req, res) => void hub.handle(req, res));
    cleanups.push(async () => {
      await hub.shutdown({ announce: false, graceMs: 100 });
      server.closeAllConnections();
      server.close();
    });
    await hub.ready();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const reader = await SseReader.open(`http://127.0.0.1:${port}/`);
    cleanups.push(() => reader.close());
    await waitFor(() => reader.positions.length > 0, 5000, 'the stream to be live');
    return { hub, reader };
  }

  it('a publish that timed out after Redis accepted it, retried on the other instance, is one message with one id', async () => {
    const channel = channelName();
    const a = await instance(channel);
    const b = await instance(channel);
    await a.hub.publish({ event: 'chat', data: 'warm-up', idempotencyKey: randomUUID() });
    const message = { event: 'chat', data: { text: 'hi' }, idempotencyKey: randomUUID() };
    const failed = await whileFrozen(() => a.hub.publish(message));
    expect(isSseError(failed, 'SSE_BUS_UNAVAILABLE')).toBe(true);
    // The message went out after all: the streams show it once Redis runs again.
    await waitFor(() => a.reader.events.length === 2, 5000, 'the message on A');
    const retry = await b.hub.publish(message);
    expect(retry).toMatchObject({ duplicate: true, id: a.reader.events[1]!.id });
    const marker = await b.hub.publish({ event: 'chat', data: 'marker' });
    for (const { reader } of [a, b]) {
      await waitFor(() => reader.events.length === 3, 5000, 'the marker');
      expect(reader.events.slice(1).map((e) => [e.id, e.data])).toEqual([
        [retry.id, '{"text":"hi"}'],
        [marker.id, '"marker"'],
      ]);
    }
  });
});
