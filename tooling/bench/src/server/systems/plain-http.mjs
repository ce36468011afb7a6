// The floor: plain node:http with no library, as fast as SSE can be written by hand.
//   'frame'      one write of a pre-encoded Buffer per frame per socket (what a careful
//                hand-written loop does)
//   'coalesced'  a burst's frames joined once, one write per socket (the physical floor)
import { randomBytes } from 'node:crypto';
import http from 'node:http';

// Byte for byte the frames @sse/core writes (JSON data, an `<epoch>-<seq>` id), so that
// the comparison is about the write path and not about the wire format.
const epoch = randomBytes(4).toString('hex');
let seq = 0;
const frameFor = (payload) =>
  Buffer.from(`data: ${JSON.stringify(payload)}\nid: ${epoch}-${++seq}\n\n`);

/** Starts a plain node:http SSE server in `mode` 'frame' or 'coalesced'. */
export function startFloor(mode) {
  return async () => {
    const sockets = new Set();
    const server = http.createServer((req, res) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      req.socket.setNoDelay(true);
      sockets.add(res);
      res.on('close', () => sockets.delete(res));
    });
    await listen(server);
    const publish = (payload) => {
      const frame = frameFor(payload);
      for (const res of sockets) res.write(frame);
    };
    return {
      port: server.address().port,
      connections: () => sockets.size,
      publish,
      publishBurst:
        mode === 'coalesced'
          ? (payloads) => {
              const joined = Buffer.concat(payloads.map(frameFor));
              for (const res of sockets) res.write(joined);
            }
          : (payloads) => {
              for (const payload of payloads) publish(payload);
            },
      close: () => server.close(),
    };
  };
}

/** Listens on a free 127.0.0.1 port with a backlog that takes a connection storm. */
export function listen(server) {
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 65_535 }, resolve);
  });
}
