import { SseReader, waitFor } from '@sse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/app.js';
import { login, postJson, startTestServer } from './helpers.js';

let server: ChatServer;
let base: string;
const readers: SseReader[] = [];

async function stream(
  room: string,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<SseReader> {
  const reader = await SseReader.open(`${base}/events?room=${encodeURIComponent(room)}`, {
    ...(cookie ? { cookie } : {}),
    ...headers,
  });
  readers.push(reader);
  return reader;
}

function messages(
  reader: SseReader,
): { id: string; room: string; user: string; text: string; ts: number }[] {
  return reader.named('message').map((e) => JSON.parse(e.data));
}

beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
});

afterAll(async () => {
  for (const reader of readers) reader.close();
  await server.close();
});

describe('POST /login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const { status, json, headers } = await postJson(`${base}/login`, { name: 'alice' });
    expect(status).toBe(200);
    expect(json.user).toBe('alice');
    const cookie = headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^chat_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'x'.repeat(33)],
    ['control character', 'ali\u0007ce'],
    ['newline', 'ali\nce'],
    ['not a string', 42],
  ])('refuses a %s name with 400', async (_label, name) => {
    const { status } = await postJson(`${base}/login`, { name });
    expect(status).toBe(400);
  });

  it('accepts exactly 32 characters', async () => {
    expect((await postJson(`${base}/login`, { name: 'y'.repeat(32) })).status).toBe(200);
  });

  it('answers 400 for malformed JSON and 415 for a non-JSON body', async () => {
    expect((await postJson(`${base}/login`, '{"name":')).status).toBe(400);
    const form = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=alice',
    });
    expect(form.status).toBe(415);
  });
});

describe('authentication', () => {
  it('answers 401 to a stream or a post without a session', async () => {
    const reader = await stream('lobby');
    expect(reader.status).toBe(401);
    const { status } = await postJson(`${base}/rooms/lobby/messages`, { text: 'hi' });
    expect(status).toBe(401);
  });

  it('rejects a tampered cookie', async () => {
    const cookie = await login(base, 'alice');
    const [name, value] = cookie.split('=') as [string, string];
    const [body, signature] = value.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ u: 'admin', exp: 9_999_999_999 })).toString(
      'base64url',
    );
    const variants = [
      `${name}=${forgedBody}.${signature}`, // changed payload, old signature
      `${name}=${body}.${signature.slice(0, -2)}AA`, // changed signature
      `${name}=${body}`, // no signature
    ];
    for (const forged of variants) {
      expect((await postJson(`${base}/rooms/lobby/messages`, { text: 'x' }, forged)).status).toBe(
        401,
      );
      expect((await fetch(`${base}/me`, { headers: { cookie: forged } })).status).toBe(401);
    }
    expect((await fetch(`${base}/me`, { headers: { cookie } })).status).toBe(200);
  });

  it('rejects a cookie signed with another secret', async () => {
    const other = await startTestServer({ SESSION_SECRET: 'another-secret' });
    try {
      const foreign = await login(other.url, 'mallory');
      expect((await postJson(`${base}/rooms/lobby/messages`, { text: 'x' }, foreign)).status).toBe(
        401,
      );
    } finally {
      await other.close();
    }
  });
});

describe('POST /rooms/:room/messages', () => {
  it('validates room names and text', async () => {
    const cookie = await login(base, 'bob');
    const post = (room: string, body: unknown) =>
      postJson(`${base}/rooms/${room}/messages`, body, cookie);
    expect((await post('lobby', { text: '' })).status).toBe(400);
    expect((await post('lobby', { text: '   ' })).status).toBe(400);
    expect((await post('lobby', {})).status).toBe(400);
    expect((await post('lobby', { text: 'x'.repeat(4001) })).status).toBe(400);
    expect((await post('Lobby', { text: 'hi' })).status).toBe(400);
    expect((await post('a'.repeat(65), { text: 'hi' })).status).toBe(400);
    expect((await post('bad%20room', { text: 'hi' })).status).toBe(400);
    expect((await post('ok_room-1', { text: 'x'.repeat(4000) })).status).toBe(201);
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const cookie = await login(base, 'bob');
    const { status } = await postJson(
      `${base}/rooms/lobby/messages`,
      { text: 'x'.repeat(17 * 1024) },
      cookie,
    );
    expect(status).toBe(413);
  });

  it('answers 400 for a stream of a bad room', async () => {
    const cookie = await login(base, 'bob');
    expect((await stream('NOPE', cookie)).status).toBe(400);
  });
});

