import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { runBindingConformance } from '@sse/core/testing';
import Koa from 'koa';
import { afterEach, describe, it } from 'vitest';
import { sse } from '../src/index.js';

runBindingConformance({
  name: 'koa',
  test: { describe, it, afterEach },
  async createServer(hub, resolve) {
    const app = new Koa();
    app.on('error', () => {});
    const router = new Router();
    router.get(
      '/events',
      sse(hub, { resolve: (ctx) => resolve(new URL(ctx.req.url ?? '/', 'http://localhost')) }),
    );
    app.use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  },
});
