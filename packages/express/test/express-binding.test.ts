import type { AddressInfo } from 'node:net';
import { runBindingConformance } from '@sse/core/testing';
import { EventSource } from 'eventsource';
import express from 'express';
import { afterEach, describe, it } from 'vitest';
import { sse } from '../src/index.js';

runBindingConformance({
  name: 'express',
  test: { describe, it, afterEach },
  async createServer(hub, resolve) {
    const app = express();
    app.get(
      '/events',
      sse(hub, { resolve: (req) => resolve(new URL(req.originalUrl, 'http://localhost')) }),
    );
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
  EventSource,
});
