import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks one for a listener on
 * port 0, which is closed again before this resolves. Another process may take it before
 * yours binds it, so a launcher that fails with "address already in use" should draw again
 * (the launchers of this package do).
 *
 * @returns The port number.
 * @throws Error when nothing can listen on 127.0.0.1 at all.
 * @example
 * ```ts
 * const port = await freePort();
 * spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1']);
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('listen(0) on 127.0.0.1 gave no port')),
      );
    });
  });
}
