import { afterEach, describe, it } from 'vitest';
import { runBusConformance } from '../src/testing/bus-conformance.js';
import { createPlainLogs } from './helpers/plain-logs.js';

// The Bus conformance suite against in-process logs that do not deduplicate, so that its
// idempotency cases run the hub's own filter (what Kafka relies on), with and without
// history, without a broker.
const logs = createPlainLogs();

runBusConformance({
  name: 'in-process log without deduplication',
  test: { describe, it, afterEach },
  createBus: (channel) => logs.fleeting(channel),
  capabilities: { retainsHistory: false },
});

runBusConformance({
  name: 'retaining in-process log without deduplication',
  test: { describe, it, afterEach },
  createBus: (channel) => logs.retaining(channel),
  capabilities: { retainsHistory: true },
});
