// A load generator process: opens `n` streams to the server and counts frames per stream.
// argv[2] is JSON: { port, n, protocol?: 'sse' | 'socket.io', path?, headers?, expect?,
// samples?, trackIds? }.
// A few streams (about `samples`) also read the `T<µs>|` send stamp of every message
// for delivery latency; the rest only count. With `trackIds` the sampled streams also keep
// every `id:` (and `retry:`) line they received, in order, for an exact check. Driven over IPC:
//   → { connecting: µs } just before the first stream connects
//   → { open: ms } once every stream has its response headers (→ { openFailed } if some closed)
//   { cmd: 'expect', frames: k }  → { expecting } at once, { reached } once every live stream
//                                   has k more frames
//   { cmd: 'pause', fraction }    → { paused: count }: the first streams stop reading
//   { cmd: 'resume' }             → { resumed: count }: paused streams read again (still
//                                   left out of expectations; a server that cut them now
//                                   shows as closed once their backlog is read)
//   { cmd: 'counts' }             → { counts: { frames, closed, open, paused, pausedClosed } }
//   { cmd: 'sampleIds' }          → { sampleIds: [{ index, frames, closed, fields }] } for
//                                   the sampled streams (`fields`: 'retry: …' or the id)
// With `expect` in argv the targets are set before connecting (a reconnect storm).
import { nowUs } from '../lib/clock.mjs';
import { percentile } from '../lib/stats.mjs';
import { openSse } from './sse-connection.mjs';

const config = JSON.parse(process.argv[2]);
const PROTOCOLS = {
  sse: () => openSse,
  'socket.io': () => import('./socketio-connection.mjs').then((m) => m.openSocketIo),
};
const open = await PROTOCOLS[config.protocol ?? 'sse']();
const sampleEvery = Math.max(1, Math.floor(config.n / (config.samples ?? 64)));
const startedUs = nowUs();
const conns = [];
let opened = 0;
let closed = 0;
let totalFrames = 0;
/** The expectation in progress: streams still short of their target, and what was seen. */
let waiting;

const hooks = {
  opened(conn) {
    conn.openedUs = nowUs();
    if (++opened === config.n) process.send({ open: (nowUs() - startedUs) / 1000 });
  },
  frames(conn, count, chunk) {
    conn.frames += count;
    totalFrames += count;
    if (conn.sampled && waiting) readStamps(conn, chunk);
    if (conn.fields) readIds(conn, chunk);
    if (waiting && !conn.done && conn.frames >= conn.target) finish(conn);
  },
  closed(conn) {
    conn.closed = true;
    closed++;
    if (waiting && !conn.done) finish(conn, true);
    if (opened + closed >= config.n && opened < config.n && !waiting)
      process.send({ openFailed: closed });
  },
};

/** Records the latency of every stamped message in a sampled stream's chunk. */
function readStamps(conn, chunk) {
  const now = nowUs();
  const text = conn.carry + chunk.toString('latin1');
  const cut = text.lastIndexOf('|') + 1;
  for (let at = text.indexOf('T'); at !== -1 && at < cut; at = text.indexOf('T', at + 1)) {
    const end = text.indexOf('|', at);
    const sent = Number(text.slice(at + 1, end));
    if (sent > 0 && waiting.latencies.length < 500_000) waiting.latencies.push(now - sent);
  }
  conn.carry = text.slice(cut).slice(-32);
}

/** Appends the `id:` values (and `retry:` lines) of a sampled stream's chunk to its list. */
function readIds(conn, chunk) {
  const text = conn.lineCarry + chunk.toString('latin1');
  let from = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
    if (text.startsWith('id: ', from)) conn.fields.push(text.slice(from + 4, end));
    else if (text.startsWith('retry: ', from)) conn.fields.push(text.slice(from, end));
    from = end + 1;
  }
  conn.lineCarry = text.slice(from);
}

function finish(conn, lost = false) {
  conn.done = true;
  if (lost) waiting.lost++;
  else waiting.completions.push(nowUs());
  if (--waiting.remaining === 0) report();
}

