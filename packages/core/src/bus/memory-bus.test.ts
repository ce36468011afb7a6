import { afterEach, describe, it } from 'vitest';
import { runBusConformance } from '../testing/bus-conformance.js';
import { createMemoryBus, createMemoryLog, type MemoryLog } from './memory-bus.js';

const logs = new Map<string, MemoryLog>();
const logFor = (channel: string): MemoryLog => {
  const log = logs.get(channel) ?? createMemoryLog();
  logs.set(channel, log);
  return log;
};

runBusConformance({
  name: 'memory',
  test: { describe, it, afterEach },
  createBus: (channel) => createMemoryBus({ log: logFor(channel) }),
  capabilities: { retainsHistory: false, deduplicates: true },
});
