// @sse/core's hub on the in-process bus, served by plain node:http (no framework).
import http from 'node:http';
import { createHub } from '@sse/core';
import { listen } from './plain-http.mjs';

/** Starts a hub with `hubOptions` merged over the benchmark's defaults. */
export function startSseCore(hubOptions) {
  return async (options = {}) => {
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
