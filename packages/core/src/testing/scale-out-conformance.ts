import assert from 'node:assert/strict';
import type { Bus } from '../bus/bus.js';
import type { Target } from '../hub/target.js';
import { RESET_EVENT } from '../wire/control-events.js';
import type { ConformanceTestApi } from './bus-conformance.js';
import { type HubInstance, messagesOf } from './conformance-hubs.js';
import { registerControlCases } from './scale-out-control.js';
import { type Received, ScaleOutFixture } from './scale-out-fixture.js';
import { waitFor } from './wait-for.js';

/** The test-runner functions {@link runScaleOutConformance} registers its cases and its one fixture with. */
export interface ScaleOutTestApi extends ConformanceTestApi {
  beforeAll(fn: () => Promise<void>, timeoutMs?: number): void;
  afterAll(fn: () => Promise<void>, timeoutMs?: number): void;
}

/** Options for {@link runScaleOutConformance}. */
export interface ScaleOutConformanceOptions {
  /** Shown in the suite's name, e.g. `redis-streams`. */
  readonly name: string;
  /** `{ describe, it, beforeAll, afterAll, afterEach }` from your test runner. */
  readonly test: ScaleOutTestApi;
  /** Creates a member of `channel`; called twice with the same channel, once per instance. */
  createBus(channel: string): Bus | Promise<Bus>;
  readonly capabilities: {
    /**
     * The bus reads history beyond the hubs' windows. Instance B then keeps a one-entry
     * window, so what a client missed must come from the bus.
     */
    readonly retainsHistory: boolean;
    /**
     * Turns a position of this bus into the same position in an epoch the log never had
     * (another broker's data); enables the foreign-epoch case.
     */
    readonly foreignEpoch?: (position: string) => string;
  };
  /** Per-case deadline in ms (the fixture gets twice as long to start). @default 20000 */
  readonly timeoutMs?: number;
}

/**
 * Registers the scale-out cases with your test runner: two instances (two hubs, each on its
 * own member of one channel and behind a real `node:http` server, in this process) that
 * clients move between, as behind a load balancer. One fixture serves every case. Cases:
 * delivery across instances by target (rooms, users, broadcasts) in publish order with the
 * publish ids; a client that missed messages resumes on the other instance from its
 * Last-Event-ID (from the bus's history when it retains one) and goes live with no reset;
 * a stream that saw nothing resumes on the other instance from the position it was given;
 * no gap and no duplicate at the seam while both instances publish; a Last-Event-ID of a
 * foreign epoch gets a reset (with `foreignEpoch`); disconnect, join and leave ordered with the
 * messages on both instances, respected by replays; a ban refused with 204 everywhere.
 *
 * @example
 * ```ts
 * import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
 * import { runScaleOutConformance } from '@sse/core/testing';
 * runScaleOutConformance({
 *   name: 'redis-streams',
 *   test: { describe, it, beforeAll, afterAll, afterEach },
 *   createBus: (channel) => createRedisBus({ mode: 'streams', channel, redis: url }),
 *   capabilities: { retainsHistory: true, foreignEpoch: (p) => `0000000000000000:${p.split(':')[1]}` },
 * });
 * ```
 */
