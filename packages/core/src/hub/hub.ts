import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Bus } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory-bus.js';
import { isSseError, SseError, toError } from '../errors.js';
import { checkLastEventId, readLastEventId } from '../wire/last-event-id.js';
import { Admission, checkName } from './admission.js';
import { BusFeed } from './bus-feed.js';
import { CatchUp } from './catch-up.js';
import { createConnectionOwner } from './connection-owner.js';
import { Delivery } from './delivery.js';
import { GracefulShutdown, type ShutdownOptions } from './graceful-shutdown.js';
import { Heartbeat } from './heartbeat.js';
import type { ConnectOptions, PublishMessage, PublishReceipt } from './hub-api.js';
import type { HubEvents, SseConnection } from './hub-events.js';
import { type HubOptions, type ResolvedHubOptions, resolveHubOptions } from './hub-options.js';
import { HubReporter } from './hub-reporter.js';
import { HubCounters, type HubStats, snapshotStats } from './hub-stats.js';
import { type IdempotencyLedger, ledgerFor } from './idempotency-ledger.js';
import { Publisher } from './publisher.js';
import { Receipts } from './receipts.js';
import { Registry } from './registry.js';
import { ReplayWindow } from './replay-window.js';
import { type SseRequest, type SseResponse, writeRefusal } from './response-sink.js';
import { StreamOpener } from './stream-opener.js';

// Declaration merging gives `on`/`once`/`off`/`emit` typed signatures without a generic
// EventEmitter (whose typings differ across @types/node versions).
export interface Hub {
  on<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this;
  once<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this;
  off<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this;
  emit<K extends keyof HubEvents>(event: K, ...args: HubEvents[K]): boolean;
}

