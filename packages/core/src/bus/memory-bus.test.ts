import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { runBusConformance } from '../testing/bus-conformance.js';
import { runScaleOutConformance } from '../testing/scale-out-conformance.js';
import { createMemoryBus, createMemoryLog, type MemoryLog } from './memory-bus.js';

// One in-process log per channel: members of one channel (several hubs in one process) share it.
const logs = new Map<string, MemoryLog>();
const logFor = (channel: string): MemoryLog => {
  const log = logs.get(channel) ?? createMemoryLog();
  logs.set(channel, log);
  return log;
};
const createBus = (channel: string) => createMemoryBus({ log: logFor(channel) });

runBusConformance({
  name: 'memory',
  test: { describe, it, afterEach },
  createBus,
  capabilities: { retainsHistory: false, deduplicates: true },
});

runScaleOutConformance({
  name: 'memory (shared log)',
  test: { describe, it, beforeAll, afterAll, afterEach },
  createBus,
  capabilities: {
    retainsHistory: false,
    // Positions are `<epoch>-<sequence>`, the epoch 8 hex characters.
    foreignEpoch: (position) => position.replace(/^[0-9a-f]{8}/, '00000000'),
  },
});
