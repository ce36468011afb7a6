import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHub, type Hub } from '@sse/core';
import { sse } from '@sse/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadBus } from './bus-loader.js';
import type { ChatConfig } from './config.js';
import { createHistoryTap } from './history-tap.js';
import { createMetrics } from './metrics.js';
import { createPresence } from './presence.js';
import { createSessions } from './session.js';
import { checkName, checkText, isRoom } from './validation.js';

/** A chat message as it travels in `message` events. */
export interface ChatMessage {
  /** Server-made message id (stable across replays and instances; the page de-dups on it). */
  readonly id: string;
  readonly room: string;
  readonly user: string;
  readonly text: string;
  /** Milliseconds since the epoch, server clock. */
  readonly ts: number;
}

/** A running chat server. */
export interface ChatServer {
  readonly url: string;
  readonly hub: Hub;
  readonly server: http.Server;
  /** Graceful stop: announce to streams, drain, close the bus and the listener. Idempotent. */
  close(): Promise<void>;
}

/** Replay window size: also bounds how far back "history on join" reaches. */
const WINDOW_ENTRIES = 5000;
const BODY_LIMIT = '16kb';
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
// The page imports @sse/client's built ESM file as is (one file, no imports of its own).
const CLIENT_ESM = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@sse/client')),
  'index.mjs',
);

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
  const tap = createHistoryTap(await loadBus(config), { windowEntries: WINDOW_ENTRIES });
  const hub = createHub({
    bus: tap.bus,
    instanceId: config.instanceId,
    keepAliveMs: 15_000,
    retryMs: 1_000,
    // Count-bound only (age and bytes generous), so the history tap can mirror it.
    replay: { maxEntries: WINDOW_ENTRIES, maxAgeMs: 24 * 3600_000, maxBytes: 64 * 1024 * 1024 },
  });
  hub.on('error', (error) => log(`hub error: ${error.message}`));
  hub.on('bus', (state, error) =>
    log(`bus ${hub.bus.kind}: ${state}${error ? ` (${error.message})` : ''}`),
  );
  await hub.ready();
  // A first entry in the log, so that even the room's first message has an entry before it
  // to anchor history on. Addressed to a connection id nobody has: no client receives it.
  await hub.publish({
    to: { connection: 'chat-demo-boot' },
    event: 'boot',
    data: config.instanceId,
  });

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
  let accepting = true;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((_req, res, next) => {
    // Defence in depth on top of textContent rendering: no inline script can ever run.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  const json = express.json({ limit: BODY_LIMIT, strict: true });
  const userOf = (req: Request): string | undefined => sessions.read(req.headers.cookie);

  app.post('/login', requireJson, json, (req, res) => {
    const name = checkName((req.body as { name?: unknown } | undefined)?.name);
    if (!name.ok) return void res.status(400).json({ error: 'invalid_name', message: name.error });
    res.setHeader('Set-Cookie', sessions.issue(name.value));
    res.json({ user: name.value });
  });

  app.post('/logout', (_req, res) => {
    res.setHeader('Set-Cookie', 'chat_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
    res.status(204).end();
  });

  app.get('/me', (req, res) => {
    const user = userOf(req);
    if (!user)
      return void res.status(401).json({ error: 'unauthenticated', message: 'Log in first.' });
    res.json({ user, instance: hub.instanceId, bus: hub.bus.kind });
  });

  app.get(
    '/events',
    (req, res, next) => {
      if (!isRoom(req.query.room)) {
        return void res
          .status(400)
          .json({ error: 'invalid_room', message: 'room must be 1-64 characters of a-z 0-9 _ -' });
      }
      next();
    },
    sse(hub, {
      resolve: (req) => {
        const user = userOf(req);
        if (!user) return null;
        const room = req.query.room as string;
        const sent = req.headers['last-event-id'] ?? req.query.lastEventId;
        // A fresh join starts just before the room's recent messages: the hub's replay
        // machinery sends the history, then live messages, with no gap in between.
        const start = sent ? undefined : tap.historyStart(room);
        return start ? { user, rooms: [room], lastEventId: start } : { user, rooms: [room] };
      },
    }),
  );

  app.post('/rooms/:room/messages', requireJson, json, async (req, res, next) => {
    const user = userOf(req);
    if (!user)
      return void res.status(401).json({ error: 'unauthenticated', message: 'Log in first.' });
    const room = req.params.room;
    if (!isRoom(room)) {
      return void res
        .status(400)
        .json({ error: 'invalid_room', message: 'room must be 1-64 characters of a-z 0-9 _ -' });
    }
    const text = checkText((req.body as { text?: unknown } | undefined)?.text);
    if (!text.ok) return void res.status(400).json({ error: 'invalid_text', message: text.error });
    // The author is the session's user; a `user` field in the body is ignored.
    const message: ChatMessage = { id: randomUUID(), room, user, text: text.value, ts: Date.now() };
    try {
      const receipt = await hub.publish({ to: { room }, event: 'message', data: message });
      res.status(201).json({ id: receipt.id, messageId: message.id });
    } catch (error) {
      next(error);
    }
  });

  app.get('/healthz', (_req, res) => {
    const stats = hub.stats();
    const ready = stats.bus.state === 'ready' && accepting;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'unavailable',
      instance: stats.instanceId,
      bus: stats.bus.kind,
      busState: stats.bus.state,
      connections: stats.connections,
    });
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.setHeader('Content-Type', metrics.contentType);
      res.end(await metrics.metrics());
    } catch (error) {
      next(error);
    }
  });

  app.get('/vendor/sse-client.js', (_req, res, next) => {
    res.sendFile(
      CLIENT_ESM,
      { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } },
      (error) => {
        if (error) next(error);
      },
    );
  });
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route.' });
  });
  app.use(
    (
      error: Error & { type?: string; status?: number; code?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      if (error.type === 'entity.too.large') {
        return void res
          .status(413)
          .json({ error: 'too_large', message: `Bodies are limited to ${BODY_LIMIT}.` });
      }
      if (error.type === 'entity.parse.failed') {
        return void res
          .status(400)
          .json({ error: 'invalid_json', message: 'The body is not valid JSON.' });
      }
      const status = typeof error.status === 'number' && error.status >= 400 ? error.status : 500;
      if (status >= 500) log(`request failed: ${error.message}`);
      if (res.headersSent) return void res.end();
      res.status(status).json({
        error: error.code ?? 'internal',
        message: status >= 500 ? 'The server could not do that; try again.' : error.message,
      });
    },
  );

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

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

function requireJson(req: Request, res: Response, next: NextFunction): void {
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this
  // server never grants: together with SameSite=Lax this closes the CSRF door.
  if (!req.is('application/json')) {
    res
      .status(415)
      .json({ error: 'unsupported_media_type', message: 'Send Content-Type: application/json.' });
    return;
  }
  next();
}
