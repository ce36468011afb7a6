import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIN_RECONNECT_DELAY_MS } from '../src/backoff.js';
import type { EventStream, LastEventIdStorage } from '../src/index.js';
import { createEventStream } from '../src/index.js';
import { record } from './helpers/record.js';
import type { TestServer } from './helpers/sse-server.js';
import { endAfter, frame, startTestServer, status, stayOpen } from './helpers/sse-server.js';

let server: TestServer;
const streams: { close(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});
afterAll(async () => {
  await server.close();
});

type Events = { message: { n: number } };

function open(options: Parameters<typeof createEventStream>[1] = {}): EventStream<Events> {
  // The floor (500 ms) is also the smallest initialDelayMs, so each reconnect here costs 500 ms.
  const stream = createEventStream<Events>(`${server.url}/sse`, {
    initialDelayMs: 500,
    maxDelayMs: 4000,
    random: () => 0.5,
    ...options,
  });
  streams.push(stream);
  return stream;
}

/**
 * Waits until the client has what the server sent, then breaks the connection mid-body.
 * Dropping right after writing would race: bytes in flight at a reset may be discarded.
 */
async function dropOnce(received: () => boolean, what: string): Promise<void> {
  await waitFor(received, 5000, what);
  expect(server.dropOpenStreams()).toBe(1);
}

const requestsSince = (start: number) => server.requests.slice(start);

