import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BusAppend } from '../bus/bus.js';
import { assertNoMore, type Member, type SuiteContext } from './bus-conformance-context.js';
import { registerIdempotentHubCases } from './bus-conformance-idempotent-hubs.js';
import { waitFor } from './wait-for.js';

/** The window the expiry case starts its members with. */
const SHORT_WINDOW_MS = 1_500;

const once = (member: Member, payload: string, key: string): Promise<BusAppend> => {
  assert.ok(member.bus.publishOnce, 'a bus that deduplicates must implement publishOnce');
  return member.bus.publishOnce(payload, { key });
};

/**
 * Idempotency keys. Every bus: its `deduplicates` flag says what the suite was told, and two
 * hubs on the channel turn a retried key into one message (see the hub cases). A bus that
 * deduplicates: `publishOnce` appends a key once per window, from any member, also when
 * members race, and the key is free again after the window.
 */
export function registerIdempotencyCases(context: SuiteContext): void {
  const { test, join, newChannel, received, timeoutMs, capabilities } = context;
  const deduplicates = capabilities.deduplicates === true;

  test.it(
    `says it ${deduplicates ? 'deduplicates (and implements publishOnce)' : 'does not deduplicate'}, as its capability table does`,
    async () => {
      const { bus } = await join(newChannel());
      assert.equal(
        bus.deduplicates === true,
        deduplicates,
        `bus.deduplicates is ${String(bus.deduplicates)}, the capability table says ${deduplicates}`,
      );
      assert.equal(
        typeof bus.publishOnce === 'function',
        deduplicates,
        'publishOnce must be implemented exactly when the bus deduplicates',
      );
    },
    timeoutMs,
  );

  registerIdempotentHubCases(context);
  if (!deduplicates) return;

  test.it(
    'publishOnce: a repeated key appends nothing and resolves with the first position, from any member',
    async () => {
      const channel = newChannel();
      const members = [await join(channel), await join(channel), await join(channel)];
      const [a, b, c] = members as [Member, Member, Member];
      const key = `k-${randomUUID()}`;
      const first = await once(a, 'first', key);
      assert.equal(first.duplicate, false, 'the first publishOnce of a key is not a duplicate');
      assert.deepEqual(await once(a, 'again', key), { position: first.position, duplicate: true });
      assert.deepEqual(await once(b, 'from b', key), { position: first.position, duplicate: true });
      const other = await once(b, 'other key', `k-${randomUUID()}`);
      assert.equal(other.duplicate, false);
      assert.notEqual(other.position, first.position);
      const plain = await c.bus.publish('plain');
      for (const m of members) await received(m, 3, 'every member to receive 3 entries');
      await assertNoMore(members, 3);
      for (const m of members)
        assert.deepEqual(
          m.entries.map((e) => [e.position, e.payload]),
          [
            [first.position, 'first'],
            [other.position, 'other key'],
            [plain, 'plain'],
          ],
          'a repeat was appended, or the first payload did not win',
        );
    },
    timeoutMs,
  );

  test.it(
    'publishOnce of one key from every member at once appends it once',
    async () => {
      const channel = newChannel();
      const members = [await join(channel), await join(channel), await join(channel)];
      const key = `race-${randomUUID()}`;
      const results = await Promise.all(
        members.flatMap((m, k) => Array.from({ length: 5 }, (_, i) => once(m, `m${k}-${i}`, key))),
      );
      assert.equal(new Set(results.map((r) => r.position)).size, 1, 'racing repeats got two ids');
      assert.equal(results.filter((r) => !r.duplicate).length, 1, 'not exactly one first append');
      for (const m of members) await received(m, 1, 'every member to receive the one entry');
      await assertNoMore(members, 1);
      assert.equal(members[0]!.entries[0]!.position, results[0]!.position);
    },
    timeoutMs,
  );

  test.it(
    `a key is free again once its window (${SHORT_WINDOW_MS} ms, given at start) is over`,
    async () => {
      const channel = newChannel();
      const options = { idempotencyWindowMs: SHORT_WINDOW_MS };
      const a = await join(channel, undefined, options);
      const b = await join(channel, undefined, options);
      const key = `w-${randomUUID()}`;
      const first = await once(a, 'first', key);
      const started = Date.now();
      assert.equal((await once(b, 'within', key)).duplicate, true, 'a repeat within the window');
      const later = await waitFor(
        async () => {
          const result = await once(b, 'after the window', key);
          return result.duplicate ? undefined : result;
        },
        SHORT_WINDOW_MS + timeoutMs / 2,
        'the key to be accepted again after the window',
        100,
      );
      // Not a timing claim: a bus that forgot the window would accept it at once.
      assert.ok(
        Date.now() - started >= SHORT_WINDOW_MS / 2,
        `the key was free again after ${Date.now() - started} ms, within its window`,
      );
      assert.notEqual(later.position, first.position);
      for (const m of [a, b]) await received(m, 2, 'both entries');
      await assertNoMore([a, b], 2);
    },
    timeoutMs,
  );
}
