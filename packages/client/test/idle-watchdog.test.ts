import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hub } from '@sse/core';
import { createHub } from '@sse/core';
import { SseReader, waitFor } from '@sse/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventStream } from '../src/index.js';
import type { HubProcess } from './helpers/hub-process.js';
import { startHubProcess } from './helpers/hub-process.js';
import type { ProxyStandIn } from './helpers/proxy.js';
import { startProxy } from './helpers/proxy.js';
import { record } from './helpers/record.js';
import type { Responder, TestServer } from './helpers/sse-server.js';
import { frame, openStream, startTestServer, stayOpen } from './helpers/sse-server.js';

// The read-idle watchdog against real servers that stop writing while the connection stays
// open: scripted node:http responses that go silent, the real hub, and a hub process frozen
// with SIGSTOP behind a proxy stand-in.

let server: TestServer;
const streams: { close(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});
afterAll(async () => {
  await server.close();
});

type Events = { message: { n: number } };

/** The first line an `@sse/core` hub sends: its heartbeat promise. */
const advertise = (keepAliveMs: number): string => `: sse-keep-alive=${keepAliveMs}\n`;

function open(path: string, options: Parameters<typeof createEventStream>[1] = {}) {
  // The floor (500 ms) as the base: every first reconnect waits exactly 500 ms.
  const stream = createEventStream<Events>(`${server.url}${path}`, {
    initialDelayMs: 500,
    random: () => 0.5,
    ...options,
  });
  streams.push(stream);
  return stream;
}

/** Routes by path, for tests that hold several streams at once in any order. */
function byPath(routes: Record<string, Responder>): Responder {
  return (req, res) => {
    const route = routes[req.url];
    if (route) route(req, res);
    else res.writeHead(404).end();
  };
}

