// Load generator process: opens N raw HTTP/1.1 connections and counts SSE frames (a blank
// line ends a frame) across all of them. Reports { total } when asked, cheaply.
import net from 'node:net';

const [port, n] = process.argv.slice(2).map(Number);
let frames = 0;
let target = Number.POSITIVE_INFINITY;
let open = 0;
const sockets = [];

function connect() {
  const socket = net.connect(port, '127.0.0.1');
  let previous = 0;
  socket.on('connect', () => {
    socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    open++;
  });
  socket.on('data', (chunk) => {
    // Count "\n\n" pairs, also across chunk boundaries. Chunked-encoding lines end in
    // "\r\n", so they never look like a frame end.
    let last = previous;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 10 && last === 10) frames++;
      last = byte;
    }
    previous = last;
    if (frames >= target) {
      target = Number.POSITIVE_INFINITY;
      process.send({ reached: frames });
    }
  });
  socket.on('error', () => {});
  sockets.push(socket);
}

for (let i = 0; i < n; i++) connect();
const wait = setInterval(() => {
  if (open === n) {
    clearInterval(wait);
    process.send({ open });
  }
}, 20);
process.on('message', (message) => {
  if (message.expect !== undefined) {
    target = frames + message.expect;
    if (frames >= target) process.send({ reached: frames });
  }
});
process.on('disconnect', () => process.exit(0));
