import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { Target } from '../hub/target.js';
import {
  type HubInstance,
  type HubScope,
  messagesOf,
  openStream,
  type StreamIdentity,
  serveHub,
} from './conformance-hubs.js';
import type { SseReader } from './sse-reader.js';
import { waitFor } from './wait-for.js';

/** A `msg` event as a client reads it: its id and its data (JSON, as sent on the wire). */
export interface Received {
  readonly id: string;
  readonly data: string;
}

/** Cleanups of one lifetime (a case's streams, the suite's instances), run newest first. */
class Deferred implements HubScope {
  private readonly cleanups: (() => Promise<void>)[] = [];
  constructor(readonly timeoutMs: number) {}
  defer(cleanup: () => Promise<void>): void {
    this.cleanups.unshift(cleanup);
  }
  async run(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) await cleanup().catch(() => undefined);
  }
}

/**
 * Two instances of one app on one channel (A and B), started once for the whole suite, the
 * streams the cases open on them (closed after each case), and the helpers the scale-out
 * cases share. Every wait has a deadline of half a case's.
 */
export class ScaleOutFixture {
  private instances: [HubInstance, HubInstance] | undefined;
  private readonly suite: Deferred;
  private readonly streams: Deferred;
  private readonly runId = randomBytes(3).toString('hex');
  private counter = 0;

  /** @param timeoutMs - a case's deadline. */
  constructor(private readonly timeoutMs: number) {
    this.suite = new Deferred(timeoutMs);
    this.streams = new Deferred(timeoutMs);
  }

  /** A name (room, user, channel) that no other case or run uses. */
  fresh(kind: string): string {
    return `${kind}-${this.runId}-${++this.counter}`;
  }

  /**
   * Starts A and B side by side (a broker's subscription, such as a Kafka group join, takes
   * seconds), A with the default window and B with `windowB` entries.
   */
  async start(createBus: (channel: string) => Bus | Promise<Bus>, windowB: number): Promise<void> {
    const channel = this.fresh('scale');
    const start = async (maxEntries: number): Promise<HubInstance> =>
      serveHub(this.suite, await createBus(channel), { replay: { maxEntries } });
    const [a, b] = await Promise.allSettled([start(1000), start(windowB)]);
    if (a.status === 'rejected') throw a.reason;
    if (b.status === 'rejected') throw b.reason;
    this.instances = [a.value, b.value];
  }

  /** A and B. */
  get pair(): [HubInstance, HubInstance] {
    assert.ok(this.instances, 'the two instances did not start (see the beforeAll error)');
    return this.instances;
  }

  /** Opens a stream; without a Last-Event-ID, resolves once it is live (it got its position). */
  open(on: HubInstance, identity: StreamIdentity, lastEventId?: string): Promise<SseReader> {
    return openStream(this.streams, on, lastEventId, identity);
  }

  /**
   * Publishes a `msg` event from `from`, once the bus accepted it.
   * @returns what a client addressed by `to` will read.
   */
  async send(from: HubInstance, to: Target, text: string): Promise<Received> {
    const { id } = await from.hub.publish({ to, event: 'msg', data: text });
    return { id, data: JSON.stringify(text) };
  }

  /** Waits until `reader` has read `count` `msg` events. */
  received(reader: SseReader, count: number, what: string): Promise<boolean> {
    return waitFor(
      () => messagesOf(reader).length >= count,
      this.timeoutMs / 2,
      `${what} (has ${messagesOf(reader).length} of ${count})`,
    );
  }

  /**
   * Publishes a broadcast and waits for it on every reader: the log is ordered, so nothing
   * published before it can still arrive, and what the readers got can be compared exactly.
   */
  async fence(from: HubInstance, ...on: SseReader[]): Promise<Received> {
    const last = await this.send(from, 'all', this.fresh('fence'));
    for (const reader of on)
      await waitFor(
        () => messagesOf(reader).some((m) => m.id === last.id),
        this.timeoutMs / 2,
        `the fence ${last.data} on every stream`,
      );
    return last;
  }

  /** Fails when either hub reported an error. */
  assertNoErrors(): void {
    const [a, b] = this.pair;
    assert.deepEqual(
      [...a.errors, ...b.errors].map((e) => e.message),
      [],
      'a hub reported errors',
    );
  }

  /** Closes the streams the last case opened. */
  closeStreams(): Promise<void> {
    return this.streams.run();
  }

  /** Closes every stream and both instances (their hubs close their buses). */
  async close(): Promise<void> {
    await this.streams.run();
    await this.suite.run();
    this.instances = undefined;
  }
}
