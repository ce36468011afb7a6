import { afterEach, describe, expect, it } from 'vitest';
import { createHub, isSseError, SHUTDOWN_EVENT, type SseErrorCode } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';
import { startServer } from './helpers/http.js';
import { Cleanup, openReader, serveHub } from './helpers/serve-hub.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('bad input gets a typed error and breaks nothing else', () => {
  it.each<[string, unknown, SseErrorCode]>([
    ['a payload over maxPayloadBytes', { data: 'x'.repeat(2048) }, 'SSE_PAYLOAD_TOO_LARGE'],
    [
      'a serializer failure (circular object)',
      {
        data: (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      },
      'SSE_SERIALIZE_FAILED',
    ],
    ['undefined data', { data: undefined }, 'SSE_SERIALIZE_FAILED'],
    ['an event name with a newline', { event: 'x\ndata: forged', data: 1 }, 'SSE_FRAME_INJECTION'],
    ['an unknown target', { to: { team: 'x' }, data: 1 }, 'SSE_INVALID_TARGET'],
    ['an empty room', { to: { room: '' }, data: 1 }, 'SSE_INVALID_TARGET'],
  ])('rejects %s', async (_what, message, code) => {
    const hub = createHub({ maxPayloadBytes: 1024 });
    const server = await serveHub(hub, cleanup);
    const r = await openReader(server.url, cleanup);
    const errors: Error[] = [];
    hub.on('error', (e) => errors.push(e));
    const error = await rejection(hub.publish(message as never));
    expect(isSseError(error, code)).toBe(true);
    expect(errors).toEqual([error]);
    await hub.publish({ data: 'after' });
    await r.waitForEvents(1);
    expect(r.events.map((e) => e.data)).toEqual(['"after"']);
    expect(hub.stats().publishErrors).toBe(1);
  });

  it('rejects with the serializer’s error as cause and survives a throwing serializer', async () => {
    const hub = createHub({
      serializer: (data) => {
        if (data === 'boom') throw new Error('nope');
        return String(data);
      },
    });
    const error = await rejection(hub.publish({ data: 'boom' }));
    expect(isSseError(error, 'SSE_SERIALIZE_FAILED') && (error.cause as Error).message).toBe(
      'nope',
    );
    await expect(hub.publish({ data: 'fine' })).resolves.toMatchObject({ localRecipients: 0 });
    await hub.shutdown();
  });

  it('validates options with a clear error', () => {
    expect(() => createHub({ keepAliveMs: 5 })).toThrowError(/keepAliveMs must be a number >= 100/);
    expect(() => createHub({ dropPolicy: 'sometimes' as never })).toThrowError(/dropPolicy/);
  });

  it('reports an entry that is not an envelope without affecting streams', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const r = await openReader(server.url, cleanup);
    const errors: Error[] = [];
    hub.on('error', (e) => errors.push(e));
    await hub.bus.publish('not an envelope');
    await hub.publish({ data: 'ok' });
    await r.waitForEvents(1);
    expect(errors.map((e) => (isSseError(e) ? e.code : e.message))).toEqual(['SSE_BUS_PROTOCOL']);
  });
});

describe('admission', () => {
  it('answers 429 past maxConnectionsPerUser and 403 when authorize refuses', async () => {
    const hub = createHub({
      maxConnectionsPerUser: 2,
      authorize: ({ rooms }) => !rooms.includes('secret'),
    });
    const server = await serveHub(hub, cleanup);
    await openReader(`${server.url}/?user=u`, cleanup);
    await openReader(`${server.url}/?user=u`, cleanup);
    await waitFor(() => hub.stats().connections === 2, 2000, 'two streams');
    const third = await fetch(`${server.url}/?user=u`);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(((await third.json()) as { error: string }).error).toBe('SSE_TOO_MANY_CONNECTIONS');
    const forbidden = await fetch(`${server.url}/?user=v&room=secret`);
    expect(forbidden.status).toBe(403);
    const other = await openReader(`${server.url}/?user=v`, cleanup);
    expect(other.status).toBe(200);
  });

  it('rejects invalid user and room names', async () => {
    const hub = createHub();
    const server = await startServer(
      (req, res) => void hub.handle(req, res, { rooms: ['x'.repeat(300)] }),
    );
    cleanup.add(() => server.close());
    cleanup.add(() => hub.shutdown());
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toBe('SSE_INVALID_FIELD');
  });
});

describe('graceful shutdown', () => {
  it('announces with a jittered retry, drains, closes streams and the bus, and is idempotent', async () => {
    const hub = createHub({ retryMs: 1000 });
    const server = await serveHub(hub, cleanup);
    const readers = await Promise.all([1, 2, 3].map(() => openReader(server.url, cleanup)));
    await waitFor(() => hub.stats().connections === 3, 2000, 'three streams');
    await hub.publish({ data: 'last words' });
    const first = hub.shutdown({ reconnectSpreadMs: 500 });
    expect(hub.shutdown()).toBe(first);
    await first;
    for (const r of readers) {
      await waitFor(() => r.ended, 3000, 'the stream to end');
      expect(r.events.map((e) => e.event)).toEqual(['message', SHUTDOWN_EVENT]);
      expect(r.retry).toBeGreaterThanOrEqual(1000);
      expect(r.retry).toBeLessThan(1500);
    }
    expect(hub.stats()).toMatchObject({ connections: 0, bus: { state: 'closed' } });
    expect(isSseError(await rejection(hub.publish({ data: 1 })), 'SSE_SHUTTING_DOWN')).toBe(true);
    const refused = await fetch(server.url);
    expect(refused.status).toBe(503);
  });

  it('stopAccepting refuses new streams with 503 and keeps open ones', async () => {
    const hub = createHub();
    const server = await serveHub(hub, cleanup);
    const r = await openReader(server.url, cleanup);
    await waitFor(() => hub.stats().connections === 1, 2000, 'the stream');
    hub.stopAccepting();
    expect((await fetch(server.url)).status).toBe(503);
    await hub.publish({ data: 'still here' });
    await r.waitForEvents(1);
  });
});

describe('limits and odd shapes', () => {
  it('answers 429 past maxConnectionsPerClient (per IP by default)', async () => {
    const hub = createHub({ maxConnectionsPerClient: 2 });
    const server = await serveHub(hub, cleanup);
    await openReader(`${server.url}/?user=a`, cleanup);
    await openReader(`${server.url}/?user=b`, cleanup);
    await waitFor(() => hub.stats().connections === 2, 2000, 'two streams');
    const third = await fetch(`${server.url}/?user=c`);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { message: string }).message).toContain(
      'maxConnectionsPerClient',
    );
  });

  it('handles a stream in thousands of rooms, and publishes to unknown rooms', async () => {
    const hub = createHub();
    const rooms = Array.from({ length: 5000 }, (_, i) => `room-${i}`);
    const server = await startServer(
      (req, res) => void hub.handle(req, res, { user: 'many', rooms }),
    );
    cleanup.add(() => hub.shutdown({ announce: false, graceMs: 100 }));
    cleanup.add(() => server.close());
    const r = await openReader(server.url, cleanup);
    await waitFor(() => hub.stats().rooms === 5000, 3000, 'every room to be registered');
    expect((await hub.publish({ to: { room: 'room-4999' }, data: 'last' })).localRecipients).toBe(
      1,
    );
    expect((await hub.publish({ to: { room: 'no-such-room' }, data: 'x' })).localRecipients).toBe(
      0,
    );
    await r.waitForEvents(1);
    r.close();
    await waitFor(() => hub.stats().rooms === 0, 3000, 'every room to be released');
  });
});
