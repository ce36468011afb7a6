import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running round-robin proxy. */
export interface RoundRobinProxy {
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** How long an upstream that refused a connection is skipped. */
const DOWN_MS = 2_000;

/**
 * A tiny streaming reverse proxy: each request goes to the next upstream in turn, so a
 * reconnecting stream lands on a different instance. Bodies and responses are piped, never
 * buffered, and SSE headers are flushed at once. An upstream that refuses the connection
 * is skipped for 2 s; a bodiless request (GET, HEAD) is retried on the next one.
 * When an upstream dies mid-stream the client's response is cut too, so its EventSource
 * reconnects (through the proxy, to a live instance).
 *
 * @param upstreams - base URLs, e.g. `http://127.0.0.1:3001`.
 * @param port - port to listen on (0: any).
 * @param host - address to listen on.
 * @returns the proxy once it listens.
 */
export async function startProxy(
  upstreams: readonly string[],
  port: number,
  host = '127.0.0.1',
): Promise<RoundRobinProxy> {
  const targets = upstreams.map((base) => ({ url: new URL(base), downUntil: 0 }));
  let next = 0;

  const pick = (): (typeof targets)[number] => {
    const now = Date.now();
    for (let i = 0; i < targets.length; i++) {
      const target = targets[next++ % targets.length]!;
      if (target.downUntil <= now) return target;
    }
    return targets[next++ % targets.length]!;
  };

  const server = http.createServer((req, res) => {
    const bodiless = req.method === 'GET' || req.method === 'HEAD';
    const attempt = (left: number): void => {
      const target = pick();
      const upstream = http.request({
        host: target.url.hostname,
        port: target.url.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      });
      upstream.setNoDelay(true);
      let answered = false;
      upstream.on('response', (response) => {
        answered = true;
        res.writeHead(response.statusCode ?? 502, response.headers);
        // SSE: the client must see the headers (and every frame) at once.
        res.flushHeaders();
        response.pipe(res);
        response.on('aborted', () => res.destroy());
        response.on('error', () => res.destroy());
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return void res.destroy();
        if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET')
          target.downUntil = Date.now() + DOWN_MS;
        if (bodiless && left > 1 && !res.headersSent) return attempt(left - 1);
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: 'bad_gateway',
              message: `Upstream ${target.url.host} failed: ${error.code ?? error.message}`,
            }),
          );
        } else res.destroy();
      });
      // The client went away: stop the upstream stream too.
      res.on('close', () => upstream.destroy());
      if (bodiless) upstream.end();
      else req.pipe(upstream);
    };
    attempt(targets.length);
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
