import assert from 'node:assert/strict';
import { isSseError } from '../errors.js';
import type { BusFaultControl } from './bus-conformance.js';
import type { SuiteContext } from './bus-conformance-context.js';
import { waitFor } from './wait-for.js';

/**
 * The broker going away and coming back: every member recovers, publishes fail fast while it
 * is gone, nothing is delivered twice, and a durable broker loses nothing it accepted.
 */
export function registerFaultCases(context: SuiteContext, faults: BusFaultControl): void {
  const { test, join, newChannel, received, timeoutMs, capabilities } = context;
  test.it(
    'survives the broker going away and coming back',
    async () => {
      const channel = newChannel();
      const a = await join(channel, faults.createBus);
      const b = await join(channel, faults.createBus);
      const accepted: string[] = [];
      for (let i = 0; i < 10; i++) accepted.push(await a.bus.publish(`before-${i}`));
      await received(b, 10, 'member B to receive entries before the outage');
      const statesAtStop = [a, b].map((m) => m.states.length);
      await faults.stop();
      const started = Date.now();
      const during = await a.bus.publish('during').then(
        (position) => ({ ok: true as const, position }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (during.ok) accepted.push(during.position);
      else
        assert.ok(
          isSseError(during.error, 'SSE_BUS_UNAVAILABLE'),
          `unexpected error: ${String(during.error)}`,
        );
      assert.ok(Date.now() - started < timeoutMs / 2, 'publish during the outage took too long');
      await faults.start();
      if (!capabilities.retainsHistory) {
        // A bus that keeps nothing (pub/sub) loses, for a member still reconnecting, what
        // is published meanwhile (and reports the gap); a durable bus must not, so only
        // here do we wait until every member that reported the outage is ready again.
        await waitFor(
          () =>
            [a, b].every(
              (m, i) => m.states.length === statesAtStop[i] || m.states.at(-1)?.state === 'ready',
            ),
          timeoutMs / 2,
          'every member to report itself ready after the broker came back',
        );
      }
      const recovered = await waitFor(
        () => a.bus.publish('after-0').catch(() => undefined),
        timeoutMs / 2,
        'publish to succeed after the broker came back',
        200,
      );
      accepted.push(recovered);
      for (let i = 1; i < 10; i++) accepted.push(await a.bus.publish(`after-${i}`));
      const afterPositions = accepted.slice(-10);
      for (const m of [a, b]) {
        await waitFor(
          () => afterPositions.every((p) => m.entries.some((e) => e.position === p)),
          timeoutMs / 2,
          'every member to receive the entries published after the restart',
        );
      }
      if (faults.keepsDataAcrossRestart && capabilities.retainsHistory) {
        const history = await a.bus.readAfter!(accepted[0]!, 1000);
        assert.ok(history.ok, 'history read failed after the restart');
        const known = new Set([accepted[0], ...history.entries.map((e) => e.position)]);
        for (const p of accepted) assert.ok(known.has(p), `accepted entry ${p} was lost`);
      }
      for (const m of [a, b]) {
        const positions = m.entries.map((e) => e.position);
        assert.equal(new Set(positions).size, positions.length, 'an entry was delivered twice');
      }
    },
    timeoutMs * 3,
  );
}
