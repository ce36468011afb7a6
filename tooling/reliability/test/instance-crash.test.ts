import { randomBytes } from 'node:crypto';
import { createRedisBus } from '@sse/bus-redis';
import { createHub, type Hub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, startInstance } from '../src/processes.js';
import { numbersOf, SteadyPublisher } from '../src/steady-publisher.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

describe('kill -9 of one of two instances while a client streams from it (Redis streams)', () => {
  it('the client resumes on the other instance with every message exactly once, in order', async () => {
    const env = {
      BUS: 'redis-streams',
      REDIS_URL,
      CHANNEL: 'crash',
      KEY_PREFIX: `sse-rel-${randomBytes(3).toString('hex')}:`,
    };
    const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    cleanups.push(
      () => deleteRedisKeys(REDIS_URL, env.KEY_PREFIX),
      () => b.crash(),
      () => a.crash(),
    );
    const publisherHub: Hub = createHub({
      bus: createRedisBus({ channel: env.CHANNEL, keyPrefix: env.KEY_PREFIX, redis: REDIS_URL }),
    });
    cleanups.push(() => publisherHub.shutdown({ announce: false }));
    const publisher = new SteadyPublisher(publisherHub, 'r');

    const onA = await SseReader.open(`${a.url}/events?room=r`);
    cleanups.push(() => onA.close());
    publisher.start();
    await onA.waitForEvents(50, 10_000);

    const killedAt = Date.now();
    await a.crash();
    await waitFor(() => onA.ended, 5000, 'the client to see the stream end');
    const onB = await SseReader.open(`${b.url}/events?room=r`, {
      'last-event-id': onA.lastEventId,
    });
    cleanups.push(() => onB.close());
    await onB.waitForEvents(1, 10_000);
    const recoveryMs = Date.now() - killedAt;
    await onB.waitForEvents(50, 10_000);
    const accepted = await publisher.stop();

    const received = numbersOf([...onA.events, ...onB.events]);
    await waitFor(
      () => numbersOf([...onA.events, ...onB.events]).at(-1) === accepted.at(-1),
      10_000,
      'the last accepted message to arrive',
    );
    const all = numbersOf([...onA.events, ...onB.events]);
    const expected = accepted.filter((n) => n >= all[0]!);
    const duplicates = all.length - new Set(all).size;
    const gaps = expected.filter((n) => !all.includes(n)).length;
    console.log(
      `instance crash: gap ${gaps}, duplicates ${duplicates}, recovery ${recoveryMs} ms, ${all.length} messages`,
    );
    expect(received.length).toBeGreaterThan(0);
    expect(all).toEqual(expected);
    expect(onB.named('sse-reset')).toEqual([]);
  });
});
