import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../bus/bus.js';
import { createHub, type Hub } from '../hub/hub.js';
import type { Target } from '../hub/target.js';
import { SseReader } from './sse-reader.js';
import { waitFor } from './wait-for.js';

/** One app instance: a hub on its own bus member, behind a real node:http server. */
export interface Instance {
  readonly hub: Hub;
  /** `http://127.0.0.1:<port>/events`; `?user=` and `?room=` name the stream's identity. */
  readonly url: string;
  /** What the hub reported as `error` events. */
  readonly errors: Error[];
  close(): Promise<void>;
}

/** Who a test stream is: its user and its one room, both optional. */
export interface Identity {
  readonly user?: string;
  readonly room?: string;
}

/** A `msg` event as a test client read it: its id and its decoded data. */
export interface Received {
  readonly id: string;
  readonly data: string;
}

/** The `msg` events `reader` has read so far. */
export const messages = (reader: SseReader): Received[] =>
  reader.named('msg').map((e) => ({ id: e.id, data: JSON.parse(e.data) as string }));

async function startInstance(bus: Bus, windowEntries: number): Promise<Instance> {
  const hub = createHub({ bus, replay: { maxEntries: windowEntries } });
  const errors: Error[] = [];
  hub.on('error', (error) => errors.push(error));
  const server = http.createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    void hub.handle(req, res, {
      user: params.get('user') ?? undefined,
      rooms: params.getAll('room'),
    });
  });
  const close = async (): Promise<void> => {
    await hub.shutdown({ announce: false, graceMs: 100 });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  try {
    await hub.ready();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (error) {
    await close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return { hub, url: `http://127.0.0.1:${port}/events`, errors, close };
}

/**
 * Two instances of one app on one channel (A and B), the streams the cases open on them, and
 * the helpers the scale-out cases share. Every wait has a deadline of half a case's.
 */
export class ScaleOutFixture {
  private instances: [Instance, Instance] | undefined;
  private readonly readers: SseReader[] = [];
  private readonly runId = randomBytes(3).toString('hex');
  private counter = 0;

  /** @param timeoutMs - a case's deadline. */
  constructor(private readonly timeoutMs: number) {}

  /** A name (room, user, channel) that no other case or run uses. */
  fresh(kind: string): string {
    return `${kind}-${this.runId}-${++this.counter}`;
  }

  /**
   * Starts A and B side by side (a broker's subscription, such as a Kafka group join, takes
   * seconds), A with the default window and B with `windowB` entries. What started is closed
   * by {@link ScaleOutFixture.close} even when the other failed.
   */
  async start(createBus: (channel: string) => Bus | Promise<Bus>, windowB: number): Promise<void> {
    const channel = this.fresh('scale');
    const start = async (windowEntries: number): Promise<Instance> =>
      startInstance(await createBus(channel), windowEntries);
    const [a, b] = await Promise.allSettled([start(1000), start(windowB)]);
    const started = [a, b].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (a.status === 'fulfilled' && b.status === 'fulfilled') this.instances = [a.value, b.value];
    else {
      await Promise.all(started.map((instance) => instance.close()));
      throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
    }
  }

  /** A and B. */
  get pair(): [Instance, Instance] {
    assert.ok(this.instances, 'the two instances did not start (see the beforeAll error)');
    return this.instances;
  }

  /** Opens a stream; without a Last-Event-ID, resolves once it is live (it got its position). */
  async open(on: Instance, identity: Identity, lastEventId?: string): Promise<SseReader> {
    const params = new URLSearchParams();
    if (identity.user) params.append('user', identity.user);
    if (identity.room) params.append('room', identity.room);
    const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
    const reader = await SseReader.open(`${on.url}?${params}`, headers);
    this.readers.push(reader);
    assert.equal(reader.status, 200, 'the stream was refused');
    if (!lastEventId)
      await waitFor(() => reader.positions.length > 0, this.timeoutMs / 2, 'the stream’s position');
    return reader;
  }

  /** Publishes a `msg` event from `from`; resolves with its id once the bus accepted it. */
  async send(from: Instance, to: Target, data: string): Promise<string> {
    return (await from.hub.publish({ to, event: 'msg', data })).id;
  }

  /** Waits until `reader` has read `count` `msg` events. */
  received(reader: SseReader, count: number, what: string): Promise<boolean> {
    return waitFor(
      () => messages(reader).length >= count,
      this.timeoutMs / 2,
      `${what} (has ${messages(reader).length} of ${count})`,
    );
  }

  /**
   * Publishes a broadcast and waits for it on every reader: the log is ordered, so nothing
   * published before it can still arrive, and what the readers got can be compared exactly.
   */
  async fence(from: Instance, ...on: SseReader[]): Promise<Received> {
    const data = this.fresh('fence');
    const id = await this.send(from, 'all', data);
    for (const reader of on)
      await waitFor(
        () => messages(reader).some((m) => m.id === id),
        this.timeoutMs / 2,
        `the fence ${data} on every stream`,
      );
    return { id, data };
  }

  /** Fails when either hub reported an error. */
  assertNoErrors(): void {
    const [a, b] = this.pair;
    assert.deepEqual(
      [...a.errors, ...b.errors].map((e) => e.message),
      [],
      'a hub reported errors',
    );
  }

  /** Closes the streams the last case opened. */
  closeReaders(): void {
    for (const reader of this.readers.splice(0)) reader.close();
  }

  /** Closes both instances (their hubs close their buses). */
  async close(): Promise<void> {
    this.closeReaders();
    await Promise.all(this.instances?.map((instance) => instance.close()) ?? []);
    this.instances = undefined;
  }
}
