import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { encodeEnvelope } from '../hub/envelope.js';
import type { PublishReceipt } from '../hub/hub-api.js';
import type { SuiteContext } from './bus-conformance-context.js';
import {
  type HubInstance,
  messagesOf,
  openStream,
  readUntil,
  startHubInstance,
} from './conformance-hubs.js';

/** The idempotency window of every hub in these cases. */
const WINDOW_MS = 60_000;

/**
 * What a client must see on every instance, live and in every replay: each message once,
 * in bus order, the keyed one under its first id. Checked on `live` (streams open before the
 * messages), then on a stream of each instance resuming from the other's starting position
 * (the window replay a client gets when it moves), then, on a bus that keeps history, on a
 * third instance without a replay window (every entry read back from the broker).
 */
async function assertEverywhereOnce(
  context: SuiteContext,
  channel: string,
  live: readonly { instance: HubInstance; reader: Awaited<ReturnType<typeof openStream>> }[],
  expected: readonly { id: string; data: string }[],
): Promise<void> {
  const last = expected.at(-1)!.data;
  const starts = live.map(({ reader }) => reader.positions[0]!);
  for (const [k, { reader }] of live.entries()) {
    await readUntil(context, reader, last, `the live stream on instance ${k}`);
    assert.deepEqual(messagesOf(reader), expected, `live stream on instance ${k}`);
  }
  for (const [k, { instance }] of live.entries()) {
    const from = starts[(k + 1) % starts.length]!;
    const resumed = await openStream(context, instance, from);
    await readUntil(context, resumed, last, `a stream resuming on instance ${k}`);
    assert.deepEqual(messagesOf(resumed), expected, `replay on instance ${k}`);
  }
  if (!context.capabilities.retainsHistory) return;
  const fromHistory = await startHubInstance(context, channel, {
    idempotency: { windowMs: WINDOW_MS },
    replay: { maxEntries: 0 },
  });
  const replayed = await openStream(context, fromHistory, starts[0]);
  await readUntil(context, replayed, last, 'a stream replayed from history');
  assert.deepEqual(messagesOf(replayed), expected, 'replay from the bus history');
  assert.ok(fromHistory.hub.stats().replay.historyReads > 0, 'the bus history was not read');
}

/** Two hubs on a fresh channel, each with one live stream. */
async function twoInstances(context: SuiteContext, channel: string) {
  const live = [];
  for (let k = 0; k < 2; k++) {
    const instance = await startHubInstance(context, channel, {
      idempotency: { windowMs: WINDOW_MS },
    });
    live.push({ instance, reader: await openStream(context, instance) });
  }
  return live as [(typeof live)[0], (typeof live)[0]];
}

const keyed = (data: string, key: string) => ({ event: 'msg', data, idempotencyKey: key });

/**
 * Idempotency keys through hubs, on every bus: what an application sees when it retries a
 * publish on another instance, or two instances publish one key at once. On a bus that does
 * not deduplicate, also what the hubs do with two appends of one key in the log.
 */
export function registerIdempotentHubCases(context: SuiteContext): void {
  const { test, newChannel, timeoutMs, capabilities } = context;

  test.it(
    'hubs: a keyed publish retried on another instance is one message with one id, live and in replays',
    async () => {
      const channel = newChannel();
      const [a, b] = await twoInstances(context, channel);
      const key = `retry-${randomUUID()}`;
      const first = await a.instance.hub.publish(keyed('first', key));
      assert.equal(first.duplicate, false);
      const retries: PublishReceipt[] = [
        await b.instance.hub.publish(keyed('retry on B', key)),
        await a.instance.hub.publish(keyed('retry on A', key)),
      ];
      for (const retry of retries)
        assert.deepEqual(retry, { id: first.id, localRecipients: 0, duplicate: true });
      const marker = await b.instance.hub.publish({ event: 'msg', data: 'marker' });
      await assertEverywhereOnce(
        context,
        channel,
        [a, b],
        [
          { id: first.id, data: '"first"' },
          { id: marker.id, data: '"marker"' },
        ],
      );
      assert.ok(a.instance.hub.stats().idempotency.repeats >= 1);
      assert.deepEqual([...a.instance.errors, ...b.instance.errors], []);
    },
    timeoutMs * 2,
  );

  test.it(
    'hubs: one key published on two instances at once resolves with one id, delivered once',
    async () => {
      const channel = newChannel();
      const [a, b] = await twoInstances(context, channel);
      const key = `race-${randomUUID()}`;
      const [onA, onB] = await Promise.all([
        a.instance.hub.publish(keyed('from A', key)),
        b.instance.hub.publish(keyed('from B', key)),
      ]);
      assert.equal(onA.id, onB.id, 'the two publishes of one key resolved with two ids');
      assert.equal([onA, onB].filter((r) => !r.duplicate).length, 1, 'not exactly one first');
      const marker = await a.instance.hub.publish({ event: 'msg', data: 'marker' });
      await assertEverywhereOnce(
        context,
        channel,
        [a, b],
        [
          { id: onA.id, data: onA.duplicate ? '"from B"' : '"from A"' },
          { id: marker.id, data: '"marker"' },
        ],
      );
    },
    timeoutMs * 2,
  );

  if (capabilities.deduplicates === true) return;

  test.it(
    'hubs: two appends of one key in the log are delivered once on every instance, live and in replays',
    async () => {
      const channel = newChannel();
      const [a, b] = await twoInstances(context, channel);
      // What two instances that both missed the other's append leave in the log, written
      // straight to the bus.
      const raw = await context.join(channel);
      const key = `twice-${randomUUID()}`;
      const at = Date.now();
      const append = (data: string, stampedAt: number): Promise<string> =>
        raw.bus.publish(
          encodeEnvelope({
            target: { kind: 'all', value: '' },
            event: 'msg',
            data: JSON.stringify(data),
            idempotency: { key, at: stampedAt },
          }),
        );
      const first = await append('first', at);
      await append('second append', at + 1);
      // Stamped a whole window later: a new message under the same key.
      const later = await append('a window later', at + WINDOW_MS);
      const marker = await a.instance.hub.publish({ event: 'msg', data: 'marker' });
      await assertEverywhereOnce(
        context,
        channel,
        [a, b],
        [
          { id: first, data: '"first"' },
          { id: later, data: '"a window later"' },
          { id: marker.id, data: '"marker"' },
        ],
      );
      for (const { instance } of [a, b])
        assert.ok(instance.hub.stats().idempotency.dropped >= 1, 'no drop was counted');
    },
    timeoutMs * 2,
  );
}
