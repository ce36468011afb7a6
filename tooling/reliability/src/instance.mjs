// One app instance in its own process: a hub on the chosen bus behind node:http.
//   GET /events?room=…   the stream;   GET /stats   hub.stats()
// Env: BUS (see buses.mjs) and its settings, RETRY_MS,
// KEEPALIVE_MS. Sends { port } over IPC once listening; SIGTERM shuts down gracefully.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHub } from '@sse/core';
import { busFor } from './buses.mjs';

const hub = createHub({
  bus: await busFor(process.env.BUS ?? 'memory', process.env),
  retryMs: Number(process.env.RETRY_MS ?? 200),
  keepAliveMs: Number(process.env.KEEPALIVE_MS ?? 15_000),
});
hub.on('error', () => {});
await hub.ready();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// The test harness steers the instance over IPC: publish at a rate, or report its health.
process.on('message', async (message) => {
  if (message.health) {
    process.send({
      health: {
        rss: process.memoryUsage().rss,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        stats: hub.stats(),
      },
    });
    loopDelay.reset();
  } else if (message.publish) {
    const { rate, durationMs } = message.publish;
    let sent = 0;
    const started = Date.now();
    while (Date.now() - started < durationMs) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (sent < due) await hub.publish({ data: sent++ });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    process.send({ published: sent });
  }
});

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/events')
    await hub.handle(req, res, { rooms: url.searchParams.getAll('room') });
  else if (url.pathname === '/stats')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hub.stats()));
  else res.writeHead(404).end();
});
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', async () => {
  server.close();
  await hub.shutdown({ graceMs: 2000, reconnectSpreadMs: 300 });
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
