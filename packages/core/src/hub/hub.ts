import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Bus } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory-bus.js';
import { isSseError, SseError, toError } from '../errors.js';
import type { ClusterControl } from './cluster-control.js';
import type { ShutdownOptions } from './graceful-shutdown.js';
import type { ConnectOptions, PublishMessage, PublishReceipt } from './hub-api.js';
import type { HubEvents, SseConnection } from './hub-events.js';
import { type HubOptions, type ResolvedHubOptions, resolveHubOptions } from './hub-options.js';
import { assembleHub, type HubParts } from './hub-parts.js';
import { type HubStats, snapshotStats } from './hub-stats.js';
import type { Presence } from './presence.js';
import { type SseRequest, type SseResponse, writeRefusal } from './response-sink.js';

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
  /** Disconnect, join and leave across every instance, ordered with the messages. */
  readonly control: ClusterControl;
  /**
   * Who is online per room on any instance (`users(room)`), when the hub keeps presence
   * (`createHub({ presence: true })`); `undefined` otherwise.
   */
  readonly presence: Pick<Presence, 'users'> | undefined;
  private readonly options: ResolvedHubOptions;
  /** The parts (see `assembleHub`): the hub only calls them. */
  private readonly p: HubParts;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: HubOptions = {}) {
    super();
    this.options = resolveHubOptions(options);
    this.bus = options.bus ?? createMemoryBus();
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    const identity = { emitter: this, bus: this.bus, instanceId: this.instanceId };
    this.p = assembleHub({ ...identity, ready: () => this.ready() }, options, this.options);
    this.control = this.p.control;
    this.presence = this.p.presence;
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
    this.starting ??= this.p.feed.start().then(
      () => {
        if (this.stopping) return;
        this.p.heartbeat.start();
        this.p.presence?.start();
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
    const admitted = await this.p.admission.admitRequest(
      request,
      options,
      () => this.ready(),
      (user) => this.p.local.isBanned(user),
    );
    const connection = this.p.opener.open(response, admitted);
    await this.p.catchUp.run(connection, admitted.lastEventId);
    if (!connection.isClosed) this.p.reporter.notify('connect', connection.handle);
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
      this.p.reporter.error(error);
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
      const prepared = this.p.publisher.prepare(message);
      await this.ready();
      return await this.p.publisher.send(prepared);
    } catch (error) {
      this.p.counters.publishErrors++;
      const typed = isSseError(error)
        ? error
        : new SseError('SSE_BUS_UNAVAILABLE', toError(error).message, { cause: error });
      this.p.reporter.error(typed);
      throw typed;
    }
  }

  /** Stops accepting new streams (they get `SSE_SHUTTING_DOWN` / 503); open ones go on. */
  stopAccepting(): void {
    this.p.admission.stop();
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
    return snapshotStats(this.p.counters, {
      instanceId: this.instanceId,
      connections: this.p.admission.streams.size,
      users: this.p.registry.byUser.size,
      rooms: this.p.registry.byRoom.size,
      windowEntries: this.p.window.size,
      windowBytes: this.p.window.byteSize,
      idempotencyKeys: this.p.ledger.size,
      busKind: this.bus.kind,
      busState: this.p.feed.state,
    });
  }

  /** Live streams of a room on this instance (local presence). */
  roomConnections(room: string): SseConnection[] {
    return [...(this.p.registry.byRoom.get(room) ?? [])].map((c) => c.handle);
  }

  /** Distinct users with a live stream in a room on this instance (local presence). */
  roomUsers(room: string): string[] {
    return this.p.registry.usersIn(room);
  }

  /** A live stream on this instance by id. */
  connection(id: string): SseConnection | undefined {
    return this.p.registry.byId.get(id)?.handle;
  }

  private async runShutdown(options: ShutdownOptions): Promise<void> {
    this.p.admission.stop();
    this.p.delivery.flushPending();
    await this.p.graceful.announceAndDrain(this.p.admission.streams, this.options.retryMs, options);
    for (const connection of [...this.p.admission.streams]) connection.close('shutdown');
    this.p.heartbeat.stop();
    await this.p.presence?.stop();
    this.p.receipts.close();
    await this.bus.close().catch((error: unknown) => this.p.reporter.error(toError(error)));
    this.p.feed.status('closed');
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
