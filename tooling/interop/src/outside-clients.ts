import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createEventStream } from '@sse/client';
import type { Observation } from '@sse/history';
import { EventSource } from 'eventsource';
import type { Browser } from 'playwright-core';
import type { ExtraRoutes } from './hub-host.js';

/** What a test can read of a client. */
export interface ClientLog {
  /** Messages and resets, as the app sees them. */
  readonly observations: Observation[];
  /** The last event id the client holds, as far as the test can tell (`''` for none). */
  readonly lastEventId: string;
  /** How many times the stream opened. */
  readonly opens: number;
}

/** One open client of some kind. */
export interface OutsideClient {
  log(): Promise<ClientLog>;
  close(): Promise<void>;
}

/** A kind of client the hub is tested against. */
export interface ClientKind {
  readonly name: string;
  /** Opens `${origin}/events`. */
  open(origin: string): Promise<OutsideClient>;
}

interface MutableLog {
  observations: Observation[];
  lastEventId: string;
  opens: number;
}

const resetReason = (data: string): string => {
  try {
    return String((JSON.parse(data) as { reason?: unknown }).reason);
  } catch {
    return data;
  }
};

/**
 * Listens the way a plain `EventSource` user does: `message` for the app, `sse-reset` because
 * our docs ask for it. `sse-position` is listened to only so the test knows the id arrived;
 * a listener changes nothing in how an EventSource tracks its last event id.
 */
function listen(source: EventTarget, log: MutableLog): void {
  source.addEventListener('open', () => {
    log.opens++;
  });
  source.addEventListener('message', (event) => {
    const { data, lastEventId } = event as MessageEvent<string>;
    log.lastEventId = lastEventId;
    log.observations.push({ kind: 'message', id: lastEventId, data });
  });
  source.addEventListener('sse-reset', (event) => {
    const { data, lastEventId } = event as MessageEvent<string>;
    log.lastEventId = lastEventId;
    log.observations.push({ kind: 'reset', id: lastEventId, reason: resetReason(data) });
  });
  source.addEventListener('sse-position', (event) => {
    log.lastEventId = (event as MessageEvent<string>).lastEventId;
  });
}

/** The `eventsource` npm package (4.x), in Node: strict to the spec, no id-only frames. */
export const eventsourcePackage: ClientKind = {
  name: 'eventsource (npm)',
  async open(origin) {
    const log: MutableLog = { observations: [], lastEventId: '', opens: 0 };
    const source = new EventSource(`${origin}/events`);
    listen(source as unknown as EventTarget, log);
    return {
      log: async () => structuredClone(log),
      close: async () => source.close(),
    };
  },
};

/** `@sse/client` in Node (fetch transport). */
export const sseClientNode: ClientKind = {
  name: '@sse/client (Node)',
  async open(origin) {
    const log: MutableLog = { observations: [], lastEventId: '', opens: 0 };
    const stream = createEventStream(`${origin}/events`, { parse: 'text' });
    stream.on('state', (state) => {
      if (state === 'open') log.opens++;
    });
    stream.on('message', (data, message) =>
      log.observations.push({ kind: 'message', id: message.lastEventId, data: String(data) }),
    );
    stream.on('reset', (info, message) =>
      log.observations.push({ kind: 'reset', id: message.lastEventId, reason: info.reason }),
    );
    return {
      log: async () => ({ ...structuredClone(log), lastEventId: stream.lastEventId }),
      close: async () => stream.close(),
    };
  },
};

/** The page a browser client runs in; `?kind=` picks the client. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>interop</title>
<script type="module">
  const log = { observations: [], lastEventId: '', opens: 0 };
  window.log = log;
  const kind = new URLSearchParams(location.search).get('kind');
  if (kind === 'eventsource') {
    const source = new EventSource('/events');
    window.stream = source;
    source.addEventListener('open', () => { log.opens++; });
    source.addEventListener('message', (e) => {
      log.lastEventId = e.lastEventId;
      log.observations.push({ kind: 'message', id: e.lastEventId, data: e.data });
    });
    source.addEventListener('sse-reset', (e) => {
      log.lastEventId = e.lastEventId;
      log.observations.push({ kind: 'reset', id: e.lastEventId, reason: JSON.parse(e.data).reason });
    });
    source.addEventListener('sse-position', (e) => { log.lastEventId = e.lastEventId; });
  } else {
    const { createEventStream } = await import('/sse-client.mjs');
    const stream = createEventStream('/events', { parse: 'text' });
    window.stream = stream;
    stream.on('state', (state) => { if (state === 'open') log.opens++; });
    stream.on('message', (data, m) => log.observations.push({ kind: 'message', id: m.lastEventId, data }));
    stream.on('reset', (info, m) => log.observations.push({ kind: 'reset', id: m.lastEventId, reason: info.reason }));
    Object.defineProperty(log, 'lastEventId', { get: () => stream.lastEventId });
  }
  window.ready = true;
</script>`;

/** The built ESM file of `@sse/client`, as a bundler or CDN would serve it. */
function clientBundle(): Buffer {
  const cjs = createRequire(import.meta.url).resolve('@sse/client');
  return readFileSync(path.join(path.dirname(cjs), 'index.mjs'));
}

/** Routes a host adds so browser clients can load their page. */
export const browserRoutes: ExtraRoutes = (request, response) => {
  if (request.url?.startsWith('/page')) {
    response.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    return true;
  }
  if (request.url === '/sse-client.mjs') {
    response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(clientBundle());
    return true;
  }
  return false;
};

/** A client that runs in a page of `browser`. */
function inChromium(
  name: string,
  kind: 'eventsource' | 'sse-client',
  browser: () => Browser,
): ClientKind {
  return {
    name,
    async open(origin) {
      const page = await browser().newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${origin}/page?kind=${kind}`);
      await page
        .waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, {
          timeout: 10_000,
        })
        .catch((error: unknown) => {
          throw new Error(`The ${name} page did not start: ${errors.join('; ')}`, {
            cause: error,
          });
        });
      return {
        log: () =>
          page.evaluate(() => {
            const log = (window as unknown as { log: ClientLog }).log;
            return {
              observations: [...log.observations],
              lastEventId: log.lastEventId,
              opens: log.opens,
            };
          }),
        close: async () => {
          await page.close();
        },
      };
    },
  };
}

/** Chromium's own `EventSource`, in a real page. */
export const chromiumEventSource = (browser: () => Browser): ClientKind =>
  inChromium("Chromium's EventSource", 'eventsource', browser);

/** `@sse/client` on its default transport, in a real Chromium page. */
export const sseClientChromium = (browser: () => Browser): ClientKind =>
  inChromium('@sse/client (Chromium)', 'sse-client', browser);
