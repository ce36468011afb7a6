import assert from 'node:assert/strict';
import type { SuiteContext } from './bus-conformance-context.js';

/** The cases of a bus that retains history: `readAfter` pages, the head, malformed positions. */
export function registerHistoryCases(context: SuiteContext): void {
  const { test, join, newChannel, timeoutMs } = context;
  test.it(
    'readAfter() returns exactly the entries after a position, and nothing at the head',
    async () => {
      const channel = newChannel();
      const a = await join(channel);
      const positions: string[] = [];
      for (let i = 0; i < 12; i++) positions.push(await a.bus.publish(`h${i}`));
      const reader = await join(channel);
      assert.ok(reader.bus.readAfter, 'a bus that retains history must implement readAfter');
      const all = await reader.bus.readAfter!(positions[0]!, 100);
      assert.ok(all.ok, 'readAfter of a known position failed');
      assert.deepEqual(
        all.entries.map((e) => [e.position, e.payload]),
        positions.slice(1).map((p, i) => [p, `h${i + 1}`]),
      );
      const page = await reader.bus.readAfter!(positions[3]!, 4);
      assert.ok(page.ok);
      assert.deepEqual(
        page.entries.map((e) => e.position),
        positions.slice(4, 8),
      );
      const head = await reader.bus.readAfter!(positions[11]!, 10);
      assert.ok(head.ok);
      assert.equal(head.entries.length, 0);
      const malformed = await reader.bus.readAfter!('not a position \u0001', 10);
      assert.equal(malformed.ok, false, 'a malformed position must not read history');
    },
    timeoutMs,
  );
}
