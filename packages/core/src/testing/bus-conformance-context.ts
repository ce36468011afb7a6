import assert from 'node:assert/strict';
import type { Bus, BusStartOptions } from '../bus/bus.js';
import type { BusConformanceOptions, ConformanceTestApi } from './bus-conformance.js';
import type { BusRecording } from './bus-recording.js';

/** A started member and everything it has seen. */
export type Member = BusRecording;

/** What every group of conformance cases works with. */
export interface SuiteContext {
  readonly test: ConformanceTestApi;
  readonly capabilities: BusConformanceOptions['capabilities'];
  /** Per-case deadline in ms. */
  readonly timeoutMs: number;
  /** A channel no other case uses. */
  newChannel(): string;
  /**
   * Creates a member of `channel` (with `create`, or the suite's `createBus`) and starts it
   * (with `options`, as a hub would pass them).
   */
  join(
    channel: string,
    create?: (channel: string) => Bus | Promise<Bus>,
    options?: BusStartOptions,
  ): Promise<Member>;
  /** Creates a member of `channel` with the suite's `createBus`, not started (for a hub). */
  createBus(channel: string): Promise<Bus>;
  /** Runs `cleanup` after the case, before its buses are closed. */
  defer(cleanup: () => Promise<void>): void;
  /** Waits until `member` received `count` entries, within half the case's deadline. */
  received(member: Member, count: number, what: string): Promise<boolean>;
}

/** Fails if any member received more than `count` entries within a short settle period. */
export async function assertNoMore(members: readonly Member[], count: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const m of members)
    assert.equal(m.entries.length, count, 'an entry was delivered more than once or leaked');
}