describe('message round trip', () => {
  it('delivers a message to every stream of the room, with the author from the session', async () => {
    const alice = await login(base, 'alice');
    const bob = await login(base, 'bob');
    const a = await stream('trip', alice);
    const b = await stream('trip', bob);
    const elsewhere = await stream('other', bob);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toContain('text/event-stream');
    const { status, json } = await postJson(
      `${base}/rooms/trip/messages`,
      { text: 'hello <b>world</b>', user: 'mallory', room: 'elsewhere' },
      alice,
    );
    expect(status).toBe(201);
    expect(typeof json.id).toBe('string');
    for (const reader of [a, b]) {
      await waitFor(() => messages(reader).length === 1, 5000, 'the message on both streams');
      const [message] = messages(reader);
      expect(message).toMatchObject({ room: 'trip', user: 'alice', text: 'hello <b>world</b>' });
      expect(typeof message!.id).toBe('string');
      expect(typeof message!.ts).toBe('number');
      // The SSE id is the hub's publish id.
      expect(reader.named('message')[0]!.id).toBe(json.id);
    }
    expect(messages(elsewhere)).toHaveLength(0);
  });

  it('publishes presence on connect and disconnect', async () => {
    const carol = await login(base, 'carol');
    const dave = await login(base, 'dave');
    const c = await stream('presence-room', carol);
    await waitFor(
      () => c.named('presence').some((e) => JSON.parse(e.data).users.join() === 'carol'),
      5000,
      'carol alone',
    );
    const d = await stream('presence-room', dave);
    await waitFor(
      () => c.named('presence').some((e) => JSON.parse(e.data).users.join() === 'carol,dave'),
      5000,
      'carol and dave',
    );
    const presence = JSON.parse(c.named('presence').at(-1)!.data);
    expect(presence.room).toBe('presence-room');
    d.close();
    await waitFor(
      () => JSON.parse(c.named('presence').at(-1)!.data).users.join() === 'carol',
      5000,
      'dave to leave',
    );
  });

  it('replays the room history to a fresh stream, then goes live, and resumes after a Last-Event-ID', async () => {
    const erin = await login(base, 'erin');
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      ids.push(
        String((await postJson(`${base}/rooms/history/messages`, { text: `m${i}` }, erin)).json.id),
      );
    }
    // Unrelated traffic in another room must not show up.
    await postJson(`${base}/rooms/not-history/messages`, { text: 'noise' }, erin);
    const late = await stream('history', erin);
    await waitFor(() => messages(late).length === 3, 5000, 'three history messages');
    expect(messages(late).map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    expect(server.hub.stats().replay.hits).toBeGreaterThan(0);
    await postJson(`${base}/rooms/history/messages`, { text: 'm4' }, erin);
    await waitFor(() => messages(late).length === 4, 5000, 'the live message');
    // Resume from m2: exactly m3 and m4 follow, nothing twice.
    const resumed = await stream('history', erin, { 'last-event-id': ids[1]! });
    await waitFor(() => messages(resumed).length === 2, 5000, 'm3 and m4 after m2');
    expect(messages(resumed).map((m) => m.text)).toEqual(['m3', 'm4']);
  });
});

describe('operations', () => {
  it('GET /healthz reports status, bus kind and connections', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 'ok', bus: 'memory', busState: 'ready' });
    expect(typeof json.connections).toBe('number');
  });

  it('GET /metrics is Prometheus text with the hub gauges', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE sse_connections gauge');
    expect(text).toMatch(/^sse_connections\{[^}]*\} \d+$/m);
    expect(text).toMatch(/^sse_published_total\{[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^sse_bus_up\{[^}]*\} 1$/m);
    expect(text).toContain('sse_replay_window_entries');
    expect(text).toContain('sse_disconnects_total{reason="client-closed"');
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>SSE Chat</title>');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers 503 on /healthz once the hub is shut down', async () => {
    const other = await startTestServer();
    const url = other.url;
    const closing = other.close();
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    await closing;
    // Either the listener is already closed, or it answered 503: never a healthy 200.
    if (response) expect(response.status).toBe(503);
  });
});

describe('the page bundle', () => {
  it('serves @sse/client as a JavaScript module at /vendor/sse-client.js', async () => {
    const response = await fetch(`${base}/vendor/sse-client.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(await response.text()).toContain('createEventStream');
  });
});