describe('createEventStream over fetch with a real node:http server', () => {
  it('uses the fetch transport in Node 20 (no global EventSource)', () => {
    server.script(stayOpen());
    expect(open().transport).toBe('fetch');
  });

  it("'auto' picks fetch even where an EventSource exists; 'eventsource' is an explicit choice", () => {
    // Never constructed: an aborted signal closes the stream before it connects.
    const EventSource = class {} as unknown as typeof globalThis.EventSource;
    const signal = AbortSignal.abort();
    const url = `${server.url}/sse`;
    expect(createEventStream(url, { EventSource, signal }).transport).toBe('fetch');
    const forced = createEventStream(url, { EventSource, signal, transport: 'eventsource' });
    expect(forced.transport).toBe('eventsource');
  });

  it('reconnects after a mid-stream drop, resends Last-Event-ID and drops repeated ids', async () => {
    server.script(
      stayOpen(
        frame({ n: 1 }, { id: 'e1' }),
        frame({ n: 2 }, { id: 'e2' }),
        frame({ n: 3 }, { id: 'e3' }),
      ),
      // A server that replays from an inclusive position resends e3: it must not reach the app.
      stayOpen(
        frame({ n: 3 }, { id: 'e3' }),
        frame({ n: 4 }, { id: 'e4' }),
        frame({ n: 5 }, { id: 'e5' }),
      ),
    );
    const start = server.requests.length;
    const stream = open();
    const rec = record(stream);
    await dropOnce(() => rec.data.length === 3, 'the first three events');
    await waitFor(() => rec.data.length >= 5, 5000, 'five distinct events');
    expect(rec.data).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(rec.ids).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    const [first, second] = requestsSince(start);
    expect(first?.headers['last-event-id']).toBeUndefined();
    expect(second?.headers['last-event-id']).toBe('e3');
    expect(second?.headers.accept).toBe('text/event-stream');
    expect(rec.states).toEqual(['open', 'connecting', 'open']);
    expect(rec.errors.map((e) => [e.code, e.fatal])).toEqual([['SSE_NETWORK', false]]);
    // The first retry's window is [500, 500): the floor.
    expect(rec.reconnects.map((r) => [r.attempt, r.delayMs])).toEqual([[1, 500]]);
    expect(second!.at - rec.reconnects[0]!.at).toBeGreaterThanOrEqual(499);
    expect(stream.lastEventId).toBe('e5');
  });

  it('retries 500s and 408s with growing full-jitter delays, then opens on 200', async () => {
    // Not 502/503/504: those stop growing at maxGatewayDelayMs (tested below).
    server.script(status(500), status(500), status(500), status(408), stayOpen(frame({ n: 1 })));
    const start = server.requests.length;
    const draws = [0.999, 0.999, 0.1, 0];
    const stream = open({ random: () => draws.shift() ?? 0 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after four failures');
    expect(requestsSince(start)).toHaveLength(5);
    expect(rec.errors.map((e) => [e.code, e.status, e.fatal])).toEqual([
      ['SSE_HTTP_STATUS', 500, false],
      ['SSE_HTTP_STATUS', 500, false],
      ['SSE_HTTP_STATUS', 500, false],
      ['SSE_HTTP_STATUS', 408, false],
    ]);
    // Windows [500, 500·2^n): 500, 1000, 2000, 4000 (base 500, doubling, ceiling 4000).
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([500, 999, 650, 500]);
    const windows = [501, 1000, 2000, 4000];
    rec.reconnects.forEach((r, i) => {
      expect(r.attempt).toBe(i + 1);
      expect(r.delayMs).toBeGreaterThanOrEqual(500);
      expect(r.delayMs).toBeLessThan(windows[i]!);
    });
    // The next request never comes before its delay.
    const reqs = requestsSince(start);
    rec.reconnects.forEach((r, i) => {
      expect(reqs[i + 1]!.at - r.at).toBeGreaterThanOrEqual(r.delayMs - 1);
    });
    expect(rec.states).toEqual(['open']);
  });

  it('after 502, 503 and 504 the window stops at maxGatewayDelayMs; a Retry-After starts it later', async () => {
    server.script(
      status(502),
      status(503),
      status(504),
      status(502),
      status(503, { 'Retry-After': '1' }),
      stayOpen(frame({ n: 1 })),
    );
    const stream = open({ maxDelayMs: 30_000, maxGatewayDelayMs: 700, random: () => 0.999999 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 8000, 'the event after five gateway answers');
    expect(rec.errors.map((e) => e.status)).toEqual([502, 503, 504, 502, 503]);
    // Without the cap the windows would double to 8000; with it they stop at 700. The last
    // is 1000 (Retry-After) plus the same window above it.
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([500, 699, 699, 699, 1199]);
  });

  it('never waits longer than maxDelayMs, with random draws at the top of the range', async () => {
    server.script(status(500), status(500), status(500), status(500), stayOpen(frame({ n: 1 })));
    const stream = open({ maxDelayMs: 600, random: () => 0.999999 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after four 500s');
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([500, 599, 599, 599]);
  });

  it('honours Retry-After on 429 as a floor', async () => {
    server.script(status(429, { 'Retry-After': '1' }), stayOpen(frame({ n: 1 })));
    const start = server.requests.length;
    const stream = open();
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after a 429');
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([1000]);
    const [first, second] = requestsSince(start);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(999);
  });

  it("uses the server's retry: as the backoff base", async () => {
    server.script(
      stayOpen('retry: 900\n', frame({ n: 1 }, { id: 'r1' })),
      stayOpen(frame({ n: 2 }, { id: 'r2' })),
    );
    const stream = open({ maxDelayMs: 600 });
    const rec = record(stream);
    await dropOnce(() => rec.data.length === 1, 'the first event');
    await waitFor(() => rec.data.length === 2, 5000, 'both events');
    // Base 900 wins over maxDelayMs 600: the floor plus half of the 400 above it.
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([700]);
  });

  it.each([401, 403, 404, 410])(
    'stops on %i with a fatal typed error and no retry',
    async (code) => {
      server.script(status(code), stayOpen(frame({ n: 1 })));
      const start = server.requests.length;
      const stream = open();
      const rec = record(stream);
      await waitFor(() => stream.state === 'closed', 5000, `the stream to close on ${code}`);
      expect(rec.states).toEqual(['closed']);
      expect(rec.errors).toHaveLength(1);
      expect(rec.errors[0]).toMatchObject({ code: 'SSE_HTTP_STATUS', status: code, fatal: true });
      expect(stream.error).toBe(rec.errors[0]);
      expect(rec.reconnects).toEqual([]);
      expect(requestsSince(start)).toHaveLength(1);
    },
  );

  it('stops on a 200 that is not text/event-stream', async () => {
    server.script((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'));
    const stream = open();
    const rec = record(stream);
    await waitFor(() => stream.state === 'closed', 5000, 'the stream to close');
    expect(rec.errors.map((e) => [e.code, e.fatal])).toEqual([['SSE_BAD_CONTENT_TYPE', true]]);
  });

  it('gives up after maxRetries consecutive failures', async () => {
    server.script(status(503));
    const start = server.requests.length;
    const stream = open({ maxRetries: 2 });
    const rec = record(stream);
    await waitFor(() => stream.state === 'closed', 5000, 'the stream to give up');
    expect(requestsSince(start)).toHaveLength(3);
    expect(stream.error).toMatchObject({ code: 'SSE_RETRIES_EXHAUSTED', fatal: true });
    expect(rec.errors.map((e) => e.code)).toEqual([
      'SSE_HTTP_STATUS',
      'SSE_HTTP_STATUS',
      'SSE_HTTP_STATUS',
      'SSE_RETRIES_EXHAUSTED',
    ]);
  });

  it('retries a refused connection (network error) with backoff', async () => {
    const dead = await startTestServer();
    const deadUrl = dead.url;
    await dead.close(); // nothing listens on this port now
    const stream = createEventStream(`${deadUrl}/sse`, {
      initialDelayMs: 500,
      maxRetries: 1,
      random: () => 0,
    });
    streams.push(stream);
    const rec = record(stream);
    await waitFor(() => stream.state === 'closed', 5000, 'two refused attempts');
    expect(rec.errors.map((e) => e.code)).toEqual([
      'SSE_NETWORK',
      'SSE_NETWORK',
      'SSE_RETRIES_EXHAUSTED',
    ]);
  });

  it('resumes from an id-only anchor frame', async () => {
    server.script(stayOpen('id: anchor-42\n\n'), stayOpen(frame({ n: 43 }, { id: 'anchor-43' })));
    const start = server.requests.length;
    const stream = open();
    const rec = record(stream);
    await dropOnce(() => stream.lastEventId === 'anchor-42', 'the anchor to set lastEventId');
    expect(rec.data).toEqual([]);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after the anchor');
    expect(requestsSince(start)[1]?.headers['last-event-id']).toBe('anchor-42');
  });

  it('surfaces sse-reset as on("reset") and in the iterator, even with an id already seen', async () => {
    server.script(
      stayOpen(
        frame({ n: 0 }, { id: 'x1' }),
        // The hub's reset carries its head as id, which may equal the last message's id.
        frame({ reason: 'too-old' }, { event: 'sse-reset', id: 'x1' }),
        frame({ n: 1 }, { id: 'x2' }),
      ),
    );
    const stream = open();
    const rec = record(stream);
    const seen: string[] = [];
    for await (const message of stream) {
      seen.push(message.type);
      if (message.type === 'sse-reset') expect(message.data.reason).toBe('too-old');
      if (message.type === 'message' && message.data.n === 1) break;
    }
    expect(seen).toEqual(['message', 'sse-reset', 'message']);
    expect(rec.resets).toEqual(['too-old']);
    expect(stream.state).toBe('closed'); // leaving the loop closed the stream
  });

  it('persists the last event id in storage and resumes from it in a new stream', async () => {
    const map = new Map<string, string>();
    const storage: LastEventIdStorage = {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
    };
    server.script(stayOpen(frame({ n: 1 }, { id: 's1' }), frame({ n: 2 }, { id: 's2' })));
    const first = open({ storage });
    const rec = record(first);
    await waitFor(() => rec.data.length === 2, 5000, 'two events');
    first.close();
    expect([...map.values()]).toEqual(['s2']);
    const start = server.requests.length;
    const second = open({ storage });
    await waitFor(() => second.state === 'open', 5000, 'the second stream to open');
    expect(requestsSince(start)[0]?.headers['last-event-id']).toBe('s2');
  });

  it('sends method, body, headers from a function (per attempt) and credentials', async () => {
    let token = 0;
    server.script(stayOpen(frame({ n: 1 }, { id: 'p1' })), stayOpen(frame({ n: 2 }, { id: 'p2' })));
    const start = server.requests.length;
    const stream = open({
      method: 'POST',
      body: () => JSON.stringify({ rooms: ['lobby'] }),
      headers: () => ({ Authorization: `Bearer t${++token}`, 'Content-Type': 'application/json' }),
    });
    const rec = record(stream);
    await dropOnce(() => rec.data.length === 1, 'the first event');
    await waitFor(() => rec.data.length === 2, 5000, 'two events');
    const [a, b] = requestsSince(start);
    expect([a?.method, a?.body, a?.headers.authorization]).toEqual([
      'POST',
      '{"rooms":["lobby"]}',
      'Bearer t1',
    ]);
    expect([b?.headers.authorization, b?.headers['last-event-id']]).toEqual(['Bearer t2', 'p1']);
  });

  it('reports unparsable data and goes on; parse: text passes it through', async () => {
    server.script(stayOpen('data: not json\n\n', frame({ n: 1 })));
    const stream = open();
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the valid event');
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_PARSE_FAILED']);
    expect(rec.data).toEqual([{ n: 1 }]);

    server.script(stayOpen('data: plain\n\n'));
    const text = createEventStream(`${server.url}/sse`, { parse: 'text' });
    streams.push(text);
    const got: unknown[] = [];
    text.on('message', (d) => got.push(d));
    await waitFor(() => got.length === 1, 5000, 'the text event');
    expect(got).toEqual(['plain']);
  });

  it('reports a throwing handler as SSE_HANDLER_THREW and keeps delivering', async () => {
    server.script(stayOpen(frame({ n: 1 }), frame({ n: 2 })));
    const stream = open();
    const rec = record(stream);
    stream.on('message', (data) => {
      if (data.n === 1) throw new Error('boom');
    });
    await waitFor(() => rec.data.length === 2, 5000, 'both events');
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_HANDLER_THREW']);
  });

  it('close() stops everything and is idempotent; an aborted signal closes', async () => {
    server.script(stayOpen(frame({ n: 1 })));
    const abort = new AbortController();
    const stream = open({ signal: abort.signal });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'an event');
    abort.abort();
    stream.close();
    expect(rec.states).toEqual(['open', 'closed']);
    expect(stream.error).toBeUndefined();
  });

  it('rejects invalid options with SSE_INVALID_OPTION', () => {
    expect(() => createEventStream('/x', { initialDelayMs: -1 })).toThrow(/initialDelayMs/);
    // Under the reconnect floor: said at once rather than raised in silence.
    expect(() => createEventStream('/x', { initialDelayMs: 499 })).toThrow(
      /initialDelayMs to be a whole number ≥ 500, got 499\. No reconnect waits less than 500 ms/,
    );
    expect(() => createEventStream('/x', { transport: 'eventsource' })).toThrow(
      /global EventSource/,
    );
    expect(() => createEventStream('/x', { maxGatewayDelayMs: 100 })).toThrow(/maxGatewayDelayMs/);
    for (const idleTimeoutMs of [999, 1.5, Number.POSITIVE_INFINITY, -1]) {
      expect(() => createEventStream('/x', { idleTimeoutMs })).toThrow(
        /idleTimeoutMs to be 0 \(no watchdog\) or a whole number of ms from 1000/,
      );
    }
  });
});

describe('backoff that a server cannot turn into a hot loop (issue 14, part 3)', () => {
  // How long the request count is measured: long enough for the old client to send ~700
  // requests, short enough for the suite.
  const WINDOW_MS = 3000;

  it.concurrent.each([
    ['sends retry: 0, ends the stream, then answers 503', (n: number) => n === 1],
    ['sends retry: 0 and ends the stream, every time with 200', () => true],
  ])(
    'a server that %s gets at most one request per 500 ms, backing off',
    async (_what, streams) => {
      const seen: number[] = [];
      const hammered = createServer((_req, res) => {
        seen.push(performance.now());
        if (streams(seen.length)) {
          res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end('retry: 0\n\n');
        } else res.writeHead(503).end();
      });
      await new Promise<void>((resolve) => hammered.listen(0, '127.0.0.1', resolve));
      const { port } = hammered.address() as AddressInfo;
      // Every option at its default: Math.random, maxRetries Infinity, initialDelayMs 1000.
      const stream = createEventStream(`http://127.0.0.1:${port}/sse`);
      const rec = record(stream);
      try {
        // A measurement window, not a wait for something to happen: the assertions are about
        // how many requests fit in it.
        await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      } finally {
        stream.close();
        hammered.closeAllConnections();
        await new Promise((resolve) => hammered.close(resolve));
      }
      // The floor alone allows 1 + 3000 / 500 = 7; the backoff makes it 3 or 4
      // (at 0, 500, 1000–1500, then 1500–3500 ms). The old client sent 600–1300.
      expect(seen.length).toBeLessThanOrEqual(1 + WINDOW_MS / MIN_RECONNECT_DELAY_MS);
      expect(seen.length).toBeGreaterThanOrEqual(3); // it did keep trying
      for (let i = 1; i < seen.length; i += 1) {
        expect(seen[i]! - seen[i - 1]!, `gap before request ${i + 1}`).toBeGreaterThanOrEqual(499);
      }
      // A 200 that ends before any event is a failure: attempts count up, never back to 1,
      // and each waits inside the doubling window [500, 500 · 2^(attempt - 1)).
      expect(rec.reconnects.map((r) => r.attempt)).toEqual(rec.reconnects.map((_r, i) => i + 1));
      for (const { attempt, delayMs } of rec.reconnects) {
        expect(delayMs).toBeGreaterThanOrEqual(500);
        expect(delayMs).toBeLessThanOrEqual(500 * 2 ** (attempt - 1));
      }
    },
  );

  it('starts the backoff over after an event of the app, not after an open or a position', async () => {
    server.script(
      endAfter('retry: 0\n\n'), // opens, ends: failure 1
      endAfter('event: sse-position\ndata: {}\nid: p-1\n\n'), // only a position: failure 2
      endAfter(frame({ n: 1 }, { id: 'p-2' })), // an event: the count starts over
      stayOpen(frame({ n: 2 }, { id: 'p-3' })),
    );
    const stream = open({ random: () => 0.999 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 2, 5000, 'the event of the fourth stream');
    expect(rec.reconnects.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 500],
      [2, 999], // the window doubled: the open did not reset it
      [1, 500],
    ]);
    expect(rec.errors.map((e) => e.code)).toEqual([
      'SSE_STREAM_ENDED',
      'SSE_STREAM_ENDED',
      'SSE_STREAM_ENDED',
    ]);
  });

  it('counts streams that end before any event toward maxRetries', async () => {
    server.script(endAfter(': hello\n\n'));
    const start = server.requests.length;
    const stream = open({ maxRetries: 1, random: () => 0 });
    const rec = record(stream);
    await waitFor(() => stream.state === 'closed', 5000, 'the stream to give up');
    expect(requestsSince(start)).toHaveLength(2);
    expect(stream.error).toMatchObject({ code: 'SSE_RETRIES_EXHAUSTED', fatal: true });
    expect(rec.states).toEqual(['open', 'connecting', 'open', 'closed']);
  });
});

describe('the sse-position event of @sse/core', () => {
  type WithPosition = Events & { 'sse-position': unknown };

  it('moves lastEventId and the stored id, and reaches no handler, iterator or count', async () => {
    const map = new Map<string, string>();
    const storage: LastEventIdStorage = {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
    };
    server.script(
      stayOpen('event: sse-position\ndata: {}\nid: pos-7\n\n', frame({ n: 1 })),
      stayOpen(frame({ n: 2 }, { id: 'pos-8' })),
    );
    const start = server.requests.length;
    const stream = createEventStream<WithPosition>(`${server.url}/sse`, {
      initialDelayMs: 500,
      random: () => 0,
      storage,
    });
    streams.push(stream);
    const rec = record(stream);
    const positions: unknown[] = [];
    stream.on('sse-position', (data) => positions.push(data));
    const messages: { type: string; lastEventId: string; id: string | undefined }[] = [];
    const iterating = (async () => {
      for await (const m of stream) {
        messages.push({ type: m.type, lastEventId: m.lastEventId, id: m.id });
        if (messages.length === 2) break;
      }
    })();
    await dropOnce(() => rec.data.length === 1, 'the first event');
    expect(stream.lastEventId).toBe('pos-7');
    expect([...map.values()]).toEqual(['pos-7']);
    await iterating;
    expect(rec.data).toEqual([{ n: 1 }, { n: 2 }]);
    expect(messages).toEqual([
      { type: 'message', lastEventId: 'pos-7', id: undefined },
      { type: 'message', lastEventId: 'pos-8', id: 'pos-8' },
    ]);
    expect(positions).toEqual([]);
    expect(requestsSince(start)[1]?.headers['last-event-id']).toBe('pos-7');
  });
});

describe('Last-Event-ID with characters outside ASCII', () => {
  it('sends the id back as its UTF-8 bytes, as EventSource does (WPT format-field-id)', async () => {
    server.script(
      stayOpen('id: \u2026 caf\u00e9\ndata: {"n":1}\n\n'),
      stayOpen(frame({ n: 2 }, { id: 'ascii' })),
    );
    const start = server.requests.length;
    const stream = open();
    const rec = record(stream);
    await dropOnce(() => rec.data.length === 1, 'the first event');
    await waitFor(() => rec.data.length === 2, 5000, 'the event after the reconnect');
    // node:http hands header bytes over as Latin-1: turn them back into bytes.
    const raw = requestsSince(start)[1]?.headers['last-event-id'] as string;
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('\u2026 caf\u00e9');
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_NETWORK']);
  });
});
