import { afterEach, describe, expect, it } from 'vitest';
import { createHub, createMemoryBus, createMemoryLog, RESET_EVENT } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('Last-Event-ID replay', () => {
  it('replays exactly the missed messages addressed to the stream, in order, then live ones', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const first = await openReader(`${server.url}/?user=amy&room=a`, cleanup);
    await waitFor(() => hub.stats().connections === 1, 2000, 'the first stream');
    await hub.publish({ to: { room: 'a' }, data: 'seen' });
    await first.waitForEvents(1);
    first.close();
    await waitFor(() => hub.stats().connections === 0, 2000, 'the disconnect');

    await hub.publish({ to: { room: 'a' }, data: 'missed-1' });
    await hub.publish({ to: { room: 'b' }, data: 'other room' });
    await hub.publish({ to: { user: 'amy' }, data: 'missed-2' });
    await hub.publish({ to: { user: 'zed' }, data: 'other user' });
    await hub.publish({ data: 'missed-3' });

    const second = await openReader(`${server.url}/?user=amy&room=a`, cleanup, {
      'last-event-id': first.lastEventId,
    });
    await second.waitForEvents(3);
    await hub.publish({ data: 'live' });
    await second.waitForEvents(4);
    expect(second.events.map((e) => e.data)).toEqual([
      '"missed-1"',
      '"missed-2"',
      '"missed-3"',
      '"live"',
    ]);
    expect(hub.stats().replay).toMatchObject({ hits: 1, replayedFrames: 3, resets: 0 });
  });

  it('gives streams resuming from the same id the same replay, shared or not', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const { id } = await hub.publish({ data: 0 });
    for (let i = 1; i <= 300; i++) await hub.publish({ data: i });
    await hub.publish({ to: { room: 'a' }, data: 'room' });
    const expected = Array.from({ length: 300 }, (_, i) => String(i + 1));
    // Three broadcast-only replays from one id (one shared buffer), then one whose range
    // holds a room message (staged per entry, filtered per stream).
    const readers = [];
    for (let i = 0; i < 3; i++)
      readers.push(await openReader(server.url, cleanup, { 'last-event-id': id }));
    for (const r of readers) await r.waitForEvents(300);
    for (const r of readers) expect(r.events.map((e) => e.data)).toEqual(expected);
    const inRoom = await openReader(`${server.url}/?room=a`, cleanup, { 'last-event-id': id });
    await inRoom.waitForEvents(301);
    expect(inRoom.events.map((e) => e.data)).toEqual([...expected, '"room"']);
    await hub.publish({ data: 'live' });
    for (const r of readers) await r.waitForEvents(301);
    expect(readers[0]!.events.at(-1)!.data).toBe('"live"');
    expect(hub.stats().replay).toMatchObject({ hits: 4, replayedFrames: 1201, resets: 0 });
  });

  it('accepts the id from the lastEventId query parameter', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const { id } = await hub.publish({ data: 1 });
    await hub.publish({ data: 2 });
    const r = await openReader(`${server.url}/?lastEventId=${encodeURIComponent(id)}`, cleanup);
    await r.waitForEvents(1);
    expect(r.events.map((e) => e.data)).toEqual(['2']);
  });

  it('has no gap and no duplicate at the seam while publishes race the reconnect', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    let next = 0;
    let running = true;
    const publisher = (async () => {
      const deadline = Date.now() + 15_000;
      for (let i = 0; running && i < 50_000 && Date.now() < deadline; i++) {
        await hub.publish({ data: next++ });
        if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const received: number[] = [];
    let lastId = '';
    for (let round = 0; round < 8; round++) {
      const r = await openReader(server.url, cleanup, lastId ? { 'last-event-id': lastId } : {});
      await waitFor(() => r.events.length >= 20, 5000, `round ${round} to receive 20 events`);
      r.close();
      received.push(...r.events.map((e) => Number(e.data)));
      lastId = r.lastEventId;
    }
    running = false;
    await publisher;
    const start = received[0]!;
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => start + i));
    expect(hub.stats().replay.resets).toBe(0);
  });

  it('anchors a fresh client at the head so a quick reconnect misses nothing', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const { id } = await hub.publish({ data: 'before' });
    const fresh = await openReader(server.url, cleanup);
    await waitFor(() => fresh.lastEventId === id, 2000, 'the id-only anchor frame');
    expect(fresh.events).toEqual([]);
    fresh.close();
    await hub.publish({ data: 'while away' });
    const back = await openReader(server.url, cleanup, { 'last-event-id': fresh.lastEventId });
    await back.waitForEvents(1);
    expect(back.events[0]!.data).toBe('"while away"');
  });

  it.each([
    ['unknown', 'deadbeef-42', 'unknown-last-event-id'],
    ['malformed', 'bad id with spaces', 'malformed-last-event-id'],
    ['too long', 'x'.repeat(257), 'malformed-last-event-id'],
    ['control-character', 'a\u0001b', 'malformed-last-event-id'],
    ['negative', '-1', 'unknown-last-event-id'],
  ])(
    'sends a reset event for an %s id, never a silent gap or an exception',
    async (_kind, id, reason) => {
      const hub = createHub();
      const server = await serveHub(hub, cleanup);
      const { id: head } = await hub.publish({ data: 'x' });
      const errors: Error[] = [];
      hub.on('error', (e) => errors.push(e));
      // Control characters cannot travel in a header, so every case goes through the query.
      const r = await openReader(
        `${server.url}/?user=u&lastEventId=${encodeURIComponent(id)}`,
        cleanup,
      );
      const [reset] = await r.waitForEvents(1);
      expect(reset!.event).toBe(RESET_EVENT);
      expect(JSON.parse(reset!.data).reason).toContain(reason);
      expect(reset!.id).toBe(head);
      await hub.publish({ data: 'live' });
      await r.waitForEvents(2);
      expect(r.status).toBe(200);
      expect(hub.stats().replay.resets).toBe(1);
      expect(errors).toEqual([]);
    },
  );

  it('answers a 100 KB Last-Event-ID header with 431 and stays healthy', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const huge = await fetch(server.url, { headers: { 'last-event-id': 'x'.repeat(100_000) } });
    expect(huge.status).toBe(431);
    const r = await openReader(server.url, cleanup);
    await hub.publish({ data: 'still fine' });
    await r.waitForEvents(1);
  });

  it('resets a client whose id fell out of the window', async () => {
    const hub = createHub({ replay: { maxEntries: 3 } });
    const server = await serveHub(hub, cleanup);
    const { id } = await hub.publish({ data: 0 });
    for (let i = 1; i <= 5; i++) await hub.publish({ data: i });
    const r = await openReader(server.url, cleanup, { 'last-event-id': id });
    const [reset] = await r.waitForEvents(1);
    expect(reset!.event).toBe(RESET_EVENT);
  });

  it('replays on another instance that shares the log', async () => {
    const log = createMemoryLog();
    const a = createHub({ bus: createMemoryBus({ log }) });
    const b = createHub({ bus: createMemoryBus({ log }) });
    const serverA = await serveHub(a, cleanup);
    const serverB = await serveHub(b, cleanup);
    await b.ready();
    const onA = await openReader(`${serverA.url}/?room=r`, cleanup);
    await waitFor(() => a.stats().connections === 1, 2000, 'the stream on A');
    await b.publish({ to: { room: 'r' }, data: 'from B' });
    await onA.waitForEvents(1);
    onA.close();
    await a.publish({ to: { room: 'r' }, data: 'missed' });
    const onB = await openReader(`${serverB.url}/?room=r`, cleanup, {
      'last-event-id': onA.lastEventId,
    });
    await onB.waitForEvents(1);
    expect(onB.events.map((e) => e.data)).toEqual(['"missed"']);
  });
});
