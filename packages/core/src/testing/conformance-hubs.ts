import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, type Hub } from '../hub/hub.js';
import type { HubOptions } from '../hub/hub-options.js';
import type { SuiteContext } from './bus-conformance-context.js';
import { SseReader } from './sse-reader.js';
import { waitFor } from './wait-for.js';

/** One app instance in a conformance case: a hub on its own member of the channel. */
export interface HubInstance {
  readonly hub: Hub;
  /** `http://127.0.0.1:<port>/events`: a stream with no user and no room. */
  readonly url: string;
  /** What the hub reported as `error` events. */
  readonly errors: Error[];
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
  const hub = createHub({ ...options, bus: await context.createBus(channel) });
  const errors: Error[] = [];
  hub.on('error', (error) => errors.push(error));
  const server = http.createServer((req, res) => void hub.handle(req, res));
  context.defer(async () => {
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
 * Opens a stream on `instance` (closed after the case). Without a Last-Event-ID it resolves
 * once the stream is live (its `sse-position` event arrived).
 * @param context - the suite's context (deadlines, cleanups).
 * @param instance - where to open it.
 * @param lastEventId - the id to resume after, if any.
 * @returns the stream's reader.
 */
export async function openStream(
  context: SuiteContext,
  instance: HubInstance,
  lastEventId?: string,
): Promise<SseReader> {
  const reader = await SseReader.open(
    instance.url,
    lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
  );
  context.defer(async () => reader.close());
  if (lastEventId === undefined)
    await waitFor(
      () => reader.positions.length > 0,
      context.timeoutMs / 2,
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
  context: SuiteContext,
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
