import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Hub } from '@sse/core';
import express from 'express';
import { startChatHub } from './chat-hub.js';
import type { ChatConfig } from './config.js';
import { handleErrors, notFound } from './http/error-handlers.js';
import { listen } from './http/listen.js';
import { securityHeaders } from './http/security-headers.js';
import { createMetrics } from './metrics.js';
import { createPresence } from './presence.js';
import { addMessageRoutes } from './routes/message-routes.js';
import { addOperationsRoutes } from './routes/operations-routes.js';
import { addRoomStreamRoute } from './routes/room-stream-route.js';
import { addSessionRoutes } from './routes/session-routes.js';
import { addStaticRoutes } from './routes/static-routes.js';
import { createSessions } from './session.js';

/** A running chat server. */
export interface ChatServer {
  readonly url: string;
  readonly hub: Hub;
  readonly server: http.Server;
  /** Graceful stop: announce to streams, drain, close the bus and the listener. Idempotent. */
  close(): Promise<void>;
}

// Resolved here, not in the static routes: this file sits one level below the package both
// as src/app.ts (tests) and inside the bundled dist/server.js, so `../public/` holds in both.
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * Starts the chat: bus, hub, HTTP routes, listener.
 * @param config - see `readConfig`.
 * @param log - where operational messages go.
 * @returns the running server once it listens and the bus is ready.
 * @throws Error when the bus cannot be loaded or reached, or the port is taken.
 */
export async function startChatServer(
  config: ChatConfig,
  log: (line: string) => void = (line) => console.log(line),
): Promise<ChatServer> {
  const { hub, tap } = await startChatHub(config, log);
  let accepting = true;

  const sessions = createSessions(config.sessionSecret, config.cookieSecure);
  const presence = createPresence(hub, tap, {
    refresh: config.bus !== 'memory',
    onError: (error) => log(`presence publish failed: ${(error as Error).message}`),
  });
  hub.on('connect', (connection) => {
    for (const room of connection.rooms) presence.changed(room);
  });
  hub.on('disconnect', (connection) => {
    // A shutting-down hub cannot publish; other instances expire our list instead.
    if (!accepting) return;
    for (const room of connection.rooms) presence.changed(room);
  });
  const metrics = createMetrics(hub);

  // Order matters: headers on every answer, the API, the page, then 404 and errors last.
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  addSessionRoutes(app, { sessions, hub });
  addRoomStreamRoute(app, { hub, sessions, tap });
  addMessageRoutes(app, { hub, sessions });
  addOperationsRoutes(app, { hub, metrics, accepting: () => accepting });
  addStaticRoutes(app, PUBLIC_DIR);
  app.use(notFound);
  app.use(handleErrors(log));

  const { server, url } = await listen(app, config.port, config.host);

  let closing: Promise<void> | undefined;
  return {
    url,
    hub,
    server,
    close() {
      closing ??= (async () => {
        accepting = false;
        presence.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.shutdown({ graceMs: 1000, reconnectSpreadMs: 1000 });
        server.closeIdleConnections();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
