import { randomBytes } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { Member, SuiteContext } from './bus-conformance-context.js';
import { registerDeliveryCases } from './bus-conformance-delivery.js';
import { registerFaultCases } from './bus-conformance-faults.js';
import { registerHistoryCases } from './bus-conformance-history.js';
import { registerIdempotencyCases } from './bus-conformance-idempotency.js';
import { startRecording } from './bus-recording.js';
import { waitFor } from './wait-for.js';

/** The test-runner functions the suite registers its cases with (vitest, jest, mocha…). */
export interface ConformanceTestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  afterEach(fn: () => Promise<void>): void;
}

/** Control over a private broker for the fault cases. */
export interface BusFaultControl {
  /** Creates a member of `channel` on the private broker. */
  createBus(channel: string): Bus | Promise<Bus>;
  /** Stops the private broker (kill it by PID). */
  stop(): Promise<void>;
  /** Starts it again on the same address. */
  start(): Promise<void>;
  /** The broker keeps accepted entries across the restart (file storage, Kafka log). */
  readonly keepsDataAcrossRestart: boolean;
}

/** Options for {@link runBusConformance}. */
export interface BusConformanceOptions {
  /** Shown in the suite's name, e.g. `redis-streams`. */
  readonly name: string;
  /** `{ describe, it, afterEach }` from your test runner. */
  readonly test: ConformanceTestApi;
  /** Creates a member of `channel`; equal channels must share one log. */
  createBus(channel: string): Bus | Promise<Bus>;
  /**
   * Capability-gated cases run only where they apply. `deduplicates` (default `false`) must
   * match the bus's own flag: a bus that says so gets the `publishOnce` cases.
   */
  readonly capabilities: { readonly retainsHistory: boolean; readonly deduplicates?: boolean };
  /** Enables the broker-restart case. */
  readonly faults?: BusFaultControl;
  /** Per-case deadline in ms. @default 20000 */
  readonly timeoutMs?: number;
}

/**
 * Registers the Bus conformance cases with your test runner. A bus passes this suite or
 * it is not done. Cases: every member receives every entry once, in one order, with equal
 * positions; positions are safe SSE ids; `start()` resolves with the log position (an origin on an empty log); a starting member loses nothing published after
 * its `start()` resolved; close is clean and idempotent; odd and 1 MiB payloads survive;
 * channels are isolated; history reads (when retained); broker restart (when `faults`);
 * idempotency keys: `publishOnce` (when the bus deduplicates) and, for every bus, two hubs
 * on the channel delivering a retried key once, live and in replays.
 *
 * @example
 * ```ts
 * import { afterEach, describe, it } from 'vitest';
 * import { runBusConformance } from '@sse/core/testing';
 * runBusConformance({
 *   name: 'memory',
 *   test: { describe, it, afterEach },
 *   createBus: (channel) => createMemoryBus({ log: logFor(channel) }),
 *   capabilities: { retainsHistory: false },
 * });
 * ```
 */
export function runBusConformance(options: BusConformanceOptions): void {
  const { test, capabilities } = options;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const runId = randomBytes(3).toString('hex');
  let channelCounter = 0;
  /** Every bus a case created, closed after it (also when its start() failed half-way). */
  const live: Bus[] = [];
  /** What a case asked to run after it (hubs, servers, streams), newest first. */
  const deferred: (() => Promise<void>)[] = [];

  const context: SuiteContext = {
    test,
    capabilities,
    timeoutMs,
    newChannel: () => `conf-${runId}-${++channelCounter}`,
    async join(channel, create = options.createBus, startOptions = undefined) {
      const bus = await create(channel);
      live.push(bus);
      return startRecording(bus, startOptions);
    },
    async createBus(channel) {
      const bus = await options.createBus(channel);
      live.push(bus);
      return bus;
    },
    defer: (cleanup) => void deferred.unshift(cleanup),
    received: (member: Member, count: number, what: string) =>
      waitFor(
        () => member.entries.length >= count,
        timeoutMs / 2,
        `${what} (has ${member.entries.length} of ${count})`,
      ),
  };

  test.describe(`Bus conformance: ${options.name}`, () => {
    test.afterEach(async () => {
      for (const cleanup of deferred.splice(0)) await cleanup().catch(() => undefined);
      // A close that fails after a case is not what the case tested; the close case does.
      await Promise.all(live.splice(0).map((bus) => bus.close().catch(() => undefined)));
    });
    registerDeliveryCases(context);
    if (capabilities.retainsHistory) registerHistoryCases(context);
    if (options.faults) registerFaultCases(context, options.faults);
    registerIdempotencyCases(context);
  });
}
