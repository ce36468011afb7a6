import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server and the address it took. */
export interface Listening {
  readonly server: http.Server;
  /** `http://host:port` with the port actually bound (port 0 picks a free one). */
  readonly url: string;
}

/**
 * Creates an HTTP server for `handler` and waits until it listens.
 * @param handler - the request listener (the express app).
 * @param port - the port; 0 for a free one.
 * @param host - the address to bind.
 * @returns the server and its URL.
 * @throws Error from `listen`, e.g. `EADDRINUSE` when the port is taken.
 */
export async function listen(
  handler: http.RequestListener,
  port: number,
  host: string,
): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${address.address}:${address.port}` };
}
