import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { createHub, type SseConnection } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { EventSource } from 'eventsource';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { sse } from '../src/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function listen(app: Koa): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  cleanups.push(
    () => new Promise((r) => server.close(r)),
    () => server.closeAllConnections(),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@sse/koa with a real EventSource and Koa error handling', () => {
  it('receives messages, reconnects with Last-Event-ID and misses nothing', async () => {
    const hub = createHub({ retryMs: 50 });
    cleanups.push(() => hub.shutdown({ announce: false, graceMs: 100 }));
    const connections: SseConnection[] = [];
    hub.on('connect', (c) => connections.push(c));
    const app = new Koa();
    const router = new Router();
    router.get('/events', sse(hub, { resolve: () => ({ user: 'kim', rooms: ['r'] }) }));
    app.use(router.routes());
    const url = await listen(app);
    const source = new EventSource(`${url}/events`);
    cleanups.push(() => source.close());
    const received: string[] = [];
    source.addEventListener('chat', (event) => received.push(JSON.parse(event.data) as string));

    await waitFor(() => connections.length === 1, 5000, 'the EventSource to connect');
    await hub.publish({ to: { room: 'r' }, event: 'chat', data: 'one' });
    await waitFor(() => received.length === 1, 5000, 'the first message');
    connections[0]!.close();
    await hub.publish({ to: { user: 'kim' }, event: 'chat', data: 'two' });
    await waitFor(() => connections.length === 2, 5000, 'the EventSource to reconnect');
    await hub.publish({ to: { room: 'r' }, event: 'chat', data: 'three' });
    await waitFor(() => received.length === 3, 5000, 'every message');
    expect(received).toEqual(['one', 'two', 'three']);
  });

  it('lets a resolver error reach app.on("error") and answers 500', async () => {
    const hub = createHub();
    cleanups.push(() => hub.shutdown({ announce: false, graceMs: 100 }));
    const app = new Koa();
    const errors: Error[] = [];
    app.on('error', (error: Error) => errors.push(error));
    app.use(
      sse(hub, {
        resolve: () => {
          throw new Error('session store is down');
        },
      }),
    );
    const url = await listen(app);
    const response = await fetch(`${url}/events`);
    expect(response.status).toBe(500);
    await waitFor(() => errors.length === 1, 3000, 'the app error event');
    expect(errors[0]!.message).toBe('session store is down');
    expect(hub.stats().connections).toBe(0);
  });
});
