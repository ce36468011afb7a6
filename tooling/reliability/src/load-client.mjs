// Load client process: opens N raw HTTP/1.1 SSE connections to URL and counts, per
// connection, message frames (`data:` lines, less the hub's own `sse-position` event that
// opens every fresh stream) and heartbeat comments. Steered over IPC:
// { report: true } → { report: { open, closed, minData, maxData, comments } }.
import net from 'node:net';

/** The hub's event that only carries a position: not a message. */
const POSITION = '\nevent: sse-position\n';

const [host, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const connections = [];
let open = 0;
let closed = 0;

for (let i = 0; i < n; i++) {
  const state = { data: 0, comments: 0, tail: '', positionTail: '' };
  const socket = net.connect(port, host, () => {
    open++;
    socket.write(`GET /events HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
  });
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    // Keep a few bytes of the previous chunk so a line split across chunks still counts once.
    const text = state.tail + chunk;
    for (let at = text.indexOf('\ndata: '); at !== -1; at = text.indexOf('\ndata: ', at + 1))
      state.data++;
    for (let at = text.indexOf('\n:\n'); at !== -1; at = text.indexOf('\n:\n', at + 1))
      state.comments++;
    state.tail = text.slice(-6);
    // Its own tail: one shorter than the pattern, so a match is never counted twice.
    const around = state.positionTail + chunk;
    for (let at = around.indexOf(POSITION); at !== -1; at = around.indexOf(POSITION, at + 1))
      state.data--;
    state.positionTail = around.slice(-(POSITION.length - 1));
  });
  socket.on('close', () => {
    closed++;
  });
  socket.on('error', () => {});
  connections.push(state);
}

process.on('message', (message) => {
  if (!message.report) return;
  let minData = Number.POSITIVE_INFINITY;
  let maxData = 0;
  let comments = Number.POSITIVE_INFINITY;
  for (const c of connections) {
    minData = Math.min(minData, c.data);
    maxData = Math.max(maxData, c.data);
    comments = Math.min(comments, c.comments);
  }
  process.send({ report: { open, closed, minData, maxData, comments } });
});
process.on('disconnect', () => process.exit(0));
