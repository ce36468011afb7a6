import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Client from '../../src/index.js';
import type { Responder, TestServer } from '../helpers/sse-server.js';
import { frame, openStream, startTestServer, status, stayOpen } from '../helpers/sse-server.js';

// The built ESM file, as a browser would import it from a CDN or a bundler's output.
const BUILT = fileURLToPath(new URL('../../dist/index.mjs', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PAGE = `<!doctype html><meta charset="utf-8"><title>@sse/client</title>
<script type="module">
  import * as client from '/client.mjs';
  window.client = client;
  window.loaded = true;
</script>`;

interface PageLog {
  data: unknown[];
  types: string[];
  states: string[];
  resets: string[];
  errors: { code: string; status: number | undefined; fatal: boolean }[];
  transport: string;
  /** When each event arrived, by the page's clock. */
  dataAt: number[];
}

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(BUILT))
    throw new Error(`Missing ${BUILT}: run "pnpm build" in packages/client first.`);
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Missing ${CHROMIUM}: run "apt-get update && apt-get install -y chromium".`);
  }
  server = await startTestServer((req, res) => {
    if (req.url?.startsWith('/sse')) return false;
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    else if (req.url === '/client.mjs') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(BUILT));
    } else res.writeHead(404).end();
    return true;
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/`);
  await page
    .waitForFunction(() => (window as unknown as { loaded?: boolean }).loaded === true, null, {
      timeout: 10_000,
    })
    .catch((error: unknown) => {
      throw new Error(`The built ESM file did not load in Chromium: ${pageErrors.join('; ')}`, {
        cause: error,
      });
    });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  await page.evaluate(() => (window as unknown as { stream?: { close(): void } }).stream?.close());
});

/**
 * Opens a stream inside the page and records what it reports in `window.log`.
 * @param transport - the `transport` option, or `undefined` to leave it out (the default).
 */
async function openInPage(
  transport: string | undefined,
  path: string,
  events: string[] = ['message'],
): Promise<void> {
  await page.evaluate(
    ({ transport, path, events }) => {
      const w = window as unknown as {
        client: typeof Client;
        log: PageLog;
        stream?: { close(): void };
      };
      w.stream?.close(); // one stream at a time: the tests count open responses
      const log: PageLog = {
        data: [],
        types: [],
        states: [],
        resets: [],
        errors: [],
        transport: '',
        dataAt: [],
      };
      const stream = w.client.createEventStream(path, {
        ...(transport === undefined
          ? {}
          : { transport: transport as 'auto' | 'eventsource' | 'fetch' }),
        initialDelayMs: 500, // the floor: reconnects here take 500 ms
        random: () => 0.5,
      });
      log.transport = stream.transport;
      stream.on('state', (s) => log.states.push(s));
      stream.on('reset', (info) => log.resets.push(info.reason));
      stream.on('error', (e) =>
        log.errors.push({ code: e.code, status: e.status, fatal: e.fatal }),
      );
      for (const type of events) {
        stream.on(type, (data) => {
          log.data.push(data);
          log.types.push(type);
          log.dataAt.push(performance.now());
        });
      }
      w.log = log;
      w.stream = stream;
    },
    { transport, path, events },
  );
}

async function waitInPage(what: string, predicate: string): Promise<PageLog> {
  try {
    await page.waitForFunction(`(() => { const log = window.log; return ${predicate}; })()`, null, {
      timeout: 10_000,
    });
  } catch (error) {
    const log = await readLog();
    throw new Error(`Timed out waiting for ${what}; page log: ${JSON.stringify(log)}`, {
      cause: error,
    });
  }
  return readLog();
}

const readLog = (): Promise<PageLog> =>
  page.evaluate(() => (window as unknown as { log: PageLog }).log);

