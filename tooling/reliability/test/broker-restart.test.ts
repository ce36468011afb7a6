import { setTimeout as delay } from 'node:timers/promises';
import { startPrivateRedis } from '@sse/brokers';
import { createRedisBus } from '@sse/bus-redis';
import { createHub } from '@sse/core';
import { type ReadEvent, SseReader, waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { privateBroker } from '../src/brokers.js';
import { busFor } from '../src/buses.mjs';
import { startInstance } from '../src/processes.js';
import { deliveryViolations, numbersOf, SteadyPublisher } from '../src/steady-publisher.js';
import { ArrivalClock, timeToResume } from '../src/time-to-resume.js';

/**
 * How soon each bus promises to deliver again after its broker is back (the "Failure modes"
 * section of each bus README); the test fails beyond it. `SSE_RESUME_BOUND_MS` overrides them
 * all, to measure a bus that is far slower (the window and the waits grow with it).
 */
const BOUND_MS = {
  'redis-streams': 3_000,
  'redis-pubsub': 3_000,
  nats: 5_000,
  kafka: 20_000,
} as const;
type Kind = keyof typeof BOUND_MS;
const boundOf = (kind: Kind): number => Number(process.env.SSE_RESUME_BOUND_MS ?? BOUND_MS[kind]);
/** How long the broker stays down, from the kill to the restart. */
const DOWN_MS = 3_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0)
    console.log(`time to resume after a broker restart:\n${figures.join('\n')}`);
});

/** Holes in what a client received that no `sse-reset` announced, as `missing a…b`. */
function unsignalledHoles(events: readonly ReadEvent[]): string[] {
  const holes: string[] = [];
  let expectNext: number | undefined;
  let resetSeen = false;
  for (const event of events) {
    if (event.event === 'sse-reset') {
      resetSeen = true;
      continue;
    }
    if (event.event !== 'message') continue;
    const n = Number(event.data);
    if (expectNext !== undefined && n !== expectNext && !resetSeen)
      holes.push(`missing ${expectNext}…${n - 1}`);
    resetSeen = false;
    expectNext = n + 1;
  }
  return holes;
}

describe.each(Object.keys(BOUND_MS) as Kind[])(
  '%s: broker killed (kill -9) under steady publishing and restarted 3 s later',
  (kind) => {
    const bound = boundOf(kind);
    const durable = kind !== 'redis-pubsub';
    it(
      durable
        ? 'delivery resumes within the documented bound; nothing accepted lost or repeated, no reset'
        : 'delivery resumes within the documented bound; every message lost is announced by a reset',
      async () => {
        const broker = await privateBroker(kind, 'restart');
        cleanups.push(() => broker.dispose());
        const instance = await startInstance(broker.env);
        cleanups.push(() => instance.crash());
        const hub = createHub({ bus: (await busFor(kind, broker.env))! });
        hub.on('error', () => {});
        cleanups.push(() => hub.shutdown({ announce: false }));
        await hub.ready();
        const client = await SseReader.open(`${instance.url}/events?room=r`);
        cleanups.push(() => client.close());
        const clock = new ArrivalClock(client);
        cleanups.push(() => clock.stop());
        // Bounded in count and time whatever happens; long enough for every phase below.
        const publisher = new SteadyPublisher(hub, 'r', 2, 50_000, 90_000 + 2 * bound);
        publisher.start();
        cleanups.push(() => publisher.stop());

        await client.waitForEvents(50, 20_000);
        await broker.kill();
        const killedAt = Date.now();
        await waitFor(() => publisher.failures > 0, 20_000, 'publishes to fail during the outage');
        // The outage itself: part of the scenario, not a wait for something to happen.
        await delay(Math.max(0, DOWN_MS - (Date.now() - killedAt)));
        await broker.start();
        const back = Date.now();
        // Publishing goes on through the whole bound and a second more, so that a bus that
        // delivers a few messages and then stalls shows messages held back past the bound.
        await delay(bound + 1_000);
        const accepted = await publisher.stop();
        const last = accepted.at(-1)!;
        await waitFor(
          () => clock.arrivedAt(last) !== undefined,
          bound,
          `the last accepted message (${last}) at the client: delivery had not resumed ${2 * bound + 1_000} ms after the broker was back`,
        );

        const resumeMs = timeToResume(
          accepted.map((n) => ({ n, at: publisher.acceptedAt(n)! })),
          clock,
          back,
        );
        const firstMs = clock.firstArrivalSince(back)! - back;
        // Which side took the time: the publisher's first accepted publish after the restart.
        const publishMs =
          Math.min(...accepted.map((n) => publisher.acceptedAt(n)!).filter((at) => at >= back)) -
          back;
        figures.push(
          `  ${kind.padEnd(14)} ${String(resumeMs).padStart(6)} ms  (first message after ${firstMs} ms, first publish accepted after ${publishMs} ms; ${accepted.length} accepted, ${publisher.failures} refused; bound ${bound} ms)`,
        );
        expect(resumeMs).toBeLessThanOrEqual(bound);
        const received = numbersOf(client.events);
        if (durable) {
          // A publish cut off by the kill may have been applied: it may arrive, once, in order.
          expect(deliveryViolations(received, accepted, publisher.uncertain)).toEqual([]);
          expect(client.named('sse-reset')).toEqual([]);
        } else {
          // Redis restarted empty: what was published while the subscriber was away is lost,
          // and every such hole is announced; nothing arrives twice or out of order.
          expect(unsignalledHoles(client.events)).toEqual([]);
          expect(deliveryViolations(received, [], [...accepted, ...publisher.uncertain])).toEqual(
            [],
          );
        }
      },
      // Kafka alone takes about 10 s to start twice; the rest is the phases above.
      60_000 + 4 * bound,
    );
  },
);

describe('Redis pub/sub subscriber cut', () => {
  it('messages a subscriber missed are signalled with a reset, never silently', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const env = { BUS: 'redis-pubsub', REDIS_URL: redis.url, CHANNEL: 'restart' };
    const instance = await startInstance(env);
    cleanups.push(() => instance.crash());
    const hub = createHub({
      bus: createRedisBus({
        mode: 'pubsub',
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
    const publisher = new SteadyPublisher(hub, 'r');
    publisher.start();
    cleanups.push(() => publisher.stop());
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
    expect(unsignalledHoles(client.events)).toEqual([]);
    console.log(`redis pub/sub subscriber cut: ${accepted.length} accepted, every hole signalled`);
    expect(JSON.parse(client.named('sse-reset')[0]!.data).reason).toMatch(/bus-gap/);
  });
});
