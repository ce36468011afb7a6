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
    session.baselineRss = await ask(server, { cmd: 'rss', gc: true }, 'rss');
    loader = spawnChild(
      here('../load/main.mjs'),
      [JSON.stringify({ port, n, protocol: LOAD_PROTOCOL[system], ...load })],
      `load ${system}`,
    );
    session.port = port;
    const opened = await Promise.race([
      waitFor(loader, 'open', timeoutMs),
      waitFor(loader, 'openFailed', timeoutMs).then((closed) => {
        throw new Error(`${closed} of ${n} streams to ${system} closed while opening`);
      }),
    ]);
    session.openMs = opened;
    // The server may register a stream a moment after its headers left.
    const deadline = Date.now() + 30_000;
    while ((await ask(server, { cmd: 'count' }, 'connections')) < n) {
      if (Date.now() > deadline) throw new Error(`${system} never registered all ${n} streams`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Object.assign(session, measurements(session, system, n));
  } catch (error) {
    await session.close();
    throw error;
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
