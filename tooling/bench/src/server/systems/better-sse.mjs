// better-sse as its docs recommend for a broadcast: createSession per request, every session
// registered on one channel, channel.broadcast(payload). Served by plain node:http; the
// payload is serialized the library's default way (JSON), per session.
import http from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { listen } from './plain-http.mjs';

/** Starts a better-sse channel server. Keep-alive comments every 10 min: never during a run. */
export async function start() {
  const channel = createChannel();
  let failures = 0;
  const server = http.createServer(async (req, res) => {
    try {
      channel.register(await createSession(req, res, { keepAlive: 600_000 }));
    } catch {
      failures++;
    }
  });
  await listen(server);
  const publish = (payload) => {
    channel.broadcast(payload);
  };
  return {
    port: server.address().port,
    connections: () => channel.sessionCount,
    publish,
    stats: () => ({ sessionFailures: failures }),
    close: () => server.close(),
  };
}