function report() {
  const { completions, latencies, lost, sinceUs } = waiting;
  waiting = undefined;
  const openTimes = conns.filter((conn) => conn.openedUs > 0).map((conn) => conn.openedUs);
  const lastUs = completions.reduce((a, b) => Math.max(a, b), 0) || nowUs();
  process.send({
    reached: {
      lastUs,
      sinceUs,
      streams: completions.length,
      lost,
      completionP50Ms: percentile(completions, 50) / 1000 - sinceUs / 1000,
      completionP99Ms: percentile(completions, 99) / 1000 - sinceUs / 1000,
      latencyP50Ms: percentile(latencies, 50) / 1000,
      latencyP99Ms: percentile(latencies, 99) / 1000,
      latencyMaxMs:
        (latencies.length ? latencies.reduce((a, b) => Math.max(a, b)) : Number.NaN) / 1000,
      samples: latencies.length,
      // When the streams' response headers arrived (only meaningful for `expect` in argv).
      openP50Ms: percentile(openTimes, 50) / 1000 - sinceUs / 1000,
      openMaxMs: openTimes.reduce((a, b) => Math.max(a, b), 0) / 1000 - sinceUs / 1000,
    },
  });
}

/** Sets every live, reading stream's target `frames` ahead of what it has now. */
function expect(frames) {
  waiting = { remaining: 0, completions: [], latencies: [], lost: 0, sinceUs: nowUs() };
  for (const conn of conns) {
    conn.done = conn.closed || conn.paused;
    if (conn.done) continue;
    conn.target = conn.frames + frames;
    conn.carry = '';
    waiting.remaining++;
  }
  process.send({ expecting: waiting.remaining });
  if (waiting.remaining === 0) report();
}

if (config.expect !== undefined) {
  waiting = { remaining: config.n, completions: [], latencies: [], lost: 0, sinceUs: startedUs };
}
process.send({ connecting: startedUs });
for (let i = 0; i < config.n; i++) {
  const conn = {
    frames: 0,
    target: config.expect ?? Number.POSITIVE_INFINITY,
    done: false,
    closed: false,
    paused: false,
    sampled: i % sampleEvery === 0,
    carry: '',
    openedUs: 0,
    fields: config.trackIds && i % sampleEvery === 0 ? [] : undefined,
    lineCarry: '',
    socket: undefined,
  };
  conn.socket = open(config, conn, hooks);
  conns.push(conn);
}

process.on('message', (message) => {
  if (message.cmd === 'expect') expect(message.frames);
  else if (message.cmd === 'pause') {
    const count = Math.round(conns.length * message.fraction);
    for (const conn of conns.slice(0, count)) {
      conn.paused = true;
      conn.socket.pause();
    }
    process.send({ paused: count });
  } else if (message.cmd === 'resume') {
    const paused = conns.filter((conn) => conn.paused);
    for (const conn of paused) conn.socket.resume();
    process.send({ resumed: paused.length });
  } else if (message.cmd === 'counts') {
    const paused = conns.filter((conn) => conn.paused);
    process.send({
      counts: {
        frames: totalFrames,
        closed,
        open: opened - closed,
        paused: paused.length,
        pausedClosed: paused.filter((conn) => conn.closed).length,
      },
    });
  } else if (message.cmd === 'sampleIds') {
    const sampleIds = [];
    conns.forEach((conn, index) => {
      if (conn.fields)
        sampleIds.push({ index, frames: conn.frames, closed: conn.closed, fields: conn.fields });
    });
    process.send({ sampleIds });
  }
});
function quit() {
  // Reset rather than close: no TIME_WAIT left behind for the next session's ports.
  for (const conn of conns) conn.socket.resetAndDestroy?.();
  process.exit(0);
}
process.on('disconnect', quit);
// The parent stops children with SIGTERM: exit cleanly (and let `--cpu-prof` write).
process.on('SIGTERM', quit);
