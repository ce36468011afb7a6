import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type PrivateNats, startPrivateNats } from '@sse/brokers';
import { runBusConformance, runScaleOutConformance } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { createNatsBus } from '../src/index.js';

const SHARED = process.env.NATS_URL ?? '127.0.0.1:4222';
// A distinct stream prefix per run; every stream it created is deleted afterwards.
const streamPrefix = `SSETEST_${randomBytes(3).toString('hex')}_`;
let privateNats: PrivateNats;

beforeAll(async () => {
  privateNats = await startPrivateNats();
});

afterAll(async () => {
  await privateNats?.dispose();
  const nc = await connect({ servers: SHARED });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(streamPrefix)) await jsm.streams.delete(name);
  await nc.close();
});

const createBus = (channel: string) =>
  createNatsBus({ channel, nats: SHARED, streamPrefix, storage: 'memory' });

runBusConformance({
  name: 'nats-jetstream',
  test: { describe, it, afterEach },
  createBus,
  capabilities: { retainsHistory: true, deduplicates: true },
  faults: {
    createBus: (channel) =>
      createNatsBus({ channel, nats: privateNats.url, streamPrefix, publishTimeoutMs: 2000 }),
    stop: () => privateNats.kill(),
    start: () => privateNats.start(),
    // File storage: JetStream keeps what it acknowledged across a restart.
    keepsDataAcrossRestart: true,
  },
  timeoutMs: 30_000,
});

runScaleOutConformance({
  name: 'nats-jetstream',
  test: { describe, it, beforeAll, afterAll, afterEach },
  createBus,
  capabilities: {
    retainsHistory: true,
    // Positions are `<epoch>:<sequence>`; the epoch `0` is no stream's creation time.
    foreignEpoch: (position) => `0:${position.slice(position.indexOf(':') + 1)}`,
  },
  timeoutMs: 30_000,
});
