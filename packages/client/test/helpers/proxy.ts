import type { IncomingHttpHeaders } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A reverse proxy stand-in on 127.0.0.1:0, the part of nginx these tests need: it forwards
 * each new request to one upstream and streams the answer back chunk by chunk (as
 * `proxy_buffering off` does), or, while its upstreams are "marked down", answers at once with
 * a status of its own (nginx's 502 during `fail_timeout`).
 */
export interface ProxyStandIn {
  readonly url: string;
  /** From now on, new requests go to the instance listening on `port`. */
  forwardTo(port: number): void;
  /** From now on, new requests get `status` at once, as when every upstream is marked down. */
  answer(status: number): void;
  /** How many requests the proxy answered itself. */
  readonly answered: number;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection, not to the message a proxy passes on.
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/** Starts a {@link ProxyStandIn} that forwards nowhere yet (it answers 502). */
export async function startProxy(): Promise<ProxyStandIn> {
  let upstreamPort: number | undefined;
  let status = 502;
  let answered = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (upstreamPort === undefined) {
      answered += 1;
      res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<h1>${status}</h1>`);
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path: req.url,
        method: req.method,
        headers: endToEnd(req.headers),
        agent: false, // one upstream connection per request, as nginx without `keepalive`
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    // The client went away (or gave up): so does the upstream request.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo(next: number): void {
      upstreamPort = next;
    },
    answer(next: number): void {
      upstreamPort = undefined;
      status = next;
    },
    get answered(): number {
      return answered;
    },
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