describe('the idle watchdog over fetch (Node)', () => {
  it('learns the keep-alive from the first line and reconnects after 1.5 intervals of silence, saying why', async () => {
    server.script(
      stayOpen(advertise(1000), 'retry: 500\n\n', frame({ n: 1 }, { id: 'w1' })), // then silence
      stayOpen(advertise(1000), frame({ n: 2 }, { id: 'w2' })),
    );
    const start = server.requests.length;
    const stream = open('/sse/silent');
    const rec = record(stream);
    await waitFor(() => rec.data.length === 1, 5000, 'the first event');
    const lastByteAt = performance.now(); // no later than the last byte, within a poll
    // 1.5 × 1000 ms of silence, then the reconnect after 500 ms: well within 2 × 1000 + slack.
    await waitFor(() => rec.data.length === 2, 2500, 'the event after the watchdog fired');
    const [reconnect] = rec.reconnects;
    expect(reconnect?.error.code).toBe('SSE_IDLE_TIMEOUT');
    expect(reconnect?.error.fatal).toBe(false);
    expect(reconnect?.error.message).toMatch(
      /Nothing arrived from .* for 15\d\d ms, though the server advertised a heartbeat at least every 1000 ms \(sse-keep-alive\), and the client waits 1500 ms/,
    );
    // Never before the timeout (the clock starts at the last byte, which came before our poll).
    expect(reconnect!.at - lastByteAt).toBeGreaterThanOrEqual(1500 - 20);
    expect(reconnect!.at - lastByteAt).toBeLessThan(1800);
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_IDLE_TIMEOUT']);
    expect(rec.states).toEqual(['open', 'connecting', 'open']);
    expect(server.requests.slice(start)[1]?.headers['last-event-id']).toBe('w1');
  });

  it('once learned, also bounds the wait for response headers (a frozen process accepts but never answers)', async () => {
    const held: ServerResponse[] = [];
    server.script(
      stayOpen(advertise(1000), frame({ n: 1 }, { id: 'h1' })),
      (_req, res) => void held.push(res), // accepted, never answered
      stayOpen(advertise(1000), frame({ n: 2 }, { id: 'h2' })),
    );
    const stream = open('/sse/frozen-at-connect');
    const rec = record(stream);
    await waitFor(() => rec.data.length === 2, 7000, 'the event after two watchdog timeouts');
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_IDLE_TIMEOUT', 'SSE_IDLE_TIMEOUT']);
    expect(rec.errors[1]?.message).toMatch(/^No response from .* after 15\d\d ms/);
    expect(rec.states).toEqual(['open', 'connecting', 'open']);
    // A failure before any answer counts toward the backoff: 500, then the window [500, 1000).
    expect(rec.reconnects.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 500],
      [2, 750],
    ]);
    for (const res of held) res.destroy();
  });

  it('a fixed idleTimeoutMs guards a server that advertises nothing', async () => {
    server.script(stayOpen(frame({ n: 1 })), stayOpen(frame({ n: 2 })));
    const stream = open('/sse/plain-fixed', { idleTimeoutMs: 1000 });
    const rec = record(stream);
    await waitFor(() => rec.data.length === 2, 3000, 'the event after the fixed timeout');
    expect(rec.errors.map((e) => e.code)).toEqual(['SSE_IDLE_TIMEOUT']);
    expect(rec.errors[0]?.message).toMatch(/for 1\d\d\d ms, though idleTimeoutMs is 1000/);
  });

  it('no watchdog for a plain spec server that advertises nothing, nor with idleTimeoutMs: 0; a late event still arrives', async () => {
    const quiet: Record<string, ServerResponse> = {};
    const keep =
      (name: string, ...frames: string[]): Responder =>
      (_req, res) => {
        quiet[name] = res;
        openStream(res, ...frames);
      };
    server.script(
      byPath({
        // The control: an advertising server gone silent, whose watchdog fires after 1500 ms.
        '/sse/control': keep('control', advertise(1000), frame({ n: 1 })),
        '/sse/plain': keep('plain', frame({ n: 1 }, { id: 'p1' })),
        '/sse/off': keep('off', advertise(1000), frame({ n: 1 }, { id: 'o1' })),
      }),
    );
    const start = server.requests.length;
    const control = record(open('/sse/control'));
    const plainStream = open('/sse/plain');
    const plain = record(plainStream);
    const offStream = open('/sse/off', { idleTimeoutMs: 0 });
    const off = record(offStream);
    await waitFor(
      () => control.reconnects.length === 1,
      3000,
      'the control stream to be reconnected by its watchdog',
    );
    expect(control.reconnects[0]?.error.code).toBe('SSE_IDLE_TIMEOUT');
    // The same silence, longer than the control's timeout, changed nothing for the other two.
    for (const [rec, stream] of [
      [plain, plainStream],
      [off, offStream],
    ] as const) {
      expect(rec.errors).toEqual([]);
      expect(rec.reconnects).toEqual([]);
      expect(stream.state).toBe('open');
    }
    quiet.plain?.write(frame({ n: 2 }, { id: 'p2' }));
    quiet.off?.write(frame({ n: 2 }, { id: 'o2' }));
    await waitFor(
      () => plain.data.length === 2 && off.data.length === 2,
      2000,
      'the late events on the same connections',
    );
    const paths = server.requests.slice(start).map((r) => r.url);
    expect(paths.filter((p) => p !== '/sse/control').sort()).toEqual(['/sse/off', '/sse/plain']);
  });
});