/**
 * The one object an application creates: it owns the registry of streams, the bus, the
 * replay window and the single heartbeat timer. See {@link createHub}.
 *
 * A facade over named parts, each owning its state: {@link Admission} (who may open a
 * stream), {@link CatchUp} (from a Last-Event-ID to live), {@link Delivery} (staging and the
 * one flush), {@link BusFeed} (bus to streams), {@link Publisher} (with the keys seen, its
 * {@link IdempotencyLedger}), {@link Receipts}, {@link Heartbeat} and {@link GracefulShutdown}.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: typed events, see the interface above.
export class Hub extends EventEmitter {
  /** This instance's name in stats. */
  readonly instanceId: string;
  /** The bus messages travel on. */
  readonly bus: Bus;
  private readonly options: ResolvedHubOptions;
  private readonly registry = new Registry();
  private readonly window: ReplayWindow;
  private readonly ledger: IdempotencyLedger;
  private readonly counters = new HubCounters();
  private readonly reporter = new HubReporter(this);
  private readonly admission: Admission;
  private readonly delivery: Delivery;
  private readonly catchUp: CatchUp;
  private readonly feed: BusFeed;
  private readonly receipts = new Receipts();
  private readonly heartbeat: Heartbeat;
  private readonly publisher: Publisher;
  private readonly graceful = new GracefulShutdown();
  private readonly opener: StreamOpener;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: HubOptions = {}) {
    super();
    this.options = resolveHubOptions(options);
    this.bus = options.bus ?? createMemoryBus();
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    this.window = new ReplayWindow(this.options.replay);
    this.ledger = ledgerFor(this.bus, this.options.idempotency);
    this.admission = new Admission(this.options, options);
    this.delivery = new Delivery(this.registry, this.options);
    const parts = {
      bus: this.bus,
      window: this.window,
      registry: this.registry,
      delivery: this.delivery,
      counters: this.counters,
      reporter: this.reporter,
      ledger: this.ledger,
    };
    this.catchUp = new CatchUp({ ...parts, replay: this.options.replay });
    this.feed = new BusFeed({ ...parts, catchUp: this.catchUp, receipts: this.receipts });
    this.heartbeat = new Heartbeat(this.registry, this.delivery, this.options);
    this.publisher = new Publisher({ ...parts, receipts: this.receipts }, this.options);
    const owner = createConnectionOwner({
      ...parts,
      limits: this.options,
      admission: this.admission,
      catchUp: this.catchUp,
      graceful: this.graceful,
    });
    this.opener = new StreamOpener({
      owner,
      registry: this.registry,
      admission: this.admission,
      retryMs: this.options.retryMs,
      keepAliveMs: this.options.keepAliveMs,
      extraHeaders: options.headers,
    });
  }

  /**
   * Starts the bus (once). `connect` and `publish` call it for you; await it at startup to
   * fail fast when the broker is unreachable.
   * @throws SseError `SSE_BUS_UNAVAILABLE` when the bus cannot start, `SSE_BUS_PROTOCOL`
   *   when it does not say where its log starts.
   */
  ready(): Promise<void> {
    if (this.stopping)
      return Promise.reject(new SseError('SSE_SHUTTING_DOWN', 'The hub was shut down.'));
    this.starting ??= this.feed.start().then(
      () => {
        if (!this.stopping) this.heartbeat.start();
      },
      (error: unknown) => {
        // A bus that could not start may be started again; one that broke its contract
        // was closed by the feed, and its next start fails the same way.
        this.starting = undefined;
        throw error;
      },
    );
    return this.starting;
  }

  /**
   * Turns an HTTP/1.1 or HTTP/2 response into a live stream: sends headers at once, the
   * `retry:` hint, any messages missed since the client's Last-Event-ID (or a reset
   * event), then live messages. Nothing is written when it rejects, so the caller can
   * answer with `error.status` (or use {@link Hub.handle}, which does).
   * @throws SseError `SSE_SHUTTING_DOWN`, `SSE_TOO_MANY_CONNECTIONS`, `SSE_FORBIDDEN`,
   *   `SSE_AUTHORIZE_FAILED`, `SSE_INVALID_FIELD` (bad user/room), `SSE_BUS_UNAVAILABLE`.
   */
  async connect(
    request: SseRequest,
    response: SseResponse,
    options: ConnectOptions = {},
  ): Promise<SseConnection> {
    const user = options.user;
    const rooms = [...new Set(options.rooms ?? [])];
    if (user !== undefined) checkName('user', user);
    for (const room of rooms) checkName('room', room);
    const client = this.admission.clientOf(request);
    this.admission.check(user, client);
    if (!(await this.admission.authorize({ request, user, rooms }))) {
      throw new SseError('SSE_FORBIDDEN', 'The authorize hook refused this stream.', {
        details: { user, rooms },
      });
    }
    await this.ready();
    this.admission.check(user, client);
    const lastEventId =
      options.lastEventId === undefined
        ? readLastEventId(request)
        : checkLastEventId(options.lastEventId);

    const connection = this.opener.open(response, { user, rooms, client });
    await this.catchUp.run(connection, lastEventId);
    if (!connection.isClosed) this.reporter.notify('connect', connection.handle);
    return connection.handle;
  }

  /**
   * Like {@link Hub.connect}, but never rejects: a refused stream is answered with the
   * error's HTTP status (401, 403, 429, 500, 503…) and a JSON body, and reported as an
   * `error` event. Resolves with the connection, or `undefined` when refused.
   */
  async handle(
    request: SseRequest,
    response: SseResponse,
    options: ConnectOptions = {},
  ): Promise<SseConnection | undefined> {
    try {
      return await this.connect(request, response, options);
    } catch (caught) {
      // Anything else is a bug on our side or the application's: a 500 that keeps its
      // message off the wire (the `error` event has it as the cause), never a broker outage.
      const error = isSseError(caught)
        ? caught
        : new SseError('SSE_INTERNAL', 'The server failed to open the stream.', { cause: caught });
      writeRefusal(response, error);
      this.reporter.error(error);
      return undefined;
    }
  }

  /**
   * Sends a message to every stream the target names, on every instance. The data is
   * serialized and checked here; the frame is encoded once per instance and the same bytes
   * are written to every recipient.
   * With an `idempotencyKey`, retries within the window are one message with one id.
   * @throws SseError `SSE_SERIALIZE_FAILED`, `SSE_PAYLOAD_TOO_LARGE`, `SSE_FRAME_INJECTION`
   *   (event name), `SSE_INVALID_TARGET`, `SSE_INVALID_FIELD` (idempotency key),
   *   `SSE_SHUTTING_DOWN`, `SSE_BUS_UNAVAILABLE`. Each is also an `error` event.
   * @example
   * ```ts
   * await hub.publish({ to: { room: 'lobby' }, data: { text: 'hi' }, idempotencyKey: uuid });
   * ```
   */
  async publish(message: PublishMessage): Promise<PublishReceipt> {
    try {
      if (this.stopping)
        throw new SseError('SSE_SHUTTING_DOWN', 'Cannot publish: the hub is shutting down.');
      const prepared = this.publisher.prepare(message);
      await this.ready();
      return await this.publisher.send(prepared);
    } catch (error) {
      this.counters.publishErrors++;
      const typed = isSseError(error)
        ? error
        : new SseError('SSE_BUS_UNAVAILABLE', toError(error).message, { cause: error });
      this.reporter.error(typed);
      throw typed;
    }
  }

  /** Stops accepting new streams (they get `SSE_SHUTTING_DOWN` / 503); open ones go on. */
  stopAccepting(): void {
    this.admission.stop();
  }

  /**
   * Graceful shutdown: stop accepting, announce with an `sse-shutdown` event and a jittered
   * `retry:` hint, wait (at most `graceMs`) for queues to drain, end every stream, stop the
   * heartbeat and close the bus. Idempotent: later calls return the same promise.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopping ??= this.runShutdown(options);
    return this.stopping;
  }

  /** A snapshot of counters and gauges. Cheap: O(1). */
  stats(): HubStats {
    return snapshotStats(this.counters, {
      instanceId: this.instanceId,
      connections: this.admission.streams.size,
      users: this.registry.byUser.size,
      rooms: this.registry.byRoom.size,
      windowEntries: this.window.size,
      windowBytes: this.window.byteSize,
      idempotencyKeys: this.ledger.size,
      busKind: this.bus.kind,
      busState: this.feed.state,
    });
  }

  /** Live streams of a room on this instance (local presence). */
  roomConnections(room: string): SseConnection[] {
    return [...(this.registry.byRoom.get(room) ?? [])].map((c) => c.handle);
  }

  /** Distinct users with a live stream in a room on this instance (local presence). */
  roomUsers(room: string): string[] {
    return this.registry.usersIn(room);
  }

  /** A live stream on this instance by id. */
  connection(id: string): SseConnection | undefined {
    return this.registry.byId.get(id)?.handle;
  }

  private async runShutdown(options: ShutdownOptions): Promise<void> {
    this.admission.stop();
    this.delivery.flushPending();
    await this.graceful.announceAndDrain(this.admission.streams, this.options.retryMs, options);
    for (const connection of [...this.admission.streams]) connection.close('shutdown');
    this.heartbeat.stop();
    this.receipts.close();
    await this.bus.close().catch((error: unknown) => this.reporter.error(toError(error)));
    this.feed.status('closed');
  }
}

/**
 * Creates a hub. With no options it runs on one process with the in-process bus.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createHub } from '@sse/core';
 *
 * const hub = createHub();
 * http.createServer((req, res) => {
 *   if (req.url?.startsWith('/events')) void hub.handle(req, res, { user: 'alice', rooms: ['lobby'] });
 *   else res.end();
 * }).listen(3000);
 * setInterval(() => void hub.publish({ to: { room: 'lobby' }, event: 'tick', data: Date.now() }), 1000);
 * ```
 */
export function createHub(options: HubOptions = {}): Hub {
  return new Hub(options);
}
