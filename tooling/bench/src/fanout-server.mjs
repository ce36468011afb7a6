// Benchmark server process. argv[2] is the system under test:
//   floor-frame     plain node:http, one write of a pre-encoded Buffer per frame per socket
//   floor-coalesced plain node:http, a burst's frames joined once, one write per socket
//   sse-core        @sse/core's hub on the in-process bus
// The parent sends { burst: { count, size } } over IPC and gets { ready } / { connections }.
import http from 'node:http';
import { createHub } from '@sse/core';

const system = process.argv[2];
const sockets = [];
const hub =
  system === 'sse-core'
    ? createHub({ keepAliveMs: 60_000, replay: { maxEntries: 1000 } })
    : undefined;
let seq = 0;

const server = http.createServer((req, res) => {
  if (hub) {
    void hub.handle(req, res);
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  sockets.push(res);
  res.on('close', () => sockets.splice(sockets.indexOf(res), 1));
});
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

const frameFor = (payload) => Buffer.from(`data: ${JSON.stringify(payload)}\nid: b-${++seq}\n\n`);

process.on('message', (message) => {
  if (message.count) {
    process.send({ connections: hub ? hub.stats().connections : sockets.length });
    return;
  }
  if (!message.burst) return;
  const { count, size } = message.burst;
  const payload = 'x'.repeat(size);
  if (system === 'sse-core') {
    for (let i = 0; i < count; i++) void hub.publish({ data: payload });
  } else if (system === 'floor-frame') {
    for (let i = 0; i < count; i++) {
      const frame = frameFor(payload);
      for (const res of sockets) res.write(frame);
    }
  } else {
    const frames = [];
    for (let i = 0; i < count; i++) frames.push(frameFor(payload));
    const joined = Buffer.concat(frames);
    for (const res of sockets) res.write(joined);
  }
});
process.on('disconnect', () => process.exit(0));
