import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseReader, waitFor } from '@sse/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/app.js';
import { login, startTestServer } from './helpers.js';

// The issue this answers: a POST in flight when an instance dies gets a 502 from the proxy
// although the message is already on the bus; the page retries, and without a key the
// message appears twice with two ids. Two instances on the shared Redis (a channel of their
// own, its keys deleted afterwards), in this process.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const channel = `chat-idem-${randomBytes(4).toString('hex')}`;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const keys = await redis.keys(`sse:{${channel}}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function instance(id: string): Promise<ChatServer> {
  const server = await startTestServer({
    BUS: 'redis',
    REDIS_URL,
    CHAT_CHANNEL: channel,
    INSTANCE_ID: id,
  });
  cleanups.push(() => server.close());
  return server;
}

async function stream(base: string, room: string, cookie: string, lastEventId?: string) {
  const reader = await SseReader.open(`${base}/events?room=${room}`, {
    cookie,
    ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
  });
  cleanups.push(() => reader.close());
  return reader;
}

const texts = (reader: SseReader): string[] =>
  reader.named('message').map((e) => (JSON.parse(e.data) as { text: string }).text);

/**
 * A proxy in front of one instance whose upstream answers never arrive: it passes the POST
 * on, waits until the instance has answered, and replies 502, as nginx does when the
 * instance's connection breaks before the response is through.
 */
async function answerLosingProxy(upstream: string): Promise<{ url: string; forwarded: number }> {
  const state = { url: '', forwarded: 0 };
  const server = http.createServer((req, res) => {
    const forward = http.request(`${upstream}${req.url}`, {
      method: req.method,
      headers: req.headers,
    });
    forward.on('response', (answer) => {
      answer.resume();
      answer.on('end', () => {
        state.forwarded++;
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      });
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

async function post(base: string, room: string, text: string, cookie: string, key?: string) {
  const response = await fetch(`${base}/rooms/${room}/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify({ text }),
  });
  const body = await response.text();
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed'),
    json: (body.startsWith('{') ? JSON.parse(body) : {}) as { id?: string; messageId?: string },
  };
}

describe('POST /rooms/:room/messages with an Idempotency-Key, two instances on Redis', () => {
  it('a post whose answer was lost (502) and that is retried on the other instance is one message with one id, live, on join and on resume', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const cookie = await login(a.url, 'ivy');
    const room = 'retry';
    const onA = await stream(a.url, room, cookie);
    const onB = await stream(b.url, room, cookie);
    for (const reader of [onA, onB])
      await waitFor(() => reader.named('presence').length > 0, 10_000, 'the stream to be live');
    const before = onB.lastEventId;

    const proxy = await answerLosingProxy(a.url);
    const key = randomUUID();
    const lost = await post(proxy.url, room, 'hello', cookie, key);
    expect(lost.status).toBe(502);
    expect(proxy.forwarded).toBe(1);
    // The instance that published it dies before anyone learns the outcome.
    await a.close();

    // The page retries on the instance that is left, with the same key, at once.
    const retry = await post(b.url, room, 'hello', cookie, key);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    await waitFor(() => texts(onB).length === 1, 10_000, 'the message on B');
    const [delivered] = onB.named('message');
    expect(retry.json.id).toBe(delivered!.id);
    expect(retry.json.messageId).toBe((JSON.parse(delivered!.data) as { id: string }).id);
    // Retrying again changes nothing.
    expect((await post(b.url, room, 'hello', cookie, key)).json).toEqual(retry.json);

    const marker = await post(b.url, room, 'marker', cookie);
    expect(marker.status).toBe(201);
    expect(marker.replayed).toBeNull();
    await waitFor(() => texts(onB).length === 2, 10_000, 'the marker on B');
    expect(texts(onB)).toEqual(['hello', 'marker']);
    // The stream on A saw it live before A died, once.
    expect(texts(onA)).toEqual(['hello']);

    // A page that joins (history on join) on the instance that is left, and pages that
    // resume from before the message there and on a fresh instance (which replays from
    // Redis): once each. (A fresh instance has no history on join: it knows no anchors yet.)
    const c = await instance('c');
    const readers = [
      await stream(b.url, room, cookie),
      await stream(b.url, room, cookie, before),
      await stream(c.url, room, cookie, before),
    ];
    for (const reader of readers) {
      await waitFor(() => texts(reader).length >= 2, 10_000, 'history on join, or the replay');
      expect(texts(reader)).toEqual(['hello', 'marker']);
      expect(reader.named('message')[0]!.id).toBe(retry.json.id);
    }
    expect(c.hub.stats().replay.historyReads).toBeGreaterThan(0);
  });

  it('keys are per user, and a malformed key is refused with 400', async () => {
    const a = await instance('d');
    const [ann, bob] = [await login(a.url, 'ann'), await login(a.url, 'bob')];
    const key = randomUUID();
    const fromAnn = await post(a.url, 'keys', 'from ann', ann, key);
    const fromBob = await post(a.url, 'keys', 'from bob', bob, key);
    expect([fromAnn.status, fromBob.status]).toEqual([201, 201]);
    expect(fromBob.replayed).toBeNull();
    expect(fromBob.json.id).not.toBe(fromAnn.json.id);
    for (const bad of ['', 'x'.repeat(65), 'two words', 'ümlaut'])
      expect((await post(a.url, 'keys', 'hi', ann, bad || ' ')).status).toBe(400);
  });
});
