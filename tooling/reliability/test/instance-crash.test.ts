import { type PrivateKafka, startPrivateKafka } from '@sse/brokers';
import { createHub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { durableBusEnv } from '../src/bus-envs.js';
import { busFor } from '../src/buses.mjs';
import { deleteNatsStreams, deleteRedisKeys, startInstance } from '../src/processes.js';
import { deliveryViolations, numbersOf, SteadyPublisher } from '../src/steady-publisher.js';

const cleanups: (() => unknown)[] = [];
let kafka: PrivateKafka | undefined;
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
  await kafka?.dispose();
});

describe.each(['redis-streams', 'nats', 'kafka'] as const)(
  'kill -9 of one of two instances (%s)',
  (kind) => {
    it('the client resumes on the other instance with every message exactly once, in order', async () => {
      if (kind === 'kafka') kafka ??= await startPrivateKafka();
      const { env } = durableBusEnv(kind, 'crash', kafka?.brokers);
      if (kind === 'redis-streams')
        cleanups.push(() => deleteRedisKeys(env.REDIS_URL!, env.KEY_PREFIX!));
      if (kind === 'nats')
        cleanups.push(() => deleteNatsStreams(env.NATS_URL!, env.STREAM_PREFIX!));
      const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
      cleanups.push(
        () => b.crash(),
        () => a.crash(),
      );
      const publisherHub = createHub({ bus: (await busFor(kind, env))! });
      publisherHub.on('error', () => {});
      cleanups.push(() => publisherHub.shutdown({ announce: false }));
      await publisherHub.ready();
      const publisher = new SteadyPublisher(publisherHub, 'r');

      const onA = await SseReader.open(`${a.url}/events?room=r`);
      cleanups.push(() => onA.close());
      publisher.start();
      await onA.waitForEvents(50, 20_000);

      const killedAt = Date.now();
      await a.crash();
      await waitFor(() => onA.ended, 5000, 'the client to see the stream end');
      const onB = await SseReader.open(`${b.url}/events?room=r`, {
        'last-event-id': onA.lastEventId,
      });
      cleanups.push(() => onB.close());
      await onB.waitForEvents(1, 20_000);
      const recoveryMs = Date.now() - killedAt;
      await onB.waitForEvents(50, 20_000);
      const accepted = await publisher.stop();
      const all = (): number[] => numbersOf([...onA.events, ...onB.events]);
      await waitFor(
        () => all().at(-1) === accepted.at(-1),
        20_000,
        'the last accepted message to arrive',
      );
      const received = all();
      const expected = accepted.filter((n) => n >= received[0]!);
      const duplicates = received.length - new Set(received).size;
      const gaps = expected.filter((n) => !received.includes(n)).length;
      console.log(
        `${kind} instance crash: gap ${gaps}, duplicates ${duplicates}, recovery ${recoveryMs} ms, ${received.length} messages`,
      );
      expect(deliveryViolations(received, expected, publisher.uncertain)).toEqual([]);
      expect(onB.named('sse-reset')).toEqual([]);
    }, 120_000);
  },
);
