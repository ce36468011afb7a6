// express-sse 1.0.0 on express 5 as documented: `app.get(path, sse.init)`, `sse.send(payload)`.
// No initial data; its `id:`/`data:` lines are written per stream, the payload JSON-encoded.
// Note: every connect re-sends the (empty) initial list to every open stream (the library
// emits 'serialize' on its shared emitter), so opening n streams is O(n²) empty writes.
import http from 'node:http';
import express from 'express';
import SSE from 'express-sse';
import { listen } from './plain-http.mjs';

/** Starts an express app with one express-sse instance on /events. */
export async function start() {
  const sse = new SSE();
  const app = express();
  app.get('/events', sse.init);
  const server = http.createServer(app);
  await listen(server);
  return {
    port: server.address().port,
    connections: () => sse.listenerCount('data'),
    publish: (payload) => sse.send(payload),
    close: () => server.close(),
  };
}
