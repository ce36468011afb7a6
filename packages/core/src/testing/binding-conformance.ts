import assert from 'node:assert/strict';
import { createHub, type Hub } from '../hub/hub.js';
import type { SseConnection } from '../hub/hub-events.js';
import type { ConformanceTestApi } from './bus-conformance.js';
import { SseReader } from './sse-reader.js';
import { waitFor } from './wait-for.js';

/** What a binding's resolver returns: an identity, `null` (401) or `false` (403). */
export type BindingResolution =
  | { readonly user?: string; readonly rooms?: readonly string[] }
  | null
  | false;

/** A running server with the binding under test mounted at `/events`. */
export interface BindingServer {
  /** Base URL, e.g. `http://127.0.0.1:1234`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The part of a WHATWG `EventSource` the reconnect case uses. */
export interface EventSourceLike {
  addEventListener(
    type: string,
    listener: (event: { readonly data: string; readonly lastEventId: string }) => void,
  ): void;
  close(): void;
}

/**
 * An `EventSource` constructor: the `eventsource` package's in Node, or a runtime's own.
 * Injected, so that `@sse/core` keeps zero runtime dependencies.
 */
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** Options for {@link runBindingConformance}. */
export interface BindingConformanceOptions {
  /** Shown in the suite's name, e.g. `express`. */
  readonly name: string;
  /** `{ describe, it, afterEach }` from your test runner. */
  readonly test: ConformanceTestApi;
  /**
   * Starts a real server on 127.0.0.1 that mounts the binding at `GET /events`, with a
   * resolver that calls `resolve(url)` with the request URL (parse it from your framework's
   * request). Anything `resolve` throws must reach the framework's error handling (500).
   */
  createServer(
    hub: Hub,
    resolve: (url: URL) => BindingResolution | Promise<BindingResolution>,
  ): Promise<BindingServer>;
  /**
   * A real client (e.g. `EventSource` from the `eventsource` package) for the case where the
   * server drops a stream and the client reconnects with its Last-Event-ID by itself. That
   * case is left out without it.
   */
  readonly EventSource?: EventSourceConstructor;
}

/**
 * The behaviour every framework binding shares, run against a real server: identity and
 * rooms from the resolver (sync or async), 401/403 from `null`/`false`, resolver errors
 * not swallowed, Last-Event-ID from the header or the query, limits answered with 429,
 * an unbuffered stream, cleanup on disconnect, and (with `EventSource`) a real client that
 * reconnects with its Last-Event-ID and misses nothing.
 *
 * @example
 * ```ts
 * import { EventSource } from 'eventsource';
 * import { afterEach, describe, it } from 'vitest';
 * import { runBindingConformance } from '@sse/core/testing';
 * runBindingConformance({
 *   name: 'express',
 *   test: { describe, it, afterEach },
 *   createServer: (hub, resolve) => startExpressApp(hub, resolve),
 *   EventSource,
 * });
 * ```
 */
export function runBindingConformance(options: BindingConformanceOptions): void {
  const { test } = options;
  const cleanups: (() => Promise<void> | void)[] = [];

  /** Resolver used by every case: `?user=`, `?room=`, `?deny=401|403`, `?throw`, `?async`. */
  const resolve = async (url: URL): Promise<BindingResolution> => {
    const params = url.searchParams;
    if (params.has('async')) await new Promise((r) => setTimeout(r, 5));
    if (params.has('throw')) throw new Error('resolver failed on purpose');
    if (params.get('deny') === '401') return null;
    if (params.get('deny') === '403') return false;
    const user = params.get('user');
    return { ...(user ? { user } : {}), rooms: params.getAll('room') };
  };

  async function setup(hub: Hub = createHub()): Promise<{ hub: Hub; url: string }> {
    const server = await options.createServer(hub, resolve);
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    return { hub, url: `${server.url}/events` };
  }

  async function open(url: string, headers?: Record<string, string>): Promise<SseReader> {
    const reader = await SseReader.open(url, headers);
    cleanups.push(() => reader.close());
    return reader;
  }

  test.describe(`Binding conformance: ${options.name}`, () => {
    test.afterEach(async () => {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    });

    test.it('streams with the identity and rooms the resolver returned', async () => {
      const { hub, url } = await setup();
      const reader = await open(`${url}?user=ann&room=a&room=b`);
      assert.equal(reader.status, 200);
      assert.equal(reader.headers['content-type'], 'text/event-stream; charset=utf-8');
      // The retry hint arrives before any message: the response is neither buffered nor compressed.
      await waitFor(() => reader.retry !== undefined, 3000, 'the retry hint');
      assert.equal(reader.headers['content-encoding'], undefined);
      await hub.publish({ to: { room: 'b' }, data: 'to b' });
      await hub.publish({ to: { room: 'c' }, data: 'to c' });
      await hub.publish({ to: { user: 'ann' }, event: 'dm', data: 'to ann' });
      await reader.waitForEvents(2);
      assert.deepEqual(
        reader.events.map((e) => [e.event, e.data]),
        [
          ['message', '"to b"'],
          ['dm', '"to ann"'],
        ],
      );
    });

    test.it('supports an async resolver', async () => {
      const { hub, url } = await setup();
      const reader = await open(`${url}?user=async&async`);
      await waitFor(() => hub.stats().connections === 1, 3000, 'the stream');
      await hub.publish({ to: { user: 'async' }, data: 1 });
      await reader.waitForEvents(1);
    });

    test.it('answers 401 for null and 403 for false, and opens no stream', async () => {
      const { hub, url } = await setup();
      const unauthorized = await fetch(`${url}?deny=401`);
      assert.equal(unauthorized.status, 401);
      assert.equal(((await unauthorized.json()) as { error: string }).error, 'SSE_UNAUTHORIZED');
      const forbidden = await fetch(`${url}?deny=403`);
      assert.equal(forbidden.status, 403);
      assert.equal(((await forbidden.json()) as { error: string }).error, 'SSE_FORBIDDEN');
      assert.equal(hub.stats().connections, 0);
    });

    test.it('does not swallow a resolver error', async () => {
      const { hub, url } = await setup();
      const response = await fetch(`${url}?throw`);
      assert.equal(response.status, 500);
      assert.notEqual(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(hub.stats().connections, 0);
    });

    test.it('replays from the Last-Event-ID header and from the lastEventId query', async () => {
      const { hub, url } = await setup();
      const first = await hub.publish({ data: 1 });
      await hub.publish({ data: 2 });
      await hub.publish({ data: 3 });
      const byHeader = await open(url, { 'last-event-id': first.id });
      const byQuery = await open(`${url}?lastEventId=${encodeURIComponent(first.id)}`);
      for (const reader of [byHeader, byQuery]) {
        await reader.waitForEvents(2);
        assert.deepEqual(
          reader.events.map((e) => e.data),
          ['2', '3'],
        );
      }
    });

    test.it('answers 429 past the per-user limit', async () => {
      const { hub, url } = await setup(createHub({ maxConnectionsPerUser: 1 }));
      await open(`${url}?user=solo`);
      await waitFor(() => hub.stats().connections === 1, 3000, 'the first stream');
      const second = await fetch(`${url}?user=solo`);
      assert.equal(second.status, 429);
    });

    const RealEventSource = options.EventSource;
    if (RealEventSource) {
      test.it(
        'a real EventSource receives messages, reconnects with Last-Event-ID and misses nothing',
        async () => {
          const { hub, url } = await setup(createHub({ retryMs: 50 }));
          const connections: SseConnection[] = [];
          hub.on('connect', (connection) => connections.push(connection));
          const source = new RealEventSource(`${url}?user=eve&room=r`);
          cleanups.push(() => source.close());
          const received: string[] = [];
          const lastIds: string[] = [];
          source.addEventListener('chat', (event) => {
            received.push(JSON.parse(event.data) as string);
            lastIds.push(event.lastEventId);
          });

          await waitFor(() => connections.length === 1, 5000, 'the EventSource to connect');
          await hub.publish({ to: { room: 'r' }, event: 'chat', data: 'one' });
          await waitFor(() => received.length === 1, 5000, 'the first message');

          // The server drops the stream; messages published meanwhile must arrive after the
          // client reconnects with its Last-Event-ID.
          connections[0]!.close();
          await hub.publish({ to: { room: 'r' }, event: 'chat', data: 'two' });
          await hub.publish({ to: { user: 'eve' }, event: 'chat', data: 'three' });
          await waitFor(() => connections.length === 2, 5000, 'the EventSource to reconnect');
          await hub.publish({ to: { room: 'r' }, event: 'chat', data: 'four' });
          await waitFor(() => received.length === 4, 5000, 'every message');
          assert.deepEqual(received, ['one', 'two', 'three', 'four']);
          assert.equal(new Set(lastIds).size, 4);
          assert.equal(hub.stats().replay.hits, 1);
        },
      );
    }

    test.it('removes the stream when the client goes away', async () => {
      const { hub, url } = await setup();
      const reader = await open(`${url}?user=gone&room=r`);
      await waitFor(() => hub.stats().connections === 1, 3000, 'the stream');
      reader.close();
      await waitFor(() => hub.stats().connections === 0, 3000, 'the stream to be removed');
      assert.equal(hub.stats().rooms, 0);
    });
  });
}
