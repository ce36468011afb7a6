import { freePort, startPrivateRedis } from '@sse/brokers';
import { SseReader, waitFor } from '@sse/core/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RoundRobinProxy, startProxy } from '../src/proxy.js';
import { launchBrowser, openAs, send, shownTexts, shownUsers } from './browser.js';
import { login, postJson } from './helpers.js';
import {
  assertRedis,
  deleteNatsStream,
  healthOnNewConnection,
  NATS_URL,
  REDIS_URL,
  runServerToExit,
  type ServerProcess,
  spawnServer,
  stopAll,
  stopProcess,
  uniqueChannel,
} from './processes.js';

const SECRET = 'scale-out-secret';
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await assertRedis();
});

afterAll(async () => {
  await stopAll();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function connections(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`);
  return ((await response.json()) as { connections: number }).connections;
}

describe('configuration refusals', () => {
  it('refuses WORKERS > 1 with BUS=memory, with a clear message', async () => {
    const { code, output } = await runServerToExit({ WORKERS: '2', BUS: 'memory' });
    expect(code).toBe(1);
    expect(output).toMatch(/WORKERS=2 with BUS=memory/);
    expect(output).toMatch(/Use BUS=redis/);
  });
});

describe('graceful shutdown', () => {
  it('announces sse-shutdown to open streams and exits 0 on SIGTERM', async () => {
    const server = await spawnServer({ BUS: 'memory', SESSION_SECRET: SECRET });
    const cookie = await login(server.url, 'gina');
    const reader = await SseReader.open(`${server.url}/events?room=bye`, { cookie });
    await waitFor(() => reader.named('presence').length > 0, 10_000, 'the stream to be live');
    const exited = new Promise<number | null>((resolve) =>
      server.child.once('exit', (code) => resolve(code)),
    );
    server.child.kill('SIGTERM');
    await waitFor(
      () => reader.named('sse-shutdown').length === 1,
      10_000,
      'the sse-shutdown event',
    );
    await waitFor(() => reader.ended, 10_000, 'the stream to end');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('SIGTERM, shutting down');
  });
});

describe('health with a real broker', () => {
  it('answers 200 on /healthz with Redis up and 503 once Redis is down', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const { channel } = uniqueChannel();
    const server = await spawnServer({
      BUS: 'redis',
      REDIS_URL: redis.url,
      CHAT_CHANNEL: channel,
      SESSION_SECRET: SECRET,
    });
    const health = async (): Promise<number> => (await fetch(`${server.url}/healthz`)).status;
    expect(await health()).toBe(200);
    const body = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
    expect(body.bus).toMatch(/redis/);
    await redis.kill();
    await waitFor(
      async () => (await health()) === 503,
      15_000,
      '/healthz to answer 503 with Redis down',
    );
    await stopProcess(server.child);
  });
});

describe('WORKERS=2 on one port with BUS=redis', () => {
  it('delivers every message to streams on every worker', async () => {
    const { channel, cleanup } = uniqueChannel();
    cleanups.push(cleanup);
    const port = await freePort();
    const primary = await spawnServer({
      BUS: 'redis',
      REDIS_URL,
      CHAT_CHANNEL: channel,
      SESSION_SECRET: SECRET,
      WORKERS: '2',
      PORT: String(port),
    });
    const url = primary.url;
    const cookie = await login(url, 'walter');
    const readers: SseReader[] = [];
    for (let i = 0; i < 4; i++)
      readers.push(await SseReader.open(`${url}/events?room=workers`, { cookie }));
    // Streams must be live before the post: wait for each stream's own presence event.
    await waitFor(
      () => readers.every((r) => r.named('presence').length > 0),
      10_000,
      'presence on every stream',
    );
    // The four connections were spread over both workers (the primary round-robins them).
    const perWorker = new Map<string, number>();
    await waitFor(
      async () => {
        const health = await healthOnNewConnection(url);
        perWorker.set(health.instance, health.connections);
        return perWorker.size >= 2 && [...perWorker.values()].every((n) => n > 0);
      },
      10_000,
      'streams on both workers',
    );
    const { status } = await postJson(
      `${url}/rooms/workers/messages`,
      { text: 'to every worker' },
      cookie,
    );
    expect(status).toBe(201);
    await waitFor(
      () =>
        readers.every((r) => r.named('message').some((e) => e.data.includes('to every worker'))),
      10_000,
      'the message on all four streams',
    );
    for (const reader of readers) reader.close();
  });
});

describe('two instances on NATS JetStream', () => {
  it('delivers a message posted on one instance to a stream on the other, with history', async () => {
    const channel = `chat_test_${Date.now().toString(36)}`;
    cleanups.push(() => deleteNatsStream(channel));
    const env = { BUS: 'nats', NATS_URL, CHAT_CHANNEL: channel, SESSION_SECRET: SECRET };
    const [first, second] = await Promise.all([
      spawnServer({ ...env, INSTANCE_ID: 'n1' }),
      spawnServer({ ...env, INSTANCE_ID: 'n2' }),
    ]);
    const cookie = await login(first.url, 'nora');
    expect(
      (await postJson(`${first.url}/rooms/nats/messages`, { text: 'earlier' }, cookie)).status,
    ).toBe(201);
    const health = (await (await fetch(`${second.url}/healthz`)).json()) as { bus: string };
    expect(health.bus).toMatch(/nats/);
    // The second instance saw the first message on the bus: a fresh stream gets it as history.
    const reader = await SseReader.open(`${second.url}/events?room=nats`, { cookie });
    await waitFor(() => reader.named('message').length === 1, 10_000, 'the history message');
    expect(
      (await postJson(`${first.url}/rooms/nats/messages`, { text: 'live' }, cookie)).status,
    ).toBe(201);
    await waitFor(() => reader.named('message').length === 2, 10_000, 'the live message');
    expect(reader.named('message').map((e) => JSON.parse(e.data).text)).toEqual([
      'earlier',
      'live',
    ]);
    reader.close();
    await Promise.all([stopProcess(first.child), stopProcess(second.child)]);
  });
});

describe('two instances on Redis behind the round-robin proxy', () => {
  let browser: Browser;
  let proxy: RoundRobinProxy;
  let one: ServerProcess;
  let two: ServerProcess;

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it('recovers a page on the other instance when its instance is killed, showing every message exactly once', async () => {
    const { channel, cleanup } = uniqueChannel();
    cleanups.push(cleanup);
    const env = { BUS: 'redis', REDIS_URL, CHAT_CHANNEL: channel, SESSION_SECRET: SECRET };
    [one, two] = await Promise.all([
      spawnServer({ ...env, INSTANCE_ID: 'one' }),
      spawnServer({ ...env, INSTANCE_ID: 'two' }),
    ]);
    proxy = await startProxy([one.url, two.url], 0);
    browser = await launchBrowser();

    // A goes through the proxy; B talks to whichever instance A's stream is not on.
    const a = await openAs(browser, proxy.url, 'anna');
    await waitFor(
      async () => (await connections(one.url)) + (await connections(two.url)) === 1,
      10_000,
      "A's stream",
    );
    const [aHome, other] = (await connections(one.url)) === 1 ? [one, two] : [two, one];
    const b = await openAs(browser, other.url, 'ben');
    await send(b.page, 'before the crash');
    await send(a.page, 'me too');
    for (const page of [a.page, b.page]) {
      await expect
        .poll(() => shownTexts(page), { timeout: 10_000 })
        .toEqual(['before the crash', 'me too']);
    }

    // Presence is merged across instances: each page lists both users.
    for (const page of [a.page, b.page]) {
      await expect.poll(() => shownUsers(page), { timeout: 10_000 }).toEqual(['anna', 'ben']);
    }

    // Kill A's instance outright (no graceful shutdown), then B keeps talking.
    await stopProcess(aHome.child, 'SIGKILL');
    const during = Array.from({ length: 5 }, (_, i) => `while A reconnects ${i + 1}`);
    for (const text of during) await send(b.page, text);

    const expected = ['before the crash', 'me too', ...during];
    await expect.poll(() => shownTexts(a.page), { timeout: 20_000 }).toEqual(expected);
    await expect
      .poll(() => a.page.getAttribute('#conn', 'data-state'), { timeout: 10_000 })
      .toBe('live');
    expect(await connections(other.url)).toBeGreaterThanOrEqual(2); // A now streams from B's instance
    // And A can still post (through the proxy, to the live instance).
    await send(a.page, 'back on the other instance');
    await expect
      .poll(async () => (await shownTexts(b.page)).at(-1), { timeout: 10_000 })
      .toBe('back on the other instance');
    const texts = await shownTexts(a.page);
    expect(new Set(texts).size).toBe(texts.length);
    expect(a.errors).toEqual([]);
  });
});
