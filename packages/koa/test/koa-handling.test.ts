import { createHub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { serveKoa } from './serve-koa.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe("Koa's response and error handling", () => {
  it("sends a resolver's error to app.on('error') and answers 500, opening no stream", async () => {
    const hub = createHub();
    const failure = new Error('session store is down');
    const server = await serveKoa(hub, {
      resolve: async () => {
        throw failure;
      },
    });
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const reported: { error: unknown; ctx: Koa.Context }[] = [];
    server.app.on('error', (error: unknown, ctx: Koa.Context) => reported.push({ error, ctx }));

    const response = await fetch(`${server.url}/events?user=x`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).not.toContain('text/event-stream');
    await response.text();
    await waitFor(() => reported.length === 1, 3000, "the app's error event");
    expect(reported[0]?.error).toBe(failure);
    expect(reported[0]?.ctx.path).toBe('/events');
    expect(hub.stats().connections).toBe(0);
  });

  it('lets a resolver answer with ctx.throw(status), like any Koa middleware', async () => {
    const hub = createHub();
    const server = await serveKoa(hub, { resolve: (ctx) => ctx.throw(402, 'pay first') });
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const response = await fetch(`${server.url}/events`);
    expect(response.status).toBe(402);
    expect(await response.text()).toBe('pay first');
    expect(hub.stats().connections).toBe(0);
  });

  it('keeps upstream headers, and ignores what upstream middleware does after next()', async () => {
    const hub = createHub();
    const app = new Koa();
    const settled: number[] = [];
    app.use(async (ctx, next) => {
      ctx.set('x-upstream', 'kept');
      await next();
      // A typical logger / fallback: must neither end the stream nor turn it into a 404.
      settled.push(ctx.status);
      ctx.status = 404;
      ctx.body = 'not found';
    });
    const server = await serveKoa(hub, { resolve: () => ({ user: 'up' }) }, app);
    cleanups.push(
      () => server.close(),
      () => hub.shutdown({ announce: false, graceMs: 100 }),
    );
    const reader = await SseReader.open(`${server.url}/events`);
    cleanups.push(() => reader.close());
    expect(reader.status).toBe(200);
    expect(reader.headers['x-upstream']).toBe('kept');
    await waitFor(() => settled.length === 1, 3000, 'the middleware chain to settle');
    await hub.publish({ to: { user: 'up' }, data: 'still open' });
    await reader.waitForEvents(1);
    expect(reader.events[0]?.data).toBe('"still open"');
    expect(hub.stats().connections).toBe(1);
  });
});