describe('@sse/client in headless Chromium (built ESM)', () => {
  it('loads the built ESM file and picks fetch by default, for a plain GET too', async () => {
    server.script(stayOpen());
    await openInPage(undefined, '/sse/plain');
    expect((await readLog()).transport).toBe('fetch');
    await openInPage('auto', '/sse/plain');
    expect((await readLog()).transport).toBe('fetch');
  });

  it('default transport: resumes from a plain spec-following server with the Last-Event-ID header; an id-only frame moves the id', async () => {
    // Written from the spec alone: it resumes from the Last-Event-ID header and knows nothing
    // of the lastEventId query parameter (a server that did would resume from ?lastEventId=).
    server.script((req, res) => {
      const last = req.headers['last-event-id'];
      if (last === undefined) {
        const events = [1, 2, 3, 4, 5].map((n) => frame({ n }, { id: String(n) }));
        openStream(res, ...events, 'id: 99\n\n'); // an id-only frame: no event, a new id
        return;
      }
      const next = Number(last) + 1;
      openStream(res, frame({ n: next }, { id: String(next) }));
    });
    const start = server.requests.length;
    await openInPage(undefined, '/sse/spec-server');
    await waitInPage(
      'five events, then lastEventId 99 from the id-only frame',
      "log.data.length === 5 && window.stream.lastEventId === '99'",
    );
    expect(server.dropOpenStreams()).toBe(1);
    const log = await waitInPage('the event after 99', 'log.data.length === 6');
    expect(log.transport).toBe('fetch');
    expect(log.data).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 100 }]);
    const [first, second] = server.requests.slice(start);
    expect(first?.headers['last-event-id']).toBeUndefined();
    expect(second?.headers['last-event-id']).toBe('99');
    expect(second?.url).toBe('/sse/spec-server'); // the header, not a query parameter
  });

  it('default transport: sends a non-ASCII id back as its UTF-8 bytes (WPT format-field-id)', async () => {
    server.script(stayOpen('id: \u2026\ndata: {"n":1}\n\n'), stayOpen(frame({ n: 2 })));
    const start = server.requests.length;
    await openInPage(undefined, '/sse/unicode-id');
    await waitInPage('the first event', 'log.data.length === 1');
    expect(server.dropOpenStreams()).toBe(1);
    await waitInPage('the event after the reconnect', 'log.data.length === 2');
    const raw = server.requests.slice(start)[1]?.headers['last-event-id'] as string;
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('\u2026');
  });

  it('transport eventsource: learns the id from sse-position, since id-only frames are invisible to it', async () => {
    server.script(
      // Nothing after the position: the id must come from it, not from a later event.
      stayOpen(frame({ n: 1 }, { id: 'pos-2' }), 'event: sse-position\ndata: {}\nid: pos-3\n\n'),
      stayOpen(frame({ n: 2 }, { id: 'pos-4' })),
    );
    const start = server.requests.length;
    await openInPage('eventsource', '/sse/position');
    await waitInPage(
      'lastEventId pos-3 from the position event',
      "log.data.length === 1 && window.stream.lastEventId === 'pos-3'",
    );
    expect(server.dropOpenStreams()).toBe(1);
    const log = await waitInPage('the event after the reconnect', 'log.data.length === 2');
    expect(log.data).toEqual([{ n: 1 }, { n: 2 }]);
    // EventSource cannot set the header on a connection we open: the id rides the URL.
    expect(server.requests.slice(start)[1]?.url).toBe('/sse/position?lastEventId=pos-3');
  });

  it.each(['eventsource', 'fetch'])(
    'transport %s: receives events, reconnects after a drop with the last id, surfaces reset',
    async (transport) => {
      server.script(
        stayOpen(frame({ n: 1 }, { id: 'b1' }), frame({ n: 2 }, { id: 'b2' })),
        stayOpen(
          frame({ n: 2 }, { id: 'b2' }), // a repeat: de-duplicated
          frame({ reason: 'unknown-id' }, { event: 'sse-reset', id: 'b3' }),
          frame({ n: 4 }, { id: 'b4' }),
        ),
      );
      const start = server.requests.length;
      await openInPage(transport, `/sse/${transport}`);
      // Drop only once the page has the events: bytes in flight when a connection breaks may
      // be discarded by the browser (the server would replay them; this script does not).
      await waitInPage('the first two events', 'log.data.length === 2');
      expect(server.dropOpenStreams()).toBe(1);
      const log = await waitInPage(
        'three events and a reset',
        'log.data.length >= 3 && log.resets.length === 1',
      );
      expect(log.transport).toBe(transport);
      expect(log.data).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
      expect(log.resets).toEqual(['unknown-id']);
      expect(log.states).toEqual(['open', 'connecting', 'open']);
      const [first, second] = server.requests.slice(start);
      expect(first?.url).toBe(`/sse/${transport}`);
      if (transport === 'fetch') {
        expect(second?.headers['last-event-id']).toBe('b2');
      } else {
        // EventSource cannot set the header on a connection we open, so the id rides the URL.
        expect(second?.url).toBe('/sse/eventsource?lastEventId=b2');
      }
    },
  );

  it('transport eventsource: receives named events that have a handler', async () => {
    server.script(stayOpen(frame({ who: 'ann' }, { event: 'typing' }), frame({ n: 1 })));
    await openInPage('eventsource', '/sse/named', ['typing', 'message']);
    const log = await waitInPage('both events', 'log.data.length === 2');
    expect(log.types).toEqual(['typing', 'message']);
  });

  it.each(['eventsource', 'fetch'])(
    'transport %s: stops on 401 without retrying',
    async (transport) => {
      // Two 401s: EventSource's own request, then the probe that learns the status.
      server.script(status(401), status(401), stayOpen(frame({ n: 1 })));
      const start = server.requests.length;
      await openInPage(transport, `/sse/auth-${transport}`);
      const log = await waitInPage('the stream to close', "log.states.includes('closed')");
      expect(log.errors).toEqual([{ code: 'SSE_HTTP_STATUS', status: 401, fatal: true }]);
      // EventSource hides the status, so the client asks once more with fetch to learn it.
      const expected = transport === 'eventsource' ? 2 : 1;
      expect(server.requests.slice(start)).toHaveLength(expected);
    },
  );

  it.each(['eventsource', 'fetch'])(
    'transport %s: retries a 503, then opens',
    async (transport) => {
      server.script(
        status(503),
        transport === 'eventsource' ? status(503) : stayOpen(frame({ n: 1 })),
        stayOpen(frame({ n: 1 })),
      );
      await openInPage(transport, `/sse/busy-${transport}`);
      const log = await waitInPage('the event after a 503', 'log.data.length === 1');
      expect(log.errors.map((e) => [e.code, e.status, e.fatal])).toEqual([
        ['SSE_HTTP_STATUS', 503, false],
      ]);
      expect(log.states).toEqual(['open']);
    },
  );

  it('default transport: learns the keep-alive and leaves a server gone silent (a frozen instance) within 2 × keepAliveMs', async () => {
    // The first bytes of an @sse/core stream, then nothing: what a SIGSTOPped instance sends.
    server.script(
      stayOpen(': sse-keep-alive=2000\nretry: 500\n\n', frame({ n: 1 }, { id: 'f1' })),
      stayOpen(': sse-keep-alive=2000\n', frame({ n: 2 }, { id: 'f2' })),
    );
    const start = server.requests.length;
    await openInPage(undefined, '/sse/frozen');
    await waitInPage('the first event', 'log.data.length === 1');
    const log = await waitInPage('the event after the watchdog fired', 'log.data.length === 2');
    expect(log.transport).toBe('fetch');
    expect(log.errors).toEqual([{ code: 'SSE_IDLE_TIMEOUT', status: undefined, fatal: false }]);
    expect(log.states).toEqual(['open', 'connecting', 'open']);
    // 1.5 × 2000 ms of silence after the last byte, then the 500 ms reconnect: under 2 × 2000.
    const gap = log.dataAt[1]! - log.dataAt[0]!;
    expect(gap).toBeGreaterThanOrEqual(3000 - 20);
    expect(gap).toBeLessThanOrEqual(2 * 2000);
    expect(server.requests.slice(start)[1]?.headers['last-event-id']).toBe('f1');
  });

  it('default transport: a plain spec server that advertises nothing gets no watchdog', async () => {
    let plain: ServerResponse | undefined;
    const routes: Record<string, Responder> = {
      // The control: advertises 1000 ms, then goes silent; its watchdog fires after 1500 ms.
      '/sse/b-control': stayOpen(': sse-keep-alive=1000\n', frame({ n: 1 })),
      '/sse/b-plain': (_req, res) => {
        plain = res;
        openStream(res, frame({ n: 1 }, { id: 'q1' }));
      },
    };
    server.script((req, res) => {
      const route = routes[req.url];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    const start = server.requests.length;
    const seen = await page.evaluate(async () => {
      const w = window as unknown as {
        client: typeof Client;
        stream?: { close(): void };
        plainData: unknown[];
      };
      w.plainData = [];
      const plainErrors: string[] = [];
      const plainStream = w.client.createEventStream('/sse/b-plain', { random: () => 0.5 });
      w.stream = plainStream; // closed by beforeEach
      plainStream.on('error', (e) => plainErrors.push(e.code));
      plainStream.on('message', (data) => w.plainData.push(data));
      const control = w.client.createEventStream('/sse/b-control', { random: () => 0.5 });
      const controlError = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the control never timed out')), 5000);
        control.on('error', (e) => {
          clearTimeout(timer);
          resolve(e.code);
        });
      });
      control.close();
      return { controlError, plainErrors, plainState: plainStream.state };
    });
    expect(seen).toEqual({ controlError: 'SSE_IDLE_TIMEOUT', plainErrors: [], plainState: 'open' });
    plain?.write(frame({ n: 2 }, { id: 'q2' }));
    await page.waitForFunction(
      () => (window as unknown as { plainData: unknown[] }).plainData.length === 2,
      null,
      { timeout: 5000 },
    );
    const plainRequests = server.requests.slice(start).filter((r) => r.url === '/sse/b-plain');
    expect(plainRequests).toHaveLength(1);
  });
});
