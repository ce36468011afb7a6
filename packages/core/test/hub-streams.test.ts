import type { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Hub, type SseConnection } from '../src/index.js';
import { SseReader } from '../src/testing/sse-reader.js';
import { nextEvent, waitFor } from '../src/testing/wait-for.js';
import { startServer, type TestServer } from './helpers/http.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A hub behind a real server; the query string names the user and rooms. */
async function serve(hub: Hub): Promise<TestServer> {
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void hub.handle(req, res, {
      user: url.searchParams.get('user') ?? undefined,
      rooms: url.searchParams.getAll('room'),
    });
  });
  cleanups.push(
    () => server.close(),
    () => hub.shutdown({ announce: false, graceMs: 100 }),
  );
  return server;
}

async function reader(url: string, headers?: Record<string, string>): Promise<SseReader> {
  const r = await SseReader.open(url, headers);
  cleanups.push(() => r.close());
  return r;
}

describe('streams over HTTP/1.1', () => {
  it('sends the SSE headers at once, then the keep-alive advertisement and the retry hint', async () => {
    const hub = createHub({ retryMs: 1234, keepAliveMs: 4321 });
    const server = await serve(hub);
    const r = await reader(`${server.url}/?user=a`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(r.headers['cache-control']).toContain('no-cache');
    expect(r.headers['x-accel-buffering']).toBe('no');
    expect(r.headers.connection).toBe('keep-alive');
    expect(r.headers['content-encoding']).toBeUndefined();
    await waitFor(() => r.retry === 1234, 2000, 'the retry hint');
    // A comment first (invisible to every EventSource), so a client can tell a frozen server
    // from a quiet one; then the retry hint. One frame, the same bytes for every stream.
    expect(r.raw.startsWith(': sse-keep-alive=4321\nretry: 1234\n\n')).toBe(true);
    expect(r.comments).toBe(1);
  });

  it('addresses everyone, one user, one room and one connection', async () => {
    const hub = createHub();
    const server = await serve(hub);
    const alice1 = await reader(`${server.url}/?user=alice&room=lobby`);
    const alice2 = await reader(`${server.url}/?user=alice`);
    const bob = await reader(`${server.url}/?user=bob&room=lobby&room=dev`);
    await waitFor(() => hub.stats().connections === 3, 2000, 'three streams');
    const bobId = hub.roomConnections('dev')[0]!.id;

    expect((await hub.publish({ data: 'all' })).localRecipients).toBe(3);
    expect((await hub.publish({ to: { user: 'alice' }, data: 'alice' })).localRecipients).toBe(2);
    expect(
      (await hub.publish({ to: { room: 'lobby' }, event: 'chat', data: 'lobby' })).localRecipients,
    ).toBe(2);
    expect((await hub.publish({ to: { connection: bobId }, data: 'direct' })).localRecipients).toBe(
      1,
    );
    expect((await hub.publish({ to: { room: 'empty' }, data: 'nobody' })).localRecipients).toBe(0);

    await alice1.waitForEvents(3);
    await alice2.waitForEvents(2);
    await bob.waitForEvents(3);
    expect(alice1.events.map((e) => e.data)).toEqual(['"all"', '"alice"', '"lobby"']);
    expect(alice2.events.map((e) => e.data)).toEqual(['"all"', '"alice"']);
    expect(bob.events.map((e) => [e.event, e.data])).toEqual([
      ['message', '"all"'],
      ['chat', '"lobby"'],
      ['message', '"direct"'],
    ]);
    // Every recipient sees the same id for the same message.
    expect(alice1.events[0]!.id).toBe(bob.events[0]!.id);
    expect(hub.roomUsers('lobby').sort()).toEqual(['alice', 'bob']);
  });

  it('joins and leaves rooms at run time', async () => {
    const hub = createHub();
    const server = await serve(hub);
    const connected = nextEvent<SseConnection>(hub as unknown as EventEmitter, 'connect');
    const r = await reader(`${server.url}/?user=a`);
    const connection = await connected;
    connection.join('news');
    await hub.publish({ to: { room: 'news' }, data: 1 });
    connection.leave('news');
    await hub.publish({ to: { room: 'news' }, data: 2 });
    await hub.publish({ data: 3 });
    await r.waitForEvents(2);
    expect(r.events.map((e) => e.data)).toEqual(['1', '3']);
    expect(hub.stats().rooms).toBe(0);
  });

  it('coalesces the frames of one tick into one write per socket', async () => {
    const hub = createHub();
    let writes = 0;
    const server = await startServer((req, res) => {
      const write = res.write.bind(res) as (chunk: Buffer) => boolean;
      (res as unknown as { write: (chunk: Buffer) => boolean }).write = (chunk) => {
        writes++;
        return write(chunk);
      };
      void hub.handle(req, res);
    });
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const r = await reader(server.url);
    await waitFor(() => writes >= 1, 2000, 'the retry hint');
    const before = writes;
    await Promise.all(Array.from({ length: 50 }, (_, i) => hub.publish({ data: i })));
    await r.waitForEvents(50);
    expect(writes - before).toBe(1);
    expect(r.events.map((e) => Number(e.data))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('answers every publish of a burst larger than the delivery memory', async () => {
    const hub = createHub();
    const server = await serve(hub);
    const r = await reader(server.url);
    await waitFor(() => hub.stats().connections === 1, 2000, 'the stream');
    const receipts = await Promise.all(
      Array.from({ length: 600 }, (_, i) => hub.publish({ data: i })),
    );
    expect(receipts.map((receipt) => receipt.localRecipients)).toEqual(Array(600).fill(1));
    await r.waitForEvents(600);
  });

  it('keeps arrival order when broadcasts and targeted messages share one turn', async () => {
    const hub = createHub();
    const server = await serve(hub);
    const amy = await reader(`${server.url}/?user=amy&room=a`);
    const bob = await reader(`${server.url}/?user=bob`);
    await waitFor(() => hub.stats().connections === 2, 2000, 'two streams');
    // All in one turn: broadcasts are kept once for the hub and handed to each stream at
    // the flush, so a targeted message in between must not overtake them.
    const sent = [
      hub.publish({ data: 'b1' }),
      hub.publish({ to: { room: 'a' }, data: 'r1' }),
      hub.publish({ data: 'b2' }),
      hub.publish({ data: 'b3' }),
      hub.publish({ to: { user: 'bob' }, data: 'u1' }),
      hub.publish({ data: 'b4' }),
    ];
    const receipts = await Promise.all(sent);
    expect(receipts.map((r) => r.localRecipients)).toEqual([2, 1, 2, 2, 1, 2]);
    await amy.waitForEvents(5);
    await bob.waitForEvents(5);
    expect(amy.events.map((e) => e.data)).toEqual(['"b1"', '"r1"', '"b2"', '"b3"', '"b4"']);
    expect(bob.events.map((e) => e.data)).toEqual(['"b1"', '"b2"', '"b3"', '"u1"', '"b4"']);
    expect(amy.events.map((e) => e.id)).toEqual(
      receipts.filter((_, i) => i !== 4).map((r) => r.id),
    );
  });

  it('gives a stream that goes live during a run of broadcasts each message once', async () => {
    const hub = createHub();
    const server = await serve(hub);
    const first = await reader(server.url);
    await waitFor(() => hub.stats().connections === 1, 2000, 'the first stream');
    const { id } = await hub.publish({ data: 0 });
    // Broadcasts keep coming on every turn while a second stream replays from `id` and
    // goes live: whatever the turn it joins on, it sees 1, 2, 3… with no gap or repeat.
    let next = 1;
    let running = true;
    const publisher = (async () => {
      for (let i = 0; running && i < 5_000; i++) {
        await Promise.all([hub.publish({ data: next++ }), hub.publish({ data: next++ })]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const second = await reader(server.url, { 'last-event-id': id });
    await second.waitForEvents(200);
    running = false;
    await publisher;
    const got = second.events.map((e) => Number(e.data));
    expect(got.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await first.waitForEvents(next);
    expect(first.events.map((e) => Number(e.data))).toEqual(
      Array.from({ length: next }, (_, i) => i),
    );
  });

  it.each([
    [0, 10],
    [500, 1],
  ])(
    'with flushWindowMs=%i, 10 messages on 10 turns take %i write(s)',
    async (flushWindowMs, expected) => {
      const hub = createHub({ flushWindowMs });
      let writes = 0;
      const server = await startServer((req, res) => {
        const write = res.write.bind(res) as (chunk: Buffer) => boolean;
        (res as unknown as { write: (chunk: Buffer) => boolean }).write = (chunk) => {
          writes++;
          return write(chunk);
        };
        void hub.handle(req, res);
      });
      cleanups.push(
        () => server.close(),
        () => hub.shutdown({ announce: false, graceMs: 100 }),
      );
      const r = await reader(server.url);
      await waitFor(() => writes >= 1, 2000, 'the retry hint');
      const before = writes;
      // One message per event-loop turn; the whole run fits well inside the 500 ms window.
      for (let i = 0; i < 10; i++) {
        await hub.publish({ data: i });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await r.waitForEvents(10);
      expect(writes - before).toBe(expected);
    },
  );

  it('sends heartbeats from one hub-wide timer and cleans up on disconnect', async () => {
    const hub = createHub({ keepAliveMs: 200 });
    const server = await serve(hub);
    await hub.ready();
    const timers = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const readers = await Promise.all(
      Array.from({ length: 20 }, () => reader(`${server.url}/?user=u`)),
    );
    // The first comment of every stream is the keep-alive advertisement, not a heartbeat.
    await waitFor(
      () => readers.every((r) => r.comments >= 3),
      5000,
      'two heartbeats on every stream',
    );
    expect(timers() - before).toBeLessThanOrEqual(1);
    const disconnects: string[] = [];
    hub.on('disconnect', (_c, reason) => disconnects.push(reason));
    for (const r of readers) r.close();
    await waitFor(() => hub.stats().connections === 0, 5000, 'every stream to be removed');
    expect(disconnects).toEqual(Array(20).fill('client-closed'));
    expect(hub.stats()).toMatchObject({ users: 0, rooms: 0, connections: 0 });
  });
});

describe('streams over HTTP/2', () => {
  it('sends headers without Connection and delivers frames', async () => {
    const hub = createHub();
    const server = http2.createServer();
    server.on('request', (req, res) => void hub.handle(req, res, { user: 'h2' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = http2.connect(`http://127.0.0.1:${port}`);
    cleanups.push(
      () => new Promise<void>((resolve) => server.close(() => resolve())),
      () => client.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const stream = client.request({ ':path': '/events', accept: 'text/event-stream' });
    let headers: http2.IncomingHttpHeaders = {};
    let body = '';
    stream.on('response', (h) => {
      headers = h;
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    await waitFor(() => hub.stats().connections === 1, 3000, 'the HTTP/2 stream');
    await hub.publish({ to: { user: 'h2' }, event: 'x', data: 'over h2' });
    await waitFor(() => body.includes('over h2'), 3000, 'the frame over HTTP/2');
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers.connection).toBeUndefined();
    expect(body).toMatch(
      /^: sse-keep-alive=15000\nretry: 2000\n\nevent: sse-position\ndata: \{\}\nid: \S+\n\nevent: x\ndata: "over h2"\nid: \S+\n\n$/,
    );
    stream.close();
    await waitFor(() => hub.stats().connections === 0, 3000, 'the HTTP/2 stream to be removed');
  });
});