export function runScaleOutConformance(options: ScaleOutConformanceOptions): void {
  const { test, capabilities } = options;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const fixture = new ScaleOutFixture(timeoutMs);
  const fresh = (kind: string): string => fixture.fresh(kind);

  test.describe(`Scale-out conformance: ${options.name}`, () => {
    test.beforeAll(
      () => fixture.start(options.createBus, capabilities.retainsHistory ? 1 : 1000),
      timeoutMs * 2,
    );
    test.afterEach(() => fixture.closeStreams());
    test.afterAll(() => fixture.close(), timeoutMs);

    test.it(
      'delivers across instances by target (rooms, users, broadcasts), in publish order, with the publish ids',
      async () => {
        const [a, b] = fixture.pair;
        const room = fresh('room');
        const other = fresh('room');
        const user = fresh('user');
        const onA = await fixture.open(a, { user, room });
        const onB = await fixture.open(b, { room: other });
        const plan: [HubInstance, Target, string][] = [
          [b, { room }, 'to the room, from B'],
          [a, { room: other }, 'to the other room, from A'],
          [b, { user }, 'to the user, from B'],
          [a, 'all', 'to all, from A'],
          [b, { user: fresh('nobody') }, 'to a user without a stream'],
          [a, { room }, 'to the room, from A'],
          [b, { room: other }, 'to the other room, from B'],
        ];
        const sent: Received[] = [];
        for (const [from, to, text] of plan) sent.push(await fixture.send(from, to, text));
        const last = await fixture.fence(b, onA, onB);
        assert.deepEqual(messagesOf(onA), [sent[0], sent[2], sent[3], sent[5], last]);
        assert.deepEqual(messagesOf(onB), [sent[1], sent[3], sent[6], last]);
        fixture.assertNoErrors();
      },
      timeoutMs,
    );

    test.it(
      'a client that missed messages resumes on the other instance from its Last-Event-ID: exactly what it missed, then live, no reset',
      async () => {
        const [a, b] = fixture.pair;
        const room = fresh('room');
        const onA = await fixture.open(a, { room });
        const live: Received[] = [];
        for (let i = 0; i < 3; i++) live.push(await fixture.send(b, { room }, `live-${i}`));
        await fixture.received(onA, 3, 'the client on A to receive 3 messages published on B');
        assert.deepEqual(messagesOf(onA), live);
        const lastSeen = onA.lastEventId;
        assert.equal(lastSeen, live[2]!.id);
        onA.close();

        // Missed while disconnected, published on both: more than B's window when the bus
        // retains history (B keeps one entry), and one for another room in between.
        const missed: Received[] = [];
        for (let i = 0; i < 5; i++) {
          if (i === 2) await fixture.send(a, { room: fresh('room') }, 'not for this client');
          missed.push(await fixture.send(i % 2 ? a : b, { room }, `missed-${i}`));
        }
        const historyReads = b.hub.stats().replay.historyReads;
        const onB = await fixture.open(b, { room }, lastSeen);
        await fixture.received(onB, 5, 'the client on B to receive the 5 missed messages');
        const after = await fixture.send(a, { room }, 'after');
        await fixture.received(onB, 6, 'the client on B to receive the live message after replay');
        const last = await fixture.fence(a, onB);
        assert.deepEqual(messagesOf(onB), [...missed, after, last]);
        assert.deepEqual(onB.named(RESET_EVENT), []);
        if (capabilities.retainsHistory)
          assert.ok(
            b.hub.stats().replay.historyReads > historyReads,
            'B keeps one entry: the missed messages must have come from the bus',
          );
        fixture.assertNoErrors();
      },
      timeoutMs,
    );

    test.it(
      'a stream that saw nothing resumes on the other instance from the position it was given',
      async () => {
        const [a, b] = fixture.pair;
        const room = fresh('room');
        const onB = await fixture.open(b, { room });
        const position = onB.lastEventId;
        assert.notEqual(position, '', 'a fresh stream must be given a position');
        onB.close();
        const missed: Received[] = [];
        // The last publish is A's own: once it resolved, A has received everything before it.
        for (const [i, from] of [b, a, b, a].entries())
          missed.push(await fixture.send(from, { room }, `unseen-${i}`));
        const onA = await fixture.open(a, { room }, position);
        await fixture.received(onA, 4, 'the client on A to receive the 4 messages it missed');
        const last = await fixture.fence(b, onA);
        assert.deepEqual(messagesOf(onA), [...missed, last]);
        assert.deepEqual(onA.named(RESET_EVENT), []);
        fixture.assertNoErrors();
      },
      timeoutMs,
    );

    test.it(
      'no gap and no duplicate at the seam: a client moves to the other instance while both publish',
      async () => {
        const [a, b] = fixture.pair;
        const room = fresh('room');
        const onA = await fixture.open(a, { room });
        const published: Received[] = [];
        // Sequential publishes, alternating instances, so `published` is the log's order;
        // bounded in count (and each publish in time by the bus).
        const traffic = (async () => {
          for (let i = 0; i < 40; i++) {
            const from = i % 2 ? a : b;
            if (i % 5 === 4) await fixture.send(from, { room: fresh('room') }, 'elsewhere');
            published.push(await fixture.send(from, { room }, `seam-${i}`));
          }
        })();
        try {
          await fixture.received(onA, 10, 'the client on A to receive the first 10 messages');
          onA.close();
          // Read at the moment of the close: what the client had when it went away.
          const seenOnA = messagesOf(onA);
          const lastSeen = onA.lastEventId;
          assert.equal(lastSeen, seenOnA.at(-1)?.id);
          const onB = await fixture.open(b, { room }, lastSeen);
          await traffic;
          const last = await fixture.fence(a, onB);
          assert.deepEqual([...seenOnA, ...messagesOf(onB)], [...published, last]);
          assert.deepEqual(onB.named(RESET_EVENT), []);
        } finally {
          await traffic.catch(() => undefined);
        }
        fixture.assertNoErrors();
      },
      timeoutMs,
    );

    registerControlCases(test, fixture, timeoutMs);

    const { foreignEpoch } = capabilities;
    if (foreignEpoch) {
      test.it(
        'sends a reset for a Last-Event-ID of a foreign epoch, then live messages',
        async () => {
          const [a, b] = fixture.pair;
          const room = fresh('room');
          const { id: position } = await fixture.send(a, { room }, 'before');
          const foreign = foreignEpoch(position);
          assert.notEqual(foreign, position, 'foreignEpoch() must change the position');
          const onB = await fixture.open(b, { room }, foreign);
          await waitFor(
            () => onB.named(RESET_EVENT).length === 1,
            timeoutMs / 2,
            'an sse-reset event',
          );
          const after = await fixture.send(a, { room }, 'after');
          await fixture.received(onB, 1, 'the live message after the reset');
          assert.deepEqual(messagesOf(onB), [after]);
          assert.equal(onB.named(RESET_EVENT).length, 1);
          fixture.assertNoErrors();
        },
        timeoutMs,
      );
    }
  });
}
