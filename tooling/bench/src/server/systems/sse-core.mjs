// @sse/core's hub on the in-process bus, served by plain node:http (no framework).
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { listen } from './plain-http.mjs';

/**
 * Loads `createHub`: from the workspace's `@sse/core`, or, for the `sse-core-baseline` system,
 * from another build of it (`BENCH_BASELINE_CORE`: the path of a built `dist/index.mjs`), so a
 * refactor is measured side by side with the build before it, in one run.
 */
async function loadCreateHub(baseline) {
  if (!baseline) return (await import('@sse/core')).createHub;
  const file = process.env.BENCH_BASELINE_CORE;
  if (!file)
    throw new Error(
      'sse-core-baseline needs BENCH_BASELINE_CORE=<path to a built @sse/core dist/index.mjs>',
    );
  return (await import(pathToFileURL(file).href)).createHub;
}

/**
 * Starts a hub with `hubOptions` merged over the benchmark's defaults.
 * @param {object} hubOptions
 * @param {{ baseline?: boolean }} [build] - `baseline`: use the `BENCH_BASELINE_CORE` build.
 */
export function startSseCore(hubOptions, build = {}) {
  return async (options = {}) => {
    const createHub = await loadCreateHub(build.baseline);
    const hub = createHub({
      // Longer than any session: a heartbeat comment would count as a frame.
      keepAliveMs: 600_000,
      replay: { maxEntries: options.replayEntries ?? 1000 },
      ...hubOptions,
      ...options.hub,
    });
    await hub.ready();
    const server = http.createServer((req, res) => void hub.handle(req, res));
    await listen(server);
    const publish = (payload) => {
      hub.publish({ data: payload }).catch(() => {});
    };
    return {
      port: server.address().port,
      connections: () => hub.stats().connections,
      publish,
      publishWithId: (payload) => hub.publish({ data: payload }).then((receipt) => receipt.id),
      publishBurst: (payloads) => {
        for (const payload of payloads) publish(payload);
      },
      stats: () => {
        const s = hub.stats();
        return {
          drops: s.drops,
          disconnects: s.disconnects,
          replay: s.replay,
          deliveries: s.deliveries,
        };
      },
      close: () => {
        server.close();
        return hub.shutdown({ announce: false, graceMs: 0 });
      },
    };
  };
}
