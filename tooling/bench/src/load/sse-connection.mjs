// One raw HTTP/1.1 SSE stream for the load generator, counted as cheaply as possible: a
// frame ends with a blank line, so frames are the "\n\n" pairs in the body, found with
// Buffer#indexOf (native) and carried across chunk boundaries. Chunked-encoding size lines
// end in "\r\n", so they never look like a frame end.
import net from 'node:net';

const LFLF = Buffer.from('\n\n');

/**
 * Opens a stream and reports to `conn` (see load/main.mjs): `hooks.opened(conn)` on the
 * first bytes (the response headers), `hooks.frames(conn, k, chunk)` for each chunk with k
 * frame ends, `hooks.closed(conn)` once. Returns the socket.
 */
export function openSse({ port, path = '/events', headers = {} }, conn, hooks) {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  let previous = 0;
  let opened = false;
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.on('connect', () => {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${extra}\r\n`,
    );
  });
  socket.on('data', (chunk) => {
    let count = 0;
    let from = 0;
    if (previous === 10 && chunk[0] === 10) {
      count++;
      from = 1;
    }
    for (let at = chunk.indexOf(LFLF, from); at !== -1; at = chunk.indexOf(LFLF, at + 2)) count++;
    previous = chunk[chunk.length - 1];
    if (!opened) {
      opened = true;
      hooks.opened(conn);
    }
    hooks.frames(conn, count, chunk);
  });
  socket.on('error', () => {});
  socket.on('close', () => hooks.closed(conn));
  return socket;
}
