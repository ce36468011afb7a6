import { waitFor } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventStream, LastEventIdStorage } from '../src/index.js';
import { createEventStream } from '../src/index.js';
import { record } from './helpers/record.js';
import type { TestServer } from './helpers/sse-server.js';
import { frame, startTestServer, status, stayOpen } from './helpers/sse-server.js';

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
  const stream = createEventStream<Events>(`${server.url}/sse`, {
    initialDelayMs: 40,
    maxDelayMs: 400,
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
    // random 0.5 of a 40 ms window on the first retry.
    expect(rec.reconnects.map((r) => [r.attempt, r.delayMs])).toEqual([[1, 20]]);
    expect(second!.at - rec.reconnects[0]!.at).toBeGreaterThanOrEqual(19);
    expect(stream.lastEventId).toBe('e5');
  });

  it('retries 503s with growing full-jitter delays, then opens on 200', async () => {
    server.script(status(503), status(503), status(503), status(502), stayOpen(frame({ n: 1 })));
    const start = server.requests.length;
    const draws = [0.999, 0.999, 0.25, 0];
    const stream = open({ random: () => draws.shift() ?? 0 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after four failures');
    expect(requestsSince(start)).toHaveLength(5);
    expect(rec.errors.map((e) => [e.code, e.status, e.fatal])).toEqual([
      ['SSE_HTTP_STATUS', 503, false],
      ['SSE_HTTP_STATUS', 503, false],
      ['SSE_HTTP_STATUS', 503, false],
      ['SSE_HTTP_STATUS', 502, false],
    ]);
    // Windows: 40, 80, 160, 320 (base 40, doubling, ceiling 400).
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([39, 79, 40, 0]);
    const windows = [40, 80, 160, 320];
    rec.reconnects.forEach((r, i) => {
      expect(r.attempt).toBe(i + 1);
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      expect(r.delayMs).toBeLessThan(windows[i]!);
    });
    // The next request never comes before its delay.
    const reqs = requestsSince(start);
    rec.reconnects.forEach((r, i) => {
      expect(reqs[i + 1]!.at - r.at).toBeGreaterThanOrEqual(r.delayMs - 1);
    });
    expect(rec.states).toEqual(['open']);
  });

  it('never waits longer than maxDelayMs, with random draws at the top of the range', async () => {
    server.script(
      status(500),
      status(500),
      status(500),
      status(500),
      status(500),
      stayOpen(frame({ n: 1 })),
    );
    const stream = open({ initialDelayMs: 10, maxDelayMs: 30, random: () => 0.999999 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the event after five 500s');
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([9, 19, 29, 29, 29]);
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
      stayOpen('retry: 300\n', frame({ n: 1 }, { id: 'r1' })),
      stayOpen(frame({ n: 2 }, { id: 'r2' })),
    );
    const stream = open({ maxDelayMs: 100 });
    const rec = record(stream);
    await dropOnce(() => rec.data.length === 1, 'the first event');
    await waitFor(() => rec.data.length === 2, 5000, 'both events');
    // Base 300 wins over maxDelayMs 100: half of 300.
    expect(rec.reconnects.map((r) => r.delayMs)).toEqual([150]);
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
    const stream = open({ maxRetries: 2, initialDelayMs: 5 });
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
      initialDelayMs: 5,
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
    expect(() => createEventStream('/x', { transport: 'eventsource' })).toThrow(
      /global EventSource/,
    );
  });
});
