import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../bus/bus.js';
import { createHub, type Hub } from '../hub/hub.js';
import type { HubOptions } from '../hub/hub-options.js';
import type { SuiteContext } from './bus-conformance-context.js';
import { SseReader } from './sse-reader.js';
import { waitFor } from './wait-for.js';

/**
 * What the hub helpers need from the suite that uses them: a deadline, and a place for
 * cleanups (after the case in the Bus suite, after the suite for the scale-out fixture).
 */
export interface HubScope {
  /** Per-case deadline in ms; a wait takes half of it. */
  readonly timeoutMs: number;
  /** Runs `cleanup` later, newest first. */
  defer(cleanup: () => Promise<void>): void;
}

/** One app instance in a conformance case: a hub on its own member of the channel. */
export interface HubInstance {
  readonly hub: Hub;
  /** `http://127.0.0.1:<port>/events`; `?user=` and `?room=` name a stream's identity. */
  readonly url: string;
  /** What the hub reported as `error` events. */
  readonly errors: Error[];
}

/** Who a stream is: its user and its one room, both optional (none: a plain stream). */
export interface StreamIdentity {
  readonly user?: string;
  readonly room?: string;
}

/**
 * Starts a hub on `bus` behind a real `node:http` server on 127.0.0.1, port 0; `scope`
 * shuts it down (which closes the bus) and closes the server, also when it failed to start.
 * @param options - hub options (the bus is `bus`).
 * @returns the ready instance.
 */
export async function serveHub(
  scope: HubScope,
  bus: Bus,
  options: Omit<HubOptions, 'bus'> = {},
): Promise<HubInstance> {
  const hub = createHub({ ...options, bus });
  const errors: Error[] = [];
  hub.on('error', (error) => errors.push(error));
  const server = http.createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    void hub.handle(req, res, {
      user: params.get('user') ?? undefined,
      rooms: params.getAll('room'),
    });
  });
  scope.defer(async () => {
    await hub.shutdown({ announce: false, graceMs: 100 });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  await hub.ready();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { hub, url: `http://127.0.0.1:${port}/events`, errors };
}

/**
 * Starts a hub on a new member of `channel` behind a real `node:http` server; it is shut
 * down after the case.
 * @param context - the suite's context (its `createBus`, its cleanups).
 * @param channel - the channel the hub's bus joins.
 * @param options - hub options (the bus is the suite's).
 * @returns the ready instance.
 */
export async function startHubInstance(
  context: SuiteContext,
  channel: string,
  options: Omit<HubOptions, 'bus'> = {},
): Promise<HubInstance> {
  return serveHub(context, await context.createBus(channel), options);
}

/**
 * Opens a stream on `instance` (closed by `scope`). Without a Last-Event-ID it resolves
 * once the stream is live (its `sse-position` event arrived).
 * @param scope - deadlines and cleanups (the suite's context, or a fixture's).
 * @param instance - where to open it.
 * @param lastEventId - the id to resume after, if any.
 * @param identity - the stream's user and room. @default none
 * @returns the stream's reader.
 */
export async function openStream(
  scope: HubScope,
  instance: HubInstance,
  lastEventId?: string,
  identity: StreamIdentity = {},
): Promise<SseReader> {
  const params = new URLSearchParams();
  if (identity.user !== undefined) params.append('user', identity.user);
  if (identity.room !== undefined) params.append('room', identity.room);
  const search = params.toString();
  const url = search ? `${instance.url}?${search}` : instance.url;
  const reader = await SseReader.open(
    url,
    lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
  );
  scope.defer(async () => reader.close());
  assert.equal(reader.status, 200, `the stream on ${url} was refused`);
  if (lastEventId === undefined)
    await waitFor(
      () => reader.positions.length > 0,
      scope.timeoutMs / 2,
      'a fresh stream to be given its position',
    );
  return reader;
}

/** The `msg` events a stream read: their ids and data. */
export function messagesOf(reader: SseReader): { id: string; data: string }[] {
  return reader.named('msg').map((e) => ({ id: e.id, data: e.data }));
}

/**
 * Waits until `reader` read a `msg` event with `data`, within half a case's deadline.
 * @param what - the stream, for the timeout's message.
 * @throws Error naming the stream and what it read, when the deadline passes.
 */
export function readUntil(
  context: HubScope,
  reader: SseReader,
  data: string,
  what: string,
): Promise<boolean> {
  return waitFor(
    () => reader.named('msg').some((e) => e.data === data),
    context.timeoutMs / 2,
    `${what} to read ${data} (read ${JSON.stringify(messagesOf(reader).map((m) => m.data))})`,
  );
}
