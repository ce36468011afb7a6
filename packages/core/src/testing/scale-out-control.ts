import assert from 'node:assert/strict';
import { isSseError } from '../errors.js';
import { DISCONNECT_EVENT } from '../wire/control-events.js';
import type { ConformanceTestApi } from './bus-conformance.js';
import { messagesOf } from './conformance-hubs.js';
import type { ScaleOutFixture } from './scale-out-fixture.js';
import { waitFor } from './wait-for.js';

/**
 * The control cases of the scale-out suite: disconnect, join and leave travel the bus with
 * the messages, so every instance applies them in the same place of the log, live and in
 * replays.
 */
export function registerControlCases(
  test: ConformanceTestApi,
  fixture: ScaleOutFixture,
  timeoutMs: number,
): void {
  test.it(
    'a disconnect is ordered with messages: publish, kick, publish — the kicked streams get exactly the first',
    async () => {
      const [a, b] = fixture.pair;
      const user = fixture.fresh('user');
      const onA = await fixture.open(a, { user });
      const onB = await fixture.open(b, { user });
      const first = await fixture.send(a, { user }, 'before the kick');
      await a.hub.control.disconnect({ user }, { reason: 'kicked by the test' });
      await fixture.send(b, { user }, 'after the kick');
      for (const [reader, on] of [
        [onA, 'A'],
        [onB, 'B'],
      ] as const) {
        await waitFor(() => reader.ended, timeoutMs / 2, `the kicked stream on ${on} to end`);
        assert.deepEqual(messagesOf(reader), [first], `the stream on ${on}`);
        const last = reader.events.at(-1);
        assert.equal(last?.event, DISCONNECT_EVENT, `the last event on ${on}`);
        assert.deepEqual(JSON.parse(last!.data), { reason: 'kicked by the test', reconnect: true });
      }
      fixture.assertNoErrors();
    },
    timeoutMs,
  );

  test.it(
    'leave and join move every stream of a user, on every instance, at their place in the log',
    async () => {
      const [a, b] = fixture.pair;
      const user = fixture.fresh('user');
      const room = fixture.fresh('room');
      const next = fixture.fresh('room');
      const onA = await fixture.open(a, { user, room });
      const onB = await fixture.open(b, { user, room });
      const before = await fixture.send(b, { room }, 'in the room');
      await b.hub.control.leave({ user }, room);
      await fixture.send(a, { room }, 'after the leave');
      await a.hub.control.join({ user }, next);
      const joined = await fixture.send(b, { room: next }, 'after the join');
      const last = await fixture.fence(a, onA, onB);
      assert.deepEqual(messagesOf(onA), [before, joined, last]);
      assert.deepEqual(messagesOf(onB), [before, joined, last]);
      fixture.assertNoErrors();
    },
    timeoutMs,
  );

  test.it(
    'a stream that resumes after its user left a room does not get that room’s later messages',
    async () => {
      const [a, b] = fixture.pair;
      const user = fixture.fresh('user');
      const room = fixture.fresh('room');
      const away = await fixture.open(a, { user, room });
      const seen = await fixture.fence(a, away);
      away.close();
      const missed = await fixture.send(a, { room }, 'missed while a member');
      await a.hub.control.leave({ user }, room);
      await fixture.send(a, { room }, 'after the leave');
      // The app's resolver still names the room: the log, not the resolver, decides.
      const back = await fixture.open(b, { user, room }, seen.id);
      const last = await fixture.fence(a, back);
      assert.deepEqual(messagesOf(back), [missed, last]);
      fixture.assertNoErrors();
    },
    timeoutMs,
  );

  test.it(
    'a user disconnected with reconnect: false is refused with 204 on every instance',
    async () => {
      const [a, b] = fixture.pair;
      const user = fixture.fresh('user');
      const stream = await fixture.open(b, { user });
      await a.hub.control.disconnect({ user }, { reason: 'banned', reconnect: false });
      await waitFor(() => stream.ended, timeoutMs / 2, 'the banned stream to end');
      assert.deepEqual(JSON.parse(stream.events.at(-1)!.data), {
        reason: 'banned',
        reconnect: false,
      });
      for (const instance of [a, b]) {
        const response = await fetch(`${instance.url}?user=${user}`, {
          headers: { accept: 'text/event-stream' },
        });
        assert.equal(response.status, 204, `the banned user's next attempt on ${instance.url}`);
        // Each refusal is also an `error` event of its hub: expected here, not a failure.
        const others = instance.errors.filter((e) => !isSseError(e, 'SSE_BANNED'));
        assert.equal(others.length, instance.errors.length - 1, `one refusal on ${instance.url}`);
        instance.errors.splice(0, instance.errors.length, ...others);
      }
    },
    timeoutMs,
  );
}
