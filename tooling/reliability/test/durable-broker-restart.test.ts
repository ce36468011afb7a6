import { createHub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startKafka } from '../../kafka/kafka.mjs';
import { durableBusEnv } from '../src/bus-envs.js';
import { busFor } from '../src/buses.mjs';
import { PrivateNats, startInstance } from '../src/processes.js';
import { deliveryViolations, numbersOf, SteadyPublisher } from '../src/steady-publisher.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A private broker of `kind` that the test may kill and start again. */
async function privateBroker(kind: 'nats' | 'kafka') {
  if (kind === 'nats') {
    const nats = await PrivateNats.start();
    cleanups.push(() => nats.dispose());
    return { address: nats.url, kill: () => nats.kill(), start: () => nats.start() };
  }
  const kafka = await startKafka();
  cleanups.push(() => kafka.dispose());
  return {
    address: kafka.brokers,
    kill: () => kafka.kill(),
    start: async () => {
      await kafka.start();
    },
  };
}

describe.each(['nats', 'kafka'] as const)(
  '%s broker killed and restarted under steady publishing',
  (kind) => {
    it('nothing accepted is lost, nothing is duplicated, no reset', async () => {
      const broker = await privateBroker(kind);
      const { env: base } = durableBusEnv(kind, 'restart', broker.address);
      const env = kind === 'nats' ? { ...base, NATS_URL: broker.address } : base;
      const instance = await startInstance(env);
      cleanups.push(() => instance.crash());
      const hub = createHub({ bus: (await busFor(kind, env))! });
      hub.on('error', () => {});
      cleanups.push(() => hub.shutdown({ announce: false }));
      await hub.ready();
      const client = await SseReader.open(`${instance.url}/events?room=r`);
      cleanups.push(() => client.close());
      const publisher = new SteadyPublisher(hub, 'r');
      publisher.start();
      await client.waitForEvents(50, 20_000);
      await broker.kill();
      await waitFor(() => publisher.failures > 0, 20_000, 'publishes to fail during the outage');
      await broker.start();
      const before = publisher.count;
      await waitFor(() => publisher.count > before + 50, 60_000, 'publishing to resume');
      const accepted = await publisher.stop();
      await waitFor(
        () => numbersOf(client.events).at(-1) === accepted.at(-1),
        60_000,
        'every accepted message',
      );
      const received = numbersOf(client.events);
      console.log(
        `${kind} restart: ${accepted.length} accepted, ${publisher.failures} refused while down, ${received.length} received`,
      );
      expect(deliveryViolations(received, accepted, publisher.uncertain)).toEqual([]);
      expect(client.named('sse-reset')).toEqual([]);
    }, 180_000);
  },
);
