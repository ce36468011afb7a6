// One benchmark session: a server process for one system, a load process holding `n`
// streams, then a list of measurements on those same streams. Opening 10,000 streams
// costs seconds, so every measurement of a (system, n) pair shares one session.
import { fileURLToPath } from 'node:url';
import { ask, spawnChild, stopChild, waitFor } from '../lib/child.mjs';
import { mib } from '../lib/stats.mjs';
import { LOAD_PROTOCOL } from '../server/systems/index.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Starts `system` and opens `n` streams to it; resolves with a session whose methods
 * measure. Always call `close()` (it kills both processes).
 */
export async function openSession(
  system,
  n,
  { serverOptions, load = {}, timeoutMs = 120_000 } = {},
) {
  const server = spawnChild(
    here('../server/main.mjs'),
    [system, ...(serverOptions ? [JSON.stringify(serverOptions)] : [])],
    `server ${system}`,
  );
  let loader;
  const session = {
    server,
    get load() {
      return loader;
    },
    baselineRss: 0,
    close: async () => {
      await Promise.all([loader && stopChild(loader), stopChild(server)]);
    },
  };
  try {
    const port = await waitFor(server, 'port', 30_000);
    session.port = port;
    const startLoad = (count) =>
      spawnChild(
        here('../load/main.mjs'),
        [JSON.stringify({ port, n: count, protocol: LOAD_PROTOCOL[system], ...load })],
        `load ${system}`,
      );
    // Warm-up: streams opened and closed before the baseline, so that what every system
    // builds once on its first connections (optimised code, the compiler threads' malloc
    // arenas, grown heap spaces) counts as fixed cost, not as memory per connection: with
    // only 200 warm-up streams that one-time cost still read as ~1.5 KiB a stream at n = 1,000.
    const warmUp = Math.min(WARM_UP_STREAMS, n);
    loader = startLoad(warmUp);
    await opening(loader, system, warmUp, timeoutMs);
    await registered(server, system, (count) => count >= warmUp);
    await stopChild(loader);
    loader = undefined;
    await registered(server, system, (count) => count === 0);
    session.baselineRss = await ask(server, { cmd: 'rss', gc: true }, 'rss');
    loader = startLoad(n);
    session.openMs = await opening(loader, system, n, timeoutMs);
    await registered(server, system, (count) => count >= n);
    return Object.assign(session, measurements(session, system, n));
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** Streams opened and closed before a session's baseline RSS is read. */
const WARM_UP_STREAMS = 1000;

/** Resolves with the ms the load process took to open its `n` streams. */
function opening(loader, system, n, timeoutMs) {
  return Promise.race([
    waitFor(loader, 'open', timeoutMs),
    waitFor(loader, 'openFailed', timeoutMs).then((closed) => {
      throw new Error(`${closed} of ${n} streams to ${system} closed while opening`);
    }),
  ]);
}

/**
 * Waits until the server's own count of open streams satisfies `done`: a server may
 * register a stream a moment after its headers left, and notice a close a moment later.
 */
async function registered(server, system, done, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let count = await ask(server, { cmd: 'count' }, 'connections');
  while (!done(count)) {
    if (Date.now() > deadline)
      throw new Error(`${system} still counts ${count} open streams after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
    count = await ask(server, { cmd: 'count' }, 'connections');
  }
}

function measurements(session, system, n) {
  const { server } = session;
  return {
    /** RSS of the server in bytes, after two full GCs. */
    rss: () => ask(server, { cmd: 'rss', gc: true }, 'rss'),
    /** The server's stats (peak RSS, CPU, the system's own counters). */
    stats: () => ask(server, { cmd: 'stats' }, 'stats'),
    /**
     * Publishes `count` messages of `size` bytes, all in one turn ('burst') or one per
     * turn ('tick'; with `every` ms, one per timer instead: a paced rate), and waits until
     * every stream has them. Returns deliveries/s and latency.
     */
    async run({ mode, count, size, every = 0, timeoutMs = 120_000 }) {
      await ask(session.load, { cmd: 'expect', frames: count }, 'expecting');
      const reached = waitFor(session.load, 'reached', timeoutMs);
      const startedUs = await ask(
        server,
        { cmd: mode === 'burst' ? 'burst' : 'ticks', count, size, every },
        'startedUs',
        timeoutMs,
      );
      const result = await reached;
      if (result.lost > 0) throw new Error(`${result.lost} of ${n} streams to ${system} closed`);
      const seconds = (result.lastUs - startedUs) / 1e6;
      return {
        deliveriesPerSec: (n * count) / seconds,
        seconds,
        p50Ms: result.latencyP50Ms,
        p99Ms: result.latencyP99Ms,
        maxMs: result.latencyMaxMs,
        samples: result.samples,
      };
    },
    /** Server RSS now, in MiB, without a GC first (what a burst left behind). */
    rssNowMiB: async () => mib((await ask(server, { cmd: 'stats' }, 'stats')).rss),
  };
}
