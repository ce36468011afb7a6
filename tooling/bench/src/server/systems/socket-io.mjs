// socket.io 4 with the websocket transport only (no polling upgrade), default parser, every
// client in the default namespace, `io.emit('m', payload)` to broadcast. Load side:
// load/socketio-connection.mjs (LOAD_PROTOCOL in index.mjs).
import http from 'node:http';
import { Server } from 'socket.io';
import { listen } from './plain-http.mjs';

/** Starts a socket.io server on its default path /socket.io/. */
export async function start() {
  const server = http.createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  let disconnects = 0;
  io.on('connection', (socket) => {
    socket.on('disconnect', () => disconnects++);
  });
  await listen(server);
  return {
    port: server.address().port,
    connections: () => io.of('/').sockets.size,
    publish: (payload) => {
      io.emit('m', payload);
    },
    stats: () => ({ disconnects }),
    close: () => io.close(),
  };
}
