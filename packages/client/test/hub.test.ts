import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Hub } from '@sse/core';
import { createHub } from '@sse/core';
import { waitFor } from '@sse/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStream } from '../src/index.js';
import { createEventStream } from '../src/index.js';
import { record } from './helpers/record.js';

// End to end against the real hub from @sse/core: the id anchor for a fresh client, resume
// after a drop, and the reset event for an id the hub cannot place.

type Events = { message: { text: string } };

let hub: Hub;
let server: Server;
let url: string;
const sockets = new Set<Socket>();
const lastEventIds: (string | undefined)[] = [];
const streams: EventStream<Events>[] = [];

beforeAll(async () => {
  hub = createHub({ retryMs: 100, keepAliveMs: 10_000 });
  await hub.ready();
  server = createServer((req, res) => {
    lastEventIds.push(req.headers['last-event-id'] as string | undefined);
    void hub.handle(req, res, { user: 'alice', rooms: ['lobby'] });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  await hub?.shutdown({ graceMs: 100 });
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const say = (text: string) =>
  hub.publish({ to: { room: 'lobby' }, event: 'message', data: { text } });

function open(lastEventId?: string): EventStream<Events> {
  const stream = createEventStream<Events>(url, {
    random: () => 0.5,
    ...(lastEventId === undefined ? {} : { lastEventId }),
  });
  streams.push(stream);
  return stream;
}

describe('@sse/client against createHub + node:http', () => {
  it('anchors a fresh client with an id-only frame, then resumes after a drop without gaps or repeats', async () => {
    const before = await say('before the client'); // the hub has a head now
    const stream = open();
    const rec = record(stream);
    await waitFor(
      () => stream.lastEventId === before.id,
      5000,
      'the id-only anchor to set lastEventId',
    );
    expect(rec.data).toEqual([]); // the anchor dispatches nothing

    const first = await say('one');
    await waitFor(() => rec.data.length === 1, 5000, 'message one');
    const requestsBefore = lastEventIds.length;
    for (const socket of sockets) socket.destroy(); // the connection breaks
    await say('two'); // published while the client is away (or reconnecting)
    await waitFor(() => rec.data.length === 2, 5000, 'message two after the reconnect');
    await say('three');
    await waitFor(() => rec.data.length === 3, 5000, 'message three');

    expect(rec.data).toEqual([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
    expect(lastEventIds[requestsBefore]).toBe(first.id);
    expect(rec.resets).toEqual([]);
    expect(rec.states).toEqual(['open', 'connecting', 'open']);
  });

  it('surfaces the reset the hub sends for an id it cannot place, and moves to its head', async () => {
    const head = await say('head');
    const stream = open('0000dead-1'); // another epoch: continuity cannot be proven
    const rec = record(stream);
    await waitFor(() => rec.resets.length === 1, 5000, 'the sse-reset event');
    expect(rec.resets[0]).toMatch(/\S/);
    await waitFor(() => stream.lastEventId === head.id, 5000, 'lastEventId to move to the head');
    await say('after reset');
    await waitFor(() => rec.data.length === 1, 5000, 'the live message after the reset');
    expect(rec.data).toEqual([{ text: 'after reset' }]);
  });
});

describe('@sse/client and the hub ending a stream on purpose', () => {
  const latest = (): string => {
    const connections = hub.roomConnections('lobby');
    return connections[connections.length - 1]!.id;
  };

  it('surfaces sse-disconnect and comes back when the server allows it', async () => {
    const stream = open();
    const seen = record(stream);
    const disconnects: { reason: string; reconnect: boolean }[] = [];
    stream.on('disconnect', (info) => disconnects.push(info));
    await waitFor(() => stream.state === 'open', 5000, 'the stream to open');
    const opened = hub.stats().connections;
    await hub.control.disconnect({ connection: latest() }, { reason: 'moved' });
    await waitFor(() => disconnects.length === 1, 5000, 'the disconnect event');
    expect(disconnects).toEqual([{ reason: 'moved', reconnect: true }]);
    await waitFor(
      () => stream.state === 'open' && hub.stats().connections === opened,
      5000,
      'the stream to come back',
    );
    expect(seen.errors.map((e) => e.code)).not.toContain('SSE_DISCONNECTED');
    stream.close();
  });

  it('stops for good on sse-disconnect with reconnect: false', async () => {
    const stream = open();
    await waitFor(() => stream.state === 'open', 5000, 'the stream to open');
    await hub.control.disconnect(
      { connection: latest() },
      { reason: 'logged out', reconnect: false },
    );
    // 'closed' is final: no timer is left to reconnect (see #finish).
    await waitFor(() => stream.state === 'closed', 5000, 'the stream to close');
    expect(stream.error?.code).toBe('SSE_DISCONNECTED');
    expect(stream.error?.fatal).toBe(true);
    expect(stream.error?.message).toMatch(/logged out/);
  });
});
