import { createRedisBus } from '@sse/bus-redis';
import { createHub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PrivateRedis, startInstance } from '../src/processes.js';
import { deliveryViolations, numbersOf, SteadyPublisher } from '../src/steady-publisher.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(mode: 'streams' | 'pubsub', durable: boolean) {
  const redis = await PrivateRedis.start(durable);
  cleanups.push(() => redis.dispose());
  const env = { BUS: `redis-${mode}`, REDIS_URL: redis.url, CHANNEL: 'restart' };
  const instance = await startInstance(env);
  cleanups.push(() => instance.crash());
  const hub = createHub({
    bus: createRedisBus({
      mode,
      channel: 'restart',
      keyPrefix: 'sse-reliability:',
      redis: redis.url,
      publishTimeoutMs: 1000,
    }),
  });
  hub.on('error', () => {});
  cleanups.push(() => hub.shutdown({ announce: false }));
  const client = await SseReader.open(`${instance.url}/events?room=r`);
  cleanups.push(() => client.close());
  return { redis, hub, client, publisher: new SteadyPublisher(hub, 'r') };
}

describe('broker restart under steady publishing', () => {
  it('streams mode on a durable Redis: nothing accepted is lost, nothing is duplicated, no reset', async () => {
    const { redis, client, publisher } = await setup('streams', true);
    publisher.start();
    await client.waitForEvents(50, 10_000);
    await redis.kill();
    await waitFor(() => publisher.failures > 0, 10_000, 'publishes to fail during the outage');
    await redis.start();
    const before = publisher.count;
    await waitFor(() => publisher.count > before + 50, 15_000, 'publishing to resume');
    const accepted = await publisher.stop();
    await waitFor(
      () => numbersOf(client.events).at(-1) === accepted.at(-1),
      15_000,
      'every accepted message',
    );
    const received = numbersOf(client.events);
    console.log(
      `redis streams restart: ${accepted.length} accepted, ${publisher.failures} refused while down, ${received.length} received`,
    );
    // A publish cut off by the kill may have been applied: it may arrive, once, in order.
    expect(deliveryViolations(received, accepted, publisher.uncertain)).toEqual([]);
    expect(client.named('sse-reset')).toEqual([]);
  });

  it('pub/sub mode: messages a subscriber missed are signalled with a reset, never silently', async () => {
    const { redis, client, publisher } = await setup('pubsub', false);
    publisher.start();
    await client.waitForEvents(50, 10_000);
    // Cut the instance's subscriber connection while publishing goes on: Redis drops what
    // it publishes meanwhile for that subscriber, which is exactly pub/sub's weakness.
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    admin.disconnect();
    await waitFor(() => client.named('sse-reset').length > 0, 15_000, 'the reset event');
    const count = client.events.length;
    await client.waitForEvents(count + 20, 10_000);
    const accepted = await publisher.stop();
    // Every hole in what the client received is preceded by a reset event.
    let expectNext: number | undefined;
    let resetSeen = false;
    let holes = 0;
    for (const event of client.events) {
      if (event.event === 'sse-reset') {
        resetSeen = true;
        continue;
      }
      const n = Number(event.data);
      if (expectNext !== undefined && n !== expectNext) {
        holes++;
        expect(resetSeen, `missing ${expectNext}…${n - 1} without a reset`).toBe(true);
      }
      resetSeen = false;
      expectNext = n + 1;
    }
    console.log(
      `redis pub/sub subscriber cut: ${accepted.length} accepted, ${holes} hole(s), every one signalled`,
    );
    expect(JSON.parse(client.named('sse-reset')[0]!.data).reason).toMatch(/bus-gap/);
  });
});
