import { createHub, type SseConnection } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { serveKoa } from './serve-koa.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('with a real EventSource (the eventsource npm client)', () => {
  it('receives messages, reconnects with Last-Event-ID and misses nothing', async () => {
    const hub = createHub({ retryMs: 50 });
    const connections: SseConnection[] = [];
    hub.on('connect', (c) => connections.push(c));
    const server = await serveKoa(hub, { resolve: () => ({ user: 'eve', rooms: ['r'] }) });
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const source = new EventSource(`${server.url}/events`);
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
    expect(received).toEqual(['one', 'two', 'three', 'four']);
    expect(new Set(lastIds).size).toBe(4);
    expect(hub.stats().replay.hits).toBe(1);
  });
});
