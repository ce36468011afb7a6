import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MAX_POSITION_LENGTH } from '../bus/bus.js';
import { isSseError } from '../errors.js';
import { assertNoMore, type SuiteContext } from './bus-conformance-context.js';
import { waitFor } from './wait-for.js';

const ODD_PAYLOADS: readonly string[] = [
  '',
  '\0',
  '\r\n\r\n',
  '\n',
  '\r',
  'data: forged\n\nevent: x\nid: 1\n\n',
  '{"json":"with \\"quotes\\" and \\\\ backslashes"}',
  'émoji 🚀 中文 עברית \u2028\u2029 \uFEFF',
  'tab\tand\u0007bell and \u001b[31mansi',
];

/**
 * The cases every bus must pass: one order for every member, positions, the start position,
 * starting under load, close, odd and large payloads, isolated channels.
 */
export function registerDeliveryCases(context: SuiteContext): void {
  const { test, join, newChannel, received, timeoutMs, capabilities } = context;

  test.it(
    'every member receives every entry once, in one order, with equal positions',
    async () => {
      const channel = newChannel();
      const members = [await join(channel), await join(channel), await join(channel)];
      const perMember = 20;
      const publishes: Promise<string>[] = [];
      for (let i = 0; i < perMember; i++) {
        for (const [k, m] of members.entries()) publishes.push(m.bus.publish(`m${k}-${i}`));
      }
      const positions = await Promise.all(publishes);
      const total = perMember * members.length;
      assert.equal(new Set(positions).size, total, 'publish() returned duplicate positions');
      for (const [k, m] of members.entries())
        await received(m, total, `member ${k} to receive ${total} entries`);
      await assertNoMore(members, total);
      const reference = members[0]!.entries;
      for (const m of members.slice(1)) {
        assert.deepEqual(m.entries, reference, 'members saw different orders or positions');
      }
      assert.deepEqual(
        new Set(reference.map((e) => e.position)),
        new Set(positions),
        'delivered positions differ from the ones publish() returned',
      );
      const byPosition = new Map(reference.map((e) => [e.position, e.payload]));
      let index = 0;
      for (let i = 0; i < perMember; i++) {
        for (let k = 0; k < members.length; k++) {
          assert.equal(
            byPosition.get(positions[index++]!),
            `m${k}-${i}`,
            'payload does not match its position',
          );
        }
      }
      // Each publisher's own entries keep their publish order.
      for (let k = 0; k < members.length; k++) {
        const own = reference.filter((e) => e.payload.startsWith(`m${k}-`)).map((e) => e.payload);
        assert.deepEqual(
          own,
          Array.from({ length: perMember }, (_, i) => `m${k}-${i}`),
        );
      }
    },
    timeoutMs,
  );

  test.it(
    'positions are unique, safe SSE ids',
    async () => {
      const m = await join(newChannel());
      const positions: string[] = [];
      for (let i = 0; i < 10; i++) positions.push(await m.bus.publish(`p${i}`));
      await received(m, 10, 'the member to receive 10 entries');
      for (const position of positions) {
        assert.ok(
          position.length > 0 && position.length <= MAX_POSITION_LENGTH,
          `bad length: ${position}`,
        );
        assert.ok(
          !/[\r\n\0]/.test(position),
          `position contains CR, LF or NUL: ${JSON.stringify(position)}`,
        );
      }
      assert.equal(new Set(positions).size, positions.length);
    },
    timeoutMs,
  );

  test.it(
    'start() resolves with the log position: an origin on an empty log, else the newest entry',
    async () => {
      const channel = newChannel();
      const a = await join(channel);
      const origin = a.start?.position;
      assert.ok(
        typeof origin === 'string' &&
          origin.length > 0 &&
          origin.length <= MAX_POSITION_LENGTH &&
          !/[\r\n\0]/.test(origin),
        `start() must resolve with { position } as a safe SSE id, got ${JSON.stringify(a.start)}`,
      );
      const first = await a.bus.publish('o1');
      const second = await a.bus.publish('o2');
      await received(a, 2, 'the member to receive 2 entries');
      if (a.bus.comparePositions) {
        const order = a.bus.comparePositions(origin, first);
        assert.ok(
          order !== undefined && order < 0,
          `the origin ${origin} must come before the first entry ${first} (got ${order})`,
        );
      }
      const b = await join(channel);
      assert.equal(
        b.start.position,
        second,
        'a member that starts on a non-empty log must start at its newest entry',
      );
      if (capabilities.retainsHistory) {
        const fromOrigin = await a.bus.readAfter!(origin, 10);
        assert.ok(fromOrigin.ok, `readAfter(origin) failed: ${JSON.stringify(fromOrigin)}`);
        assert.deepEqual(
          fromOrigin.entries.map((e) => e.position),
          [first, second],
          'readAfter(origin) must return every entry of the log',
        );
        const atHead = await b.bus.readAfter!(b.start.position, 10);
        assert.ok(atHead.ok);
        assert.equal(atHead.entries.length, 0);
      }
    },
    timeoutMs,
  );

  test.it(
    'a member that is starting loses nothing published after its start() resolved',
    async () => {
      const channel = newChannel();
      const a = await join(channel);
      const published: { position: string; afterJoin: boolean }[] = [];
      let joined = false;
      const deadline = Date.now() + timeoutMs / 4;
      const loop = (async () => {
        // Paced so that the join really happens while publishes are in flight.
        for (let i = 0, after = 0; after < 30 && i < 2000 && Date.now() < deadline; i++) {
          const afterJoin = joined;
          published.push({ position: await a.bus.publish(`s${i}`), afterJoin });
          if (afterJoin) after++;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      await waitFor(() => published.length >= 5, timeoutMs / 4, 'the first publishes');
      const b = await join(channel);
      joined = true;
      await loop;
      const expected = published.filter((p) => p.afterJoin).map((p) => p.position);
      assert.ok(expected.length > 0, 'no publish happened after the join');
      await waitFor(
        () => expected.every((p) => b.entries.some((e) => e.position === p)),
        timeoutMs / 2,
        'the new member to receive every entry published after its start() resolved',
      );
      const seenByB = b.entries.map((e) => e.position);
      // The publisher's own copy may still be on its way: compare once A has them all too.
      await waitFor(
        () => seenByB.every((p) => a.entries.some((e) => e.position === p)),
        timeoutMs / 2,
        'the publisher to receive its own entries',
      );
      const order = a.entries.map((e) => e.position).filter((p) => seenByB.includes(p));
      assert.deepEqual(seenByB, order, 'the new member saw a different order');
    },
    timeoutMs,
  );

  test.it(
    'close() is clean and idempotent; a closed bus rejects publish with SSE_BUS_CLOSED',
    async () => {
      const channel = newChannel();
      const a = await join(channel);
      const b = await join(channel);
      await a.bus.publish('before');
      await received(b, 1, 'member B to receive the first entry');
      await b.bus.close();
      await b.bus.close();
      await assert.rejects(b.bus.publish('after close'), (error: unknown) =>
        isSseError(error, 'SSE_BUS_CLOSED'),
      );
      await a.bus.publish('after');
      await received(a, 2, 'member A to receive the entry published after B closed');
      await assertNoMore([b], 1);
      await a.bus.close();
      await a.bus.close();
    },
    timeoutMs,
  );

  test.it(
    'odd and 1 MiB payloads survive unchanged',
    async () => {
      const channel = newChannel();
      const a = await join(channel);
      const b = await join(channel);
      const big = randomBytes(768 * 1024)
        .toString('base64')
        .slice(0, 1024 * 1024);
      const payloads = [...ODD_PAYLOADS, big];
      for (const payload of payloads) await a.bus.publish(payload);
      await received(b, payloads.length, 'member B to receive every odd payload');
      assert.deepEqual(
        b.entries.map((e) => e.payload),
        payloads,
      );
    },
    timeoutMs,
  );

  test.it(
    'two channels never see each other’s entries',
    async () => {
      const one = await join(newChannel());
      const two = await join(newChannel());
      await one.bus.publish('for one');
      await two.bus.publish('for two');
      await received(one, 1, 'channel one to receive its entry');
      await received(two, 1, 'channel two to receive its entry');
      await assertNoMore([one, two], 1);
      assert.equal(one.entries[0]!.payload, 'for one');
      assert.equal(two.entries[0]!.payload, 'for two');
    },
    timeoutMs,
  );
}
