import { runBindingConformance } from '@sse/core/testing';
import { EventSource } from 'eventsource';
import Koa2 from 'koa-2';
import { afterEach, describe, it } from 'vitest';
import { serveKoa } from './serve-koa.js';

runBindingConformance({
  name: 'koa 3 + @koa/router',
  test: { describe, it, afterEach },
  createServer: (hub, resolve) =>
    serveKoa(hub, { resolve: (ctx) => resolve(new URL(ctx.originalUrl, 'http://localhost')) }),
  EventSource,
});

// The peer range promises Koa 2.15+ too: same suite, same router, a Koa 2 app.
runBindingConformance({
  name: 'koa 2 + @koa/router',
  test: { describe, it, afterEach },
  createServer: (hub, resolve) =>
    serveKoa(
      hub,
      { resolve: (ctx) => resolve(new URL(ctx.originalUrl, 'http://localhost')) },
      new Koa2(),
    ),
  EventSource,
});
