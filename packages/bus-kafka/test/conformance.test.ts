import { randomBytes } from 'node:crypto';
import type { PrivateKafka } from '@sse/brokers';
import { runBusConformance, runScaleOutConformance } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { createKafkaBus } from '../src/index.js';
import { testBroker } from './broker.js';

// Both suites share one broker: a second JVM would cost more than the cases themselves.
const topicPrefix = `sse-test-${randomBytes(3).toString('hex')}.`;
let brokers = '';
let own: PrivateKafka | undefined;

beforeAll(async () => {
  ({ brokers, own } = await testBroker());
});
afterAll(async () => {
  await own?.dispose();
});

runBusConformance({
  name: 'kafka (1 partition)',
  test: { describe, it, afterEach },
  createBus: (channel) => createKafkaBus({ channel, brokers, topicPrefix }),
  capabilities: { retainsHistory: true },
  // Only with a broker of our own: stopping yours is not ours to do.
  ...(process.env.KAFKA_BROKERS
    ? {}
    : {
        faults: {
          createBus: (channel: string) =>
            createKafkaBus({ channel, brokers, topicPrefix, publishTimeoutMs: 4000 }),
          stop: () => own!.stop(),
          start: () => own!.start(),
          keepsDataAcrossRestart: true,
        },
      }),
  timeoutMs: 60_000,
});

runScaleOutConformance({
  name: 'kafka (1 partition)',
  test: { describe, it, beforeAll, afterAll, afterEach },
  createBus: (channel) => createKafkaBus({ channel, brokers, topicPrefix }),
  capabilities: {
    retainsHistory: true,
    // Positions are `<cluster epoch>:<partition>:<offset>`; no cluster is called `foreign`.
    foreignEpoch: (position) => `foreign${position.slice(position.indexOf(':'))}`,
  },
  timeoutMs: 60_000,
});
