import { afterEach, describe, expect, it } from 'vitest';
import { createHub, createMemoryBus, createMemoryLog, SHUTDOWN_EVENT } from '../src/index.js';
import type { SseReader } from '../src/testing/sse-reader.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('graceful shutdown during traffic, with a second instance on the same log', () => {
  it('announces to every client, which then resumes on the other instance missing nothing', async () => {
    const log = createMemoryLog();
    const a = createHub({ bus: createMemoryBus({ log }), retryMs: 100 });
    const b = createHub({ bus: createMemoryBus({ log }) });
    const serverA = await serveHub(a, cleanup);
    const serverB = await serveHub(b, cleanup);
    await b.ready();
    const clients = await Promise.all(
      Array.from({ length: 10 }, () => openReader(serverA.url, cleanup)),
    );
    await waitFor(() => a.stats().connections === 10, 3000, 'ten streams on A');

    // Steady publishing through B for the whole test, bounded in count and time.
    let published = 0;
    let running = true;
    const publisher = (async () => {
      const deadline = Date.now() + 10_000;
      while (running && published < 5000 && Date.now() < deadline) {
        await b.publish({ data: published++ });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await waitFor(
      () => clients.every((c) => c.events.length >= 5),
      5000,
      'traffic to reach every client',
    );

    await a.shutdown({ graceMs: 1000, reconnectSpreadMs: 200 });
    const resumed: SseReader[] = [];
    for (const client of clients) {
      await waitFor(() => client.ended, 3000, 'the stream on A to end');
      const announce = client.named(SHUTDOWN_EVENT);
      expect(announce).toHaveLength(1);
      expect(client.retry).toBeGreaterThanOrEqual(100);
      resumed.push(await openReader(serverB.url, cleanup, { 'last-event-id': client.lastEventId }));
    }
    const target = published + 5;
    await waitFor(() => published >= target, 5000, 'more traffic after the failover');
    running = false;
    await publisher;
    for (const [i, client] of clients.entries()) {
      await waitFor(() => resumed[i]!.events.length > 0, 3000, 'the resumed stream to receive');
      const all = [...client.events, ...resumed[i]!.events]
        .filter((e) => e.event === 'message')
        .map((e) => Number(e.data));
      expect(all.length).toBeGreaterThan(5);
      // Contiguous from the first message it saw: no gap, no duplicate across the failover.
      expect(all).toEqual(Array.from({ length: all.length }, (_, k) => all[0]! + k));
    }
    expect(b.stats().replay.resets).toBe(0);
  });
});
