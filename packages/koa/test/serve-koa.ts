import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type { Hub } from '@sse/core';
import Koa from 'koa';
import { type SseMiddlewareOptions, sse } from '../src/index.js';

/** A Koa app listening on 127.0.0.1, with the binding mounted at `GET /events` by @koa/router. */
export interface KoaServer {
  readonly app: Koa;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts `app` (a fresh Koa 3 app by default) with `sse(hub, options)` on `/events`.
 * `app.silent` keeps the resolver errors the tests provoke out of the console.
 */
export async function serveKoa(
  hub: Hub,
  options: SseMiddlewareOptions,
  app: Koa = new Koa(),
): Promise<KoaServer> {
  app.silent = true;
  const router = new Router();
  router.get('/events', sse(hub, options));
  app.use(router.routes()).use(router.allowedMethods());
  const server: Server = createServer(app.callback());
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
