import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type DropPolicy, type Hub } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A real TCP client that sends the request and then stops reading. */
async function stalledClient(url: string): Promise<net.Socket & { received: () => string }> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  cleanup.add(() => {
    socket.destroy();
  });
  let text = '';
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`GET /?user=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  // Read the headers, then stop reading for good: the kernel buffers fill and the
  // server's write() starts returning false.
  await waitFor(() => text.includes('retry:'), 3000, 'the stream to open');
  socket.pause();
  return Object.assign(socket, { received: () => text });
}

const PAYLOAD = 'x'.repeat(32 * 1024);

/** Publishes bursts until `until()` holds, bounded in count and time. */
async function flood(hub: Hub, until: () => boolean): Promise<number> {
  let sent = 0;
  const deadline = Date.now() + 15_000;
  while (!until() && sent < 4000 && Date.now() < deadline) {
    await Promise.all(Array.from({ length: 20 }, () => hub.publish({ data: PAYLOAD })));
    sent += 20;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

describe('backpressure with a client that stops reading', () => {
  it.each<DropPolicy>(['disconnect', 'oldest', 'newest'])(
    'policy %s keeps the queue within its bounds and does not slow the others',
    async (dropPolicy) => {
      const maxQueueBytes = 256 * 1024;
      const hub = createHub({ dropPolicy, maxQueueItems: 100, maxQueueBytes });
      const server = await serveHub(hub, cleanup);
      const fast = await openReader(`${server.url}/?user=fast`, cleanup);
      const slow = await stalledClient(server.url);
      const drops: string[] = [];
      const disconnects: string[] = [];
      hub.on('drop', (_c, reason) => drops.push(reason));
      hub.on('disconnect', (_c, reason) => disconnects.push(reason));
      await waitFor(() => hub.stats().connections === 2, 2000, 'both streams');

      const sent = await flood(hub, () => drops.length > 0);
      expect(drops.length, 'the stalled client never hit its bound').toBeGreaterThan(0);
      await fast.waitForEvents(sent, 15_000);
      expect(fast.events.length).toBe(sent);

      const stats = hub.stats();
      expect(stats.queueHighWater.bytes).toBeLessThanOrEqual(maxQueueBytes);
      expect(stats.queueHighWater.items).toBeLessThanOrEqual(100);
      if (dropPolicy === 'disconnect') {
        expect(drops[0]).toBe('slow-consumer');
        await waitFor(
          () => disconnects.includes('slow-consumer'),
          3000,
          'the slow stream to be cut',
        );
        expect(stats.drops['slow-consumer']).toBeGreaterThan(0);
      } else {
        expect(drops[0]).toBe(dropPolicy === 'oldest' ? 'queue-full-oldest' : 'queue-full-newest');
        expect(hub.stats().connections).toBe(2);
        // Once the client reads again, the gap is announced, never silent.
        slow.resume();
        await waitFor(
          () => slow.received().includes('event: sse-reset'),
          10_000,
          'the reset after the drain',
        );
        expect(slow.received()).toContain('frames-dropped');
      }
    },
    30_000,
  );
});

describe('a client that stops reading while traffic is light', () => {
  it('is cut after maxStallMs even though its queue never filled', async () => {
    const hub = createHub({
      keepAliveMs: 200,
      maxStallMs: 300,
      maxQueueItems: 100_000,
      maxQueueBytes: 1 << 30,
    });
    const server = await serveHub(hub, cleanup);
    const fast = await openReader(`${server.url}/?user=fast`, cleanup);
    await stalledClient(server.url);
    const drops: string[] = [];
    hub.on('drop', (_c, reason) => drops.push(reason));
    await waitFor(() => hub.stats().connections === 2, 2000, 'both streams');
    // Fill the stalled socket's kernel buffers until a write returns false, then go quiet.
    await flood(hub, () => hub.stats().queueHighWater.items > 0);
    expect(hub.stats().queueHighWater.items).toBeGreaterThan(0);
    await waitFor(() => drops.includes('stalled'), 5000, 'the stalled stream to be cut');
    await waitFor(() => hub.stats().connections === 1, 2000, 'only the reading stream to remain');
    await hub.publish({ data: 'after' });
    await waitFor(() => fast.events.some((e) => e.data === '"after"'), 5000, 'the reader to go on');
    expect(hub.stats().drops.stalled).toBeGreaterThan(0);
    expect(hub.stats().disconnects['slow-consumer']).toBe(1);
  });
});
