// One socket.io client for the load generator, without socket.io-client or ws: a raw TCP
// socket does the WebSocket upgrade on /socket.io/?EIO=4&transport=websocket, and a small
// streaming decoder walks the server's (unmasked) frames, looking only at the first two
// payload bytes of each: engine.io open `0{…}` → join the default namespace (`40`), ping
// `2` → pong `3`, namespace ack `40{…}` → opened, event `42[…]` → one counted frame.
// Payload bytes are skipped, never copied; frames may straddle chunks or share one.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const CH_0 = 0x30;
const CH_1 = 0x31;
const CH_2 = 0x32;
const CH_4 = 0x34;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

/** A masked client text frame (client → server frames must be masked); `text` < 126 bytes. */
function clientFrame(text) {
  const payload = Buffer.from(text);
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x80 | OP_TEXT;
  frame[1] = 0x80 | payload.length;
  randomBytes(4).copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
  return frame;
}

/** Bytes of a frame header whose second byte is `b1`: base, extended length, mask key. */
const headerSize = (b1) => {
  const len = b1 & 0x7f;
  return 2 + (len === 126 ? 2 : len === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
};

/**
 * Opens a socket.io connection and reports to `conn` like openSse (see load/main.mjs):
 * `hooks.opened(conn)` once the namespace connect ack arrived, `hooks.frames(conn, k, chunk)`
 * for each chunk after the upgrade with k event packets ending in it, `hooks.closed(conn)`
 * once. Returns the socket.
 */
export function openSocketIo({ port }, conn, hooks) {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  /** The HTTP response head until the upgrade is done, then undefined. */
  let head = Buffer.alloc(0);
  let opened = false;
  // Decoder state: a header being gathered across chunks, or a payload being skipped.
  const header = Buffer.alloc(14);
  let headerHave = 0;
  let inPayload = false;
  let remaining = 0;
  let opcode = 0;
  let seen = 0;
  let type0 = 0;
  let type1 = 0;

  socket.on('connect', () => {
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
  });

  /** Starts a frame from the header at `buf[off]`. */
  function beginFrame(buf, off) {
    opcode = buf[off] & 0x0f;
    const len7 = buf[off + 1] & 0x7f;
    remaining =
      len7 < 126
        ? len7
        : len7 === 126
          ? buf.readUInt16BE(off + 2)
          : buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
    inPayload = true;
    seen = 0;
    type0 = 0;
    type1 = 0;
  }

  /** A frame ended: acts on its engine.io/socket.io packet type; 1 for an event packet. */
  function endFrame() {
    inPayload = false;
    if (opcode === OP_TEXT) {
      if (type0 === CH_4) {
        if (type1 === CH_2) return 1;
        if (type1 === CH_0) {
          if (!opened) {
            opened = true;
            hooks.opened(conn);
          }
        } else if (type1 === CH_4) socket.destroy(); // namespace connect error
      } else if (type0 === CH_2) socket.write(clientFrame('3'));
      else if (type0 === CH_0) socket.write(clientFrame('40'));
      else if (type0 === CH_1) socket.destroy();
    } else if (opcode === OP_CLOSE) socket.destroy();
    // Continuations (socket.io never fragments) and control pings (ws sends none) pass.
    return 0;
  }

  /** Walks the frames in `chunk` from `at`; returns how many event packets ended in it. */
  function decode(chunk, at) {
    let count = 0;
    const end = chunk.length;
    while (at < end) {
      if (inPayload) {
        const take = Math.min(remaining, end - at);
        if (seen === 0 && take > 0) type0 = chunk[at];
        if (seen <= 1 && seen + take >= 2) type1 = chunk[at + 1 - seen];
        seen += take;
        remaining -= take;
        at += take;
        if (remaining === 0) count += endFrame();
      } else if (headerHave === 0 && end - at >= 2 && end - at >= headerSize(chunk[at + 1])) {
        beginFrame(chunk, at);
        at += headerSize(chunk[at + 1]);
        if (remaining === 0) count += endFrame();
      } else {
        header[headerHave++] = chunk[at++];
        if (headerHave >= 2 && headerHave === headerSize(header[1])) {
          headerHave = 0;
          beginFrame(header, 0);
          if (remaining === 0) count += endFrame();
        }
      }
    }
    return count;
  }

  socket.on('data', (chunk) => {
    let from = 0;
    if (head) {
      const text = head.length ? Buffer.concat([head, chunk]) : chunk;
      const cut = text.indexOf(HEAD_END);
      if (cut === -1) {
        head = text;
        return;
      }
      head = undefined;
      if (text.toString('latin1', 0, 12) !== 'HTTP/1.1 101') {
        socket.destroy();
        return;
      }
      chunk = text;
      from = cut + HEAD_END.length;
    }
    const count = decode(chunk, from);
    if (opened) hooks.frames(conn, count, chunk);
  });
  socket.on('error', () => {});
  socket.on('close', () => hooks.closed(conn));
  return socket;
}
