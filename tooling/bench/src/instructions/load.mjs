// The load side of an instruction count: N raw HTTP/1.1 streams to 127.0.0.1:PORT, frames
// counted by their "\n\n" ends; answers the parent's "?" over IPC with the count so far.
// In its own process so that only the server's instructions are counted.
import net from 'node:net';

const [port, n] = process.argv.slice(2).map(Number);
let frames = 0;
for (let i = 0; i < n; i++) {
  const socket = net.connect(port, '127.0.0.1', () =>
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n'),
  );
  let previous = 0;
  socket.on('data', (chunk) => {
    let from = 0;
    if (previous === 10 && chunk[0] === 10) {
      frames++;
      from = 1;
    }
    for (let at = chunk.indexOf('\n\n', from); at !== -1; at = chunk.indexOf('\n\n', at + 2))
      frames++;
    previous = chunk[chunk.length - 1];
  });
  socket.on('error', () => {});
}
process.on('message', () => process.send({ frames }));
process.on('disconnect', () => process.exit(0));