describe('the idle watchdog against the real hub', () => {
  let hub: Hub;
  let hubUrl: string;
  const hubServer = createServer((req, res) => void hub.handle(req, res, { user: 'u' }));

  beforeAll(async () => {
    // 400 ms heartbeats: the learned timeout is raised to its floor, 1000 ms.
    hub = createHub({ keepAliveMs: 400, retryMs: 500 });
    await hub.ready();
    await new Promise<void>((resolve) => hubServer.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(hubServer.address() as AddressInfo).port}/events`;
  });
  afterAll(async () => {
    await hub.shutdown({ announce: false, graceMs: 100 });
    hubServer.closeAllConnections();
    await new Promise((resolve) => hubServer.close(resolve));
  });

  it('heartbeat comments keep a quiet stream alive: no false alarm over several timeouts', async () => {
    const stream = createEventStream<Events>(hubUrl, { random: () => 0.5 });
    streams.push(stream);
    const rec = record(stream);
    await waitFor(() => stream.state === 'open', 3000, 'the stream to open');
    // A raw reader on the same hub counts the heartbeats the client also received.
    const reader = await SseReader.open(hubUrl);
    try {
      // The advertisement and 6 heartbeats: about 2.4 s, more than twice the 1000 ms timeout.
      await waitFor(() => reader.comments >= 7, 5000, 'six heartbeats');
    } finally {
      reader.close();
    }
    expect(rec.errors).toEqual([]);
    expect(rec.reconnects).toEqual([]);
    await hub.publish({ event: 'message', data: { n: 1 } });
    await waitFor(() => rec.data.length === 1, 2000, 'a message on the same connection');
    expect(rec.states).toEqual(['open']);
  });
});

describe('a hub process frozen with SIGSTOP, behind a proxy stand-in', () => {
  // Heartbeat interval of both instances: the promise is "live again elsewhere within 2 × this".
  const KEEP_ALIVE_MS = 3000;
  const CLIENTS = 20;
  let frozen: HubProcess | undefined;
  let healthy: HubProcess | undefined;
  let proxy: ProxyStandIn | undefined;

  afterAll(async () => {
    await Promise.all([frozen?.kill(), healthy?.kill()]);
    await proxy?.close();
  });

  it(`its ${CLIENTS} clients are live again on another instance within 2 × keepAliveMs`, async () => {
    // retry: 500 makes every first reconnect wait the floor, whatever the draw.
    [frozen, healthy] = await Promise.all([
      startHubProcess(KEEP_ALIVE_MS, 500),
      startHubProcess(KEEP_ALIVE_MS, 500),
    ]);
    proxy = await startProxy();
    proxy.forwardTo(frozen.port);
    const clients = Array.from({ length: CLIENTS }, () => {
      const stream = createEventStream<{ message: { text: string } }>(`${proxy!.url}/events`);
      streams.push(stream);
      const seen: string[] = [];
      const opens: number[] = [];
      stream.on('message', ({ text }) => seen.push(text));
      stream.on('state', (state) => state === 'open' && opens.push(performance.now()));
      return { stream, seen, opens, rec: record(stream, []) };
    });
    await waitFor(
      () => clients.every((c) => c.stream.state === 'open'),
      10_000,
      'every client to open',
    );
    await frozen.publish('before');
    await waitFor(
      () => clients.every((c) => c.seen.includes('before')),
      5000,
      'every client to receive the message before the freeze',
    );

    // The freeze: the kernel keeps the connections open, the process writes nothing. A
    // balancer's health check takes the instance out; the clients have to notice themselves.
    frozen.child.kill('SIGSTOP');
    const stoppedAt = performance.now();
    proxy.forwardTo(healthy.port);
    const reopened = () => clients.map((c) => c.opens.find((at) => at > stoppedAt));
    await waitFor(
      () => reopened().every((at) => at !== undefined),
      2 * KEEP_ALIVE_MS,
      `every client to be open again within 2 × ${KEEP_ALIVE_MS} ms of the SIGSTOP`,
    ).catch((error: unknown) => {
      const away = reopened().filter((at) => at === undefined).length;
      throw new Error(`${away} of ${CLIENTS} clients still wait on the frozen instance`, {
        cause: error,
      });
    });
    const resumeMs = reopened().map((at) => at! - stoppedAt);
    console.log(
      `SIGSTOP, keepAliveMs ${KEEP_ALIVE_MS}: ${CLIENTS} clients live again after ` +
        `${Math.round(Math.min(...resumeMs))}–${Math.round(Math.max(...resumeMs))} ms`,
    );
    for (const c of clients) {
      expect(c.rec.errors.map((e) => e.code)).toEqual(['SSE_IDLE_TIMEOUT']);
    }
    await healthy.publish('after');
    await waitFor(
      () => clients.every((c) => c.seen.includes('after')),
      5000,
      'every client to receive a message from the healthy instance',
    );
  });
});
