import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Bus, BusEntry, BusStart, BusState } from '../bus/bus.js';
import { MAX_POSITION_LENGTH } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory-bus.js';
import { isSseError, SseError, toError } from '../errors.js';
import { assertSingleLine, encodeComment, encodeFrame } from '../wire/frame-encoder.js';
import {
  checkLastEventId,
  type LastEventIdResult,
  readLastEventId,
} from '../wire/last-event-id.js';
import { BroadcastRun } from './broadcast-run.js';
import {
  Connection,
  type ConnectionOwner,
  type DisconnectReason,
  type DropReason,
} from './connection.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import type { HubEvents, SseConnection } from './hub-events.js';
import { type HubOptions, type ResolvedHubOptions, resolveHubOptions } from './hub-options.js';
import { HubCounters, type HubStats } from './hub-stats.js';
import { KeyedCounts } from './keyed-counts.js';
import { addresses, Registry } from './registry.js';
import { ReplayWindow, type WindowEntry } from './replay-window.js';
import {
  isResponseGone,
  openResponseSink,
  type SseRequest,
  type SseResponse,
  writeRefusal,
} from './response-sink.js';
import { resolveTarget, type Target } from './target.js';

/** Event name of the frame that tells a client it may have missed messages. */
export const RESET_EVENT = 'sse-reset';
/**
 * Event name of the first frame of a fresh stream: it carries the stream's position as its
 * `id:` (and `{}` as data), so every client, including those that never surface an id-only
 * frame, can resume from it. Named, so `onmessage` never sees it.
 */
export const POSITION_EVENT = 'sse-position';
/** Event name of the frame announcing a graceful shutdown. */
export const SHUTDOWN_EVENT = 'sse-shutdown';

/** Per-stream options for {@link Hub.connect}. */
export interface ConnectOptions {
  /** The authenticated user; messages to `{ user }` reach all of their streams. */
  readonly user?: string | undefined;
  /** Rooms to join from the start. */
  readonly rooms?: readonly string[] | undefined;
  /**
   * The client's last event id. By default read from the `Last-Event-ID` header or the
   * `lastEventId` query parameter; `null` ignores what the client sent.
   */
  readonly lastEventId?: string | null | undefined;
}

/** A message for {@link Hub.publish}. */
export interface PublishMessage {
  /** Who gets it. @default 'all' */
  readonly to?: Target | undefined;
  /** Event name (no CR/LF). @default the client's `message` */
  readonly event?: string | undefined;
  /** Anything the serializer accepts (JSON by default). */
  readonly data: unknown;
}

/** What {@link Hub.publish} resolves with. */
export interface PublishReceipt {
  /** The bus position: the SSE `id:` every recipient sees, on every instance. */
  readonly id: string;
  /**
   * Streams on this instance that were sent the message; `undefined` if this instance
   * had not received its own message back from the bus within 5 s.
   */
  readonly localRecipients: number | undefined;
}

/** Options for {@link Hub.shutdown}. */
export interface ShutdownOptions {
  /** Send an `sse-shutdown` event with a `retry:` hint first. @default true */
  readonly announce?: boolean;
  /** How long to wait for queues to drain before closing. @default 5000 */
  readonly graceMs?: number;
  /** Reconnect hints are spread uniformly over this many ms to avoid a stampede. @default 3000 */
  readonly reconnectSpreadMs?: number;
}

const HEARTBEAT: Buffer = encodeComment();
const LOCAL_DELIVERY_TIMEOUT_MS = 5_000;
const RECENT_DELIVERIES = 256;

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
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: typed events, see the interface above.
export class Hub extends EventEmitter {
  /** This instance's name in stats. */
  readonly instanceId: string;
  /** The bus messages travel on. */
  readonly bus: Bus;
  private readonly options: ResolvedHubOptions;
  private readonly authorize: HubOptions['authorize'];
  private readonly clientKey: (request: SseRequest) => string;
  private readonly extraHeaders: Readonly<Record<string, string>> | undefined;
  private readonly registry = new Registry();
  private readonly window: ReplayWindow;
  private readonly counters = new HubCounters();
  private readonly openFrame: Buffer;
  /** Every open stream, including those still replaying. */
  private readonly open = new Map<Connection, SseConnection>();
  private readonly perUser = new KeyedCounts();
  private readonly perClient = new KeyedCounts();
  private readonly owner: ConnectionOwner;
  private busState: BusState = 'connecting';
  private starting: Promise<void> | undefined;
  private accepting = true;
  private stopping: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private dirty: Connection[] = [];
  private flushScheduled = false;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Frames of live entries since the last flush, indexed by the `seq` staged with them. */
  private tickFrames: Buffer[] = [];
  /** Frames for every live connection not yet staged on each (see BroadcastRun). */
  private readonly run = new BroadcastRun();
  /** Connections that still skip entries they got from history: broadcasts go one by one. */
  private skipping = 0;
  /** Counts flushes: `tickFrames` indexes are only meaningful within one period. */
  private period = 0;
  private readonly recent = new Map<string, number>();
  /** This instance's publishes the bus has not yet confirmed: their deliveries are kept. */
  private ownInFlight = 0;
  private readonly waiters = new Map<
    string,
    { resolve: (n: number | undefined) => void; deadline: number }
  >();
  private anchor: { position: string; frame: Buffer } | undefined;
  /** The last replay shared between streams resuming from the same id (see sharedReplay). */
  private replayCache: { cursor: string; head: string; frames: number; chunk: Buffer } | undefined;
  private onQueuesEmpty: (() => void) | undefined;
  /** One timer for every receipt's deadline, armed only while receipts wait. */
  private receiptTimer: NodeJS.Timeout | undefined;
  private warnedUnheard = false;

  constructor(options: HubOptions = {}) {
    super();
    this.options = resolveHubOptions(options);
    this.bus = options.bus ?? createMemoryBus();
    this.authorize = options.authorize;
    // Without a per-client limit nothing needs the key: skip it, because reading the
    // socket's remote address caches an object on every socket (memory per stream).
    this.clientKey =
      this.options.maxConnectionsPerClient === Number.POSITIVE_INFINITY
        ? () => ''
        : (options.clientKey ?? ((request) => request.socket?.remoteAddress ?? 'unknown'));
    this.extraHeaders = options.headers;
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    this.window = new ReplayWindow(this.options.replay);
    this.openFrame = encodeFrame({ retry: this.options.retryMs });
    this.owner = this.createOwner();
  }

  /**
   * Starts the bus (once). `connect` and `publish` call it for you; await it at startup to
   * fail fast when the broker is unreachable.
   * @throws SseError `SSE_BUS_UNAVAILABLE` when the bus cannot start.
   */
  ready(): Promise<void> {
    if (this.stopping)
      return Promise.reject(new SseError('SSE_SHUTTING_DOWN', 'The hub was shut down.'));
    this.starting ??= this.bus
      .start({
        entry: (entry) => this.onEntry(entry),
        status: (state, error) => this.onBusState(state, error),
        gap: (reason, resumeAt) => this.onGap(reason, resumeAt),
        error: (error) => this.reportError(error, undefined),
      })
      .then(
        (start: BusStart | undefined) => {
          try {
            this.window.setOrigin(this.checkStartPosition(start));
          } catch (error) {
            // A bus that breaks its contract stays unusable: close what it opened.
            this.bus.close().catch((closeError: unknown) => {
              this.reportError(toError(closeError), undefined);
            });
            throw error;
          }
          this.onBusState('ready', undefined);
          this.startHeartbeat();
        },
        (error: unknown) => {
          this.starting = undefined;
          throw isSseError(error)
            ? error
            : new SseError(
                'SSE_BUS_UNAVAILABLE',
                `The ${this.bus.kind} bus failed to start: ${toError(error).message}`,
                {
                  cause: error,
                },
              );
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
   *   `SSE_INVALID_FIELD` (bad user/room), `SSE_BUS_UNAVAILABLE`.
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
    const client = this.clientKey(request);
    this.checkAdmission(user, client);
    if (this.authorize && !(await this.runAuthorize({ request, user, rooms }))) {
      throw new SseError('SSE_FORBIDDEN', 'The authorize hook refused this stream.', {
        details: { user, rooms },
      });
    }
    await this.ready();
    this.checkAdmission(user, client);
    const lastEventId =
      options.lastEventId === undefined
        ? readLastEventId(request)
        : checkLastEventId(options.lastEventId);

    let connection: Connection | undefined;
    const sink = openResponseSink(
      request,
      response,
      { drain: () => connection?.onDrain(), close: () => connection?.close('client-closed') },
      this.extraHeaders,
    );
    connection = new Connection(randomUUID(), user, sink, this.owner);
    for (const room of rooms) connection.addRoom(room);
    const handle = this.createHandle(connection);
    this.open.set(connection, handle);
    if (user !== undefined) this.perUser.increment(user);
    connection.client = client;
    this.perClient.increment(client);
    connection.writeDirect(this.openFrame);
    if (isResponseGone(response)) connection.close('client-closed');
    await this.catchUp(connection, lastEventId);
    if (!connection.isClosed) this.notify('connect', handle);
    return handle;
  }

  /**
   * Runs the authorize hook. A hook that throws is an application bug, not a refusal nor a
   * broker outage: it becomes a 500 whose message says nothing of the hook's own error (that
   * may hold internal details), which travels as the `cause` to the `error` event only.
   */
  private async runAuthorize(
    context: Parameters<NonNullable<HubOptions['authorize']>>[0],
  ): Promise<boolean> {
    try {
      return await this.authorize!(context);
    } catch (error) {
      throw new SseError('SSE_AUTHORIZE_FAILED', 'The server could not authorize this stream.', {
        cause: error,
        details: { user: context.user, rooms: context.rooms },
      });
    }
  }

  /**
   * Like {@link Hub.connect}, but never rejects: a refused stream is answered with the
   * error's HTTP status (401, 403, 429, 503…) and a JSON body, and reported as an `error`
   * event. Resolves with the connection, or `undefined` when refused.
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
      this.reportError(error, undefined);
      return undefined;
    }
  }

  /**
   * Sends a message to every stream the target names, on every instance. The data is
   * serialized and checked here; the frame is encoded once per instance and the same bytes
   * are written to every recipient.
   * @throws SseError `SSE_SERIALIZE_FAILED`, `SSE_PAYLOAD_TOO_LARGE`, `SSE_FRAME_INJECTION`
   *   (event name), `SSE_INVALID_TARGET`, `SSE_SHUTTING_DOWN`, `SSE_BUS_UNAVAILABLE`.
   *   Each failure is also emitted as an `error` event; no stream is affected.
   * @example
   * ```ts
   * await hub.publish({ to: { room: 'lobby' }, event: 'message', data: { text: 'hi' } });
   * ```
   */
  async publish(message: PublishMessage): Promise<PublishReceipt> {
    try {
      if (this.stopping)
        throw new SseError('SSE_SHUTTING_DOWN', 'Cannot publish: the hub is shutting down.');
      if (typeof message !== 'object' || message === null) {
        throw new SseError('SSE_INVALID_FIELD', 'publish() takes an object { to?, event?, data }.');
      }
      const target = resolveTarget(message.to);
      if (message.event !== undefined) assertSingleLine('event', message.event);
      const data = this.serialize(message.data);
      await this.ready();
      let position: string;
      this.ownInFlight++;
      try {
        position = await this.bus.publish(encodeEnvelope({ target, event: message.event, data }));
      } catch (error) {
        this.ownInFlight--;
        if (isSseError(error)) throw error;
        throw new SseError(
          'SSE_BUS_UNAVAILABLE',
          `The ${this.bus.kind} bus did not accept the message: ${toError(error).message}`,
          {
            cause: error,
          },
        );
      }
      this.counters.published++;
      const delivered = this.localDelivery(position);
      this.ownInFlight--;
      return { id: position, localRecipients: await delivered };
    } catch (error) {
      this.counters.publishErrors++;
      const typed = isSseError(error)
        ? error
        : new SseError('SSE_BUS_UNAVAILABLE', toError(error).message, { cause: error });
      this.reportError(typed, undefined);
      throw typed;
    }
  }

  /** Stops accepting new streams (they get `SSE_SHUTTING_DOWN` / 503); open ones go on. */
  stopAccepting(): void {
    this.accepting = false;
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
    const c = this.counters;
    return {
      instanceId: this.instanceId,
      connections: this.open.size,
      users: this.registry.byUser.size,
      rooms: this.registry.byRoom.size,
      published: c.published,
      publishErrors: c.publishErrors,
      messagesIn: c.messagesIn,
      deliveries: c.deliveries,
      bytesOut: c.bytesOut,
      drops: { ...c.drops },
      disconnects: { ...c.disconnects },
      queueHighWater: { items: c.queueHighItems, bytes: c.queueHighBytes },
      replay: {
        windowEntries: this.window.size,
        windowBytes: this.window.byteSize,
        hits: c.replayHits,
        replayedFrames: c.replayedFrames,
        historyReads: c.historyReads,
        resets: c.resets,
      },
      bus: { kind: this.bus.kind, state: this.busState, outages: c.busOutages, gaps: c.busGaps },
    };
  }

  /** Live streams of a room on this instance (local presence). */
  roomConnections(room: string): SseConnection[] {
    return [...(this.registry.byRoom.get(room) ?? [])]
      .map((c) => this.open.get(c)!)
      .filter(Boolean);
  }

  /** Distinct users with a live stream in a room on this instance (local presence). */
  roomUsers(room: string): string[] {
    const users = new Set<string>();
    for (const c of this.registry.byRoom.get(room) ?? [])
      if (c.user !== undefined) users.add(c.user);
    return [...users];
  }

  /** A live stream on this instance by id. */
  connection(id: string): SseConnection | undefined {
    const c = this.registry.byId.get(id);
    return c ? this.open.get(c) : undefined;
  }

  // ---- bus side -------------------------------------------------------------------------

  private onEntry(entry: BusEntry): void {
    this.counters.messagesIn++;
    let frame: Buffer;
    let envelope: ReturnType<typeof decodeEnvelope>;
    try {
      if (typeof entry.position !== 'string' || entry.position.length > MAX_POSITION_LENGTH) {
        throw new SseError(
          'SSE_BUS_PROTOCOL',
          `The ${this.bus.kind} bus delivered an invalid position.`,
        );
      }
      envelope = decodeEnvelope(entry.payload);
      frame = encodeFrame({ event: envelope.event, data: envelope.data, id: entry.position });
    } catch (error) {
      this.reportError(toError(error), undefined);
      return;
    }
    const seq = this.tickFrames.push(frame) - 1;
    let recipients = 0;
    if (envelope.target.kind === 'all' && this.skipping === 0) {
      // The common case, O(1): every live connection gets it, at the flush.
      this.run.add(seq, frame.length);
      recipients = this.registry.byId.size;
      if (recipients > 0) this.scheduleFlush(this.run.bytes);
    } else
      for (const connection of this.registry.recipients(envelope.target)) {
        if (connection.skipThrough !== undefined && this.alreadySent(connection, entry.position))
          continue;
        this.stage(connection, frame, seq);
        recipients++;
      }
    this.window.append({
      position: entry.position,
      target: envelope.target,
      frame,
      at: Date.now(),
    });
    this.rememberDelivery(entry.position, recipients);
  }

  /** Whether a live entry was already replayed to `connection` from history. */
  private alreadySent(connection: Connection, position: string): boolean {
    const order = this.bus.comparePositions?.(position, connection.skipThrough!);
    if (order !== undefined && order <= 0) return true;
    // The log is ordered: once a newer entry arrives, nothing older will follow.
    this.stopSkipping(connection);
    return false;
  }

  /** The position `start()` resolved with, checked like every position a bus hands over. */
  private checkStartPosition(start: BusStart | undefined): string {
    const position = start?.position;
    if (!isPosition(position)) {
      throw new SseError(
        'SSE_BUS_PROTOCOL',
        `The ${this.bus.kind} bus's start() resolved with ${JSON.stringify(start)?.slice(0, 80)}; ` +
          `expected { position } (the log's position when the subscription began, at most ${MAX_POSITION_LENGTH} characters without CR, LF or NUL). ` +
          'Without it, a stream opened before the first message could not resume.',
      );
    }
    return position;
  }

  private onBusState(state: BusState, error: Error | undefined): void {
    const previous = this.busState;
    if (previous === state) return;
    this.busState = state;
    if (previous === 'ready' && state !== 'ready') this.counters.busOutages++;
    this.notify('bus', state, error);
  }

  private onGap(reason: string, resumeAt: string | undefined): void {
    this.counters.busGaps++;
    // Nothing may be replayed across the gap: a stream resuming from before it gets a reset.
    this.window.breakContinuity(isPosition(resumeAt) ? resumeAt : undefined);
    const frame = this.resetFrame(`bus-gap: ${reason}`);
    for (const connection of this.registry.byId.values()) {
      this.counters.resets++;
      this.stage(connection, frame, -1);
    }
    this.notify('reset', undefined, `bus-gap: ${reason}`);
  }

  // ---- replay ---------------------------------------------------------------------------

  /** Sends what the client missed (or a reset), then makes the stream live. Never throws. */
  private async catchUp(connection: Connection, lastEventId: LastEventIdResult): Promise<void> {
    if (lastEventId.kind === 'none') {
      this.stageAnchor(connection);
      this.goLive(connection);
      return;
    }
    if (lastEventId.kind === 'malformed') {
      this.reset(connection, `malformed-last-event-id: ${lastEventId.reason}`);
      this.goLive(connection);
      return;
    }
    let cursor = lastEventId.id;
    let replayed = 0;
    for (;;) {
      if (connection.isClosed) return;
      const fromWindow = this.window.after(cursor);
      if (fromWindow) {
        const shared = this.sharedReplay(cursor, fromWindow);
        if (shared) {
          this.stage(connection, shared.chunk, -1, shared.frames);
          replayed += shared.frames;
        } else {
          for (const entry of fromWindow) {
            if (addresses(entry.target, connection)) {
              this.stage(connection, entry.frame, -1);
              replayed++;
            }
          }
        }
        this.counters.replayHits++;
        this.counters.replayedFrames += replayed;
        this.goLive(connection);
        return;
      }
      const reason = await this.replayHistoryPage(connection, cursor);
      if (typeof reason === 'string') {
        this.reset(connection, reason);
        this.goLive(connection);
        return;
      }
      if (reason.entries === 0) {
        // The cursor is the broker's head: nothing more was missed. If this instance has
        // not received everything up to it yet, skip those entries when they arrive.
        if (!this.window.has(cursor)) {
          connection.skipThrough = cursor;
          this.skipping++;
        }
        this.counters.replayHits++;
        this.counters.replayedFrames += replayed;
        this.goLive(connection);
        return;
      }
      replayed += reason.replayed;
      cursor = reason.cursor;
      if (replayed > this.options.replay.maxReplayEntries) {
        this.reset(connection, 'too-far-behind');
        this.goLive(connection);
        return;
      }
    }
  }

  /**
   * The window's entries after `cursor` as one buffer, when they are all broadcasts (so the
   * same for every stream) and worth joining. Clients that reconnect together (a restart,
   * a network blip) resume from the same id: they share one buffer instead of each getting
   * a copy of what they missed.
   */
  private sharedReplay(
    cursor: string,
    entries: readonly WindowEntry[],
  ): { chunk: Buffer; frames: number } | undefined {
    if (entries.length < 2) return undefined;
    const head = entries[entries.length - 1]!.position;
    const cached = this.replayCache;
    if (cached?.cursor === cursor && cached.head === head && cached.frames === entries.length)
      return cached;
    for (const entry of entries) if (entry.target.kind !== 'all') return undefined;
    const chunk = Buffer.concat(entries.map((entry) => entry.frame));
    this.replayCache = { cursor, head, frames: entries.length, chunk };
    return this.replayCache;
  }

  /** Reads one page of bus history after `cursor`; returns a reset reason on failure. */
  private async replayHistoryPage(
    connection: Connection,
    cursor: string,
  ): Promise<string | { entries: number; replayed: number; cursor: string }> {
    if (!this.bus.retainsHistory || !this.bus.readAfter) return 'unknown-last-event-id';
    let result: Awaited<ReturnType<NonNullable<Bus['readAfter']>>>;
    try {
      this.counters.historyReads++;
      result = await this.bus.readAfter(cursor, this.options.replay.historyPageSize);
    } catch (error) {
      this.reportError(toError(error), this.open.get(connection));
      return 'history-unavailable';
    }
    if (!result.ok) return result.reason;
    let replayed = 0;
    let next = cursor;
    for (const entry of result.entries) {
      next = entry.position;
      try {
        const envelope = decodeEnvelope(entry.payload);
        if (!addresses(envelope.target, connection)) continue;
        this.stage(
          connection,
          encodeFrame({ event: envelope.event, data: envelope.data, id: entry.position }),
          -1,
        );
        replayed++;
      } catch (error) {
        this.reportError(toError(error), this.open.get(connection));
      }
    }
    return { entries: result.entries.length, replayed, cursor: next };
  }

  private stopSkipping(connection: Connection): void {
    if (connection.skipThrough === undefined) return;
    connection.skipThrough = undefined;
    this.skipping--;
  }

  private goLive(connection: Connection): void {
    if (connection.isClosed || connection.live) return;
    connection.live = true;
    // Frames of the current broadcast run before this point reached it through replay.
    connection.livePeriod = this.period;
    connection.liveFrom = this.tickFrames.length;
    this.registry.add(connection);
  }

  /**
   * Gives a fresh stream its position: a named event whose `id:` is the newest position, so
   * a reconnect resumes from there instead of missing what was sent in between. Not an
   * id-only frame: some clients (the `eventsource` package) never surface those.
   */
  private stageAnchor(connection: Connection): void {
    const position = this.window.position;
    if (position === undefined) return;
    if (this.anchor?.position !== position)
      this.anchor = {
        position,
        frame: encodeFrame({ event: POSITION_EVENT, data: '{}', id: position }),
      };
    this.stage(connection, this.anchor.frame, -1);
  }

  private reset(connection: Connection, reason: string): void {
    this.counters.resets++;
    this.stage(connection, this.resetFrame(reason), -1);
    this.notify('reset', this.open.get(connection), reason);
  }

  private resetFrame(reason: string): Buffer {
    // Carries the newest position as its id, so the client's next reconnect starts from a
    // known point. Never an empty id: that would clear the client's id, and its next
    // reconnect would lose silently. (The position is unknown only before the bus started,
    // when no stream is open.)
    return encodeFrame({
      event: RESET_EVENT,
      data: JSON.stringify({ reason }),
      id: this.window.position,
    });
  }

  // ---- writing --------------------------------------------------------------------------

  private stage(connection: Connection, frame: Buffer, seq: number, frames = 1): void {
    // Whatever is staged on a live connection goes after the broadcast frames before it.
    if (this.run.pending && connection.live) this.spreadRun();
    connection.stage(frame, seq, this.tickFrames, frames);
    this.markDirty(connection);
    this.scheduleFlush(connection.pendingBytes);
  }

  private markDirty(connection: Connection): void {
    if (!connection.dirty) {
      connection.dirty = true;
      this.dirty.push(connection);
    }
  }

  /** Hands the broadcast run to every live connection. */
  private spreadRun(): void {
    this.run.spread(this.registry.byId.values(), this.period, this.tickFrames, this.stageRun);
  }

  private readonly stageRun = (
    connection: Connection,
    from: number,
    to: number,
    bytes: number,
  ): void => {
    connection.stageRun(from, to, bytes, this.tickFrames);
    this.markDirty(connection);
  };

  /** Schedules the hub's flush; `pendingBytes` is what a socket now has waiting. */
  private scheduleFlush(pendingBytes: number): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One flush per event-loop turn for the whole hub: frames that reach a socket in the
      // same turn leave in one write, and no timer exists per connection. With a flush
      // window, frames gather across turns (one hub-wide timer) to save system calls when
      // messages arrive one per turn.
      if (this.options.flushWindowMs > 0)
        this.flushTimer = setTimeout(this.flush, this.options.flushWindowMs);
      else setImmediate(this.flush);
    } else if (this.flushTimer && pendingBytes >= this.options.flushBytes) {
      // A socket has enough for a full write: don't hold it for the rest of the window.
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.run.pending) this.spreadRun();
    const batch = this.dirty;
    const shared = this.tickFrames;
    this.dirty = [];
    this.tickFrames = [];
    this.period++;
    const now = Date.now();
    // Connections that got the same contiguous run of frames share one joined buffer. The
    // common case (a broadcast) is the same run as the previous connection: compare two
    // numbers, and only build a map key for the other runs.
    let joinedFirst = -1;
    let joinedLast = -1;
    let joined: Buffer | undefined;
    let cache: Map<string, Buffer> | undefined;
    for (const connection of batch) {
      let chunk: Buffer | undefined;
      if (connection.stagedCount > 1 && connection.contiguous) {
        if (connection.firstSeq === joinedFirst && connection.lastSeq === joinedLast)
          chunk = joined;
        else {
          const key = `${connection.firstSeq}:${connection.lastSeq}`;
          cache ??= new Map();
          chunk = cache.get(key);
          if (!chunk) {
            chunk = Buffer.concat(
              shared.slice(connection.firstSeq, connection.lastSeq + 1),
              connection.pendingBytes,
            );
            cache.set(key, chunk);
          }
          joinedFirst = connection.firstSeq;
          joinedLast = connection.lastSeq;
          joined = chunk;
        }
      }
      connection.flush(chunk, shared, now);
    }
  };

  private createOwner(): ConnectionOwner {
    const counters = this.counters;
    return {
      limits: this.options,
      wrote: (_connection, bytes, frames) => {
        counters.deliveries += frames;
        counters.bytesOut += bytes;
      },
      queued: (connection) => {
        if (connection.queuedItems > counters.queueHighItems)
          counters.queueHighItems = connection.queuedItems;
        if (connection.queuedBytes > counters.queueHighBytes)
          counters.queueHighBytes = connection.queuedBytes;
      },
      dropped: (connection, reason: DropReason, frames) => {
        counters.drops[reason] += frames;
        const handle = this.open.get(connection);
        if (handle) this.notify('drop', handle, reason, frames);
      },
      drained: (connection) => {
        if (connection.lostFrames > 0) {
          connection.lostFrames = 0;
          this.reset(connection, 'frames-dropped');
        }
        this.onQueuesEmpty?.();
      },
      ended: (connection, reason: DisconnectReason) => this.onEnded(connection, reason),
    };
  }

  private onEnded(connection: Connection, reason: DisconnectReason): void {
    const handle = this.open.get(connection);
    this.registry.remove(connection);
    this.stopSkipping(connection);
    if (!this.open.delete(connection)) return;
    if (connection.user !== undefined) this.perUser.decrement(connection.user);
    this.perClient.decrement(connection.client);
    this.counters.disconnects[reason]++;
    if (handle) this.notify('disconnect', handle, reason);
    this.onQueuesEmpty?.();
  }

  private createHandle(connection: Connection): SseConnection {
    return new ConnectionHandle(connection, this.registry);
  }

  // ---- timers, admission, errors ----------------------------------------------------------

  private startHeartbeat(): void {
    if (this.heartbeat || this.stopping) return;
    const half = Math.max(50, Math.floor(this.options.keepAliveMs / 2));
    // One timer for the whole hub: every tick, streams silent for half the keep-alive get a
    // comment, so no stream is ever silent for longer than keepAliveMs.
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const connection of this.registry.byId.values()) {
        if (connection.blockedSince > 0) connection.cutIfStalled(now, this.options.maxStallMs);
        else if (now - connection.lastWriteAt >= half && !connection.dirty && !this.run.pending) {
          this.stage(connection, HEARTBEAT, -1);
        }
      }
    }, half);
    this.heartbeat.unref();
  }

  private checkAdmission(user: string | undefined, client: string): void {
    if (!this.accepting || this.stopping) {
      throw new SseError(
        'SSE_SHUTTING_DOWN',
        'This instance is shutting down; reconnect to another one.',
      );
    }
    if (this.open.size >= this.options.maxConnections) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `This instance already holds ${this.open.size} streams (maxConnections).`,
      );
    }
    if (this.perClient.get(client) >= this.options.maxConnectionsPerClient) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `Client ${client} already has ${this.options.maxConnectionsPerClient} streams on this instance (maxConnectionsPerClient).`,
        { details: { client } },
      );
    }
    if (user !== undefined && this.perUser.get(user) >= this.options.maxConnectionsPerUser) {
      throw new SseError(
        'SSE_TOO_MANY_CONNECTIONS',
        `User already has ${this.options.maxConnectionsPerUser} streams on this instance (maxConnectionsPerUser); close one first.`,
        { details: { user } },
      );
    }
  }

  private serialize(data: unknown): string {
    let text: unknown;
    try {
      text = this.options.serializer(data);
    } catch (error) {
      throw new SseError(
        'SSE_SERIALIZE_FAILED',
        `The serializer threw: ${toError(error).message}`,
        { cause: error },
      );
    }
    if (typeof text !== 'string') {
      throw new SseError(
        'SSE_SERIALIZE_FAILED',
        `The serializer must return a string, got ${typeof text} (is data undefined?).`,
      );
    }
    // Cheap upper bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (text.length * 3 > this.options.maxPayloadBytes) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > this.options.maxPayloadBytes) {
        throw new SseError(
          'SSE_PAYLOAD_TOO_LARGE',
          `Payload is ${bytes} bytes, over maxPayloadBytes (${this.options.maxPayloadBytes}). Send a reference instead, or raise the limit.`,
          { details: { bytes, limit: this.options.maxPayloadBytes } },
        );
      }
    }
    return text;
  }

  private localDelivery(position: string): Promise<number | undefined> | number {
    const known = this.recent.get(position);
    if (known !== undefined) {
      this.recent.delete(position);
      return known;
    }
    return new Promise((resolve) => {
      this.waiters.set(position, { resolve, deadline: Date.now() + LOCAL_DELIVERY_TIMEOUT_MS });
      this.armReceiptTimer();
    });
  }

  /**
   * Arms the one receipt timer for the oldest waiting receipt. Receipts wait in insertion
   * order with one timeout, so the first one always expires first.
   */
  private armReceiptTimer(): void {
    if (this.receiptTimer || this.waiters.size === 0) return;
    const first = this.waiters.values().next().value!;
    this.receiptTimer = setTimeout(this.expireReceipts, Math.max(0, first.deadline - Date.now()));
    this.receiptTimer.unref();
  }

  private readonly expireReceipts = (): void => {
    this.receiptTimer = undefined;
    const now = Date.now();
    for (const [position, waiter] of this.waiters) {
      if (waiter.deadline > now) break;
      this.waiters.delete(position);
      waiter.resolve(undefined);
    }
    this.armReceiptTimer();
  };

  private rememberDelivery(position: string, recipients: number): void {
    const waiter = this.waiters.get(position);
    if (waiter) {
      this.waiters.delete(position);
      waiter.resolve(recipients);
      return;
    }
    this.recent.set(position, recipients);
    // Bounded, but never below what this instance's own publishes still wait for: a burst of
    // more than RECENT_DELIVERIES publishes in one turn must not lose its receipts.
    if (this.recent.size > RECENT_DELIVERIES + this.ownInFlight)
      this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * Emits a hub event to the application's listeners. A listener that throws is reported as
   * `SSE_LISTENER_FAILED` and changes nothing about what happened (a stream that opened stays
   * open and counted).
   */
  private notify<K extends Exclude<keyof HubEvents, 'error'>>(
    event: K,
    ...args: HubEvents[K]
  ): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.reportError(
        new SseError(
          'SSE_LISTENER_FAILED',
          `A "${event}" listener of the hub threw: ${toError(error).message}`,
          { cause: error },
        ),
        undefined,
      );
    }
  }

  private reportError(error: Error, connection: SseConnection | undefined): void {
    // An `error` event without a listener would throw from EventEmitter: never let a
    // reporting path crash the application. Without one, say so once, so errors do not
    // vanish without a trace.
    if (this.listenerCount('error') === 0) {
      if (!this.warnedUnheard) {
        this.warnedUnheard = true;
        process.emitWarning(
          `${error.message} (the hub has no 'error' listener: add hub.on('error', …) to see every error; this warning is shown once)`,
          { type: 'SseWarning', code: isSseError(error) ? error.code : 'SSE_ERROR' },
        );
      }
      return;
    }
    try {
      this.emit('error', error, connection);
    } catch (listenerError) {
      process.emitWarning(
        `An 'error' listener of the hub threw: ${toError(listenerError).message}`,
        { type: 'SseWarning', code: 'SSE_LISTENER_FAILED' },
      );
    }
  }

  private async runShutdown(options: ShutdownOptions): Promise<void> {
    this.accepting = false;
    const graceMs = options.graceMs ?? 5_000;
    const spread = options.reconnectSpreadMs ?? 3_000;
    if (this.flushScheduled) this.flush();
    if (options.announce ?? true) {
      for (const connection of this.open.keys()) {
        const retry = this.options.retryMs + Math.floor(Math.random() * spread);
        connection.writeDirect(
          encodeFrame({
            event: SHUTDOWN_EVENT,
            data: JSON.stringify({ reconnectInMs: retry }),
            retry,
          }),
        );
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, graceMs);
      const check = (): void => {
        for (const connection of this.open.keys()) if (connection.queuedItems > 0) return;
        done();
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.onQueuesEmpty = check;
      check();
    });
    this.onQueuesEmpty = undefined;
    for (const connection of [...this.open.keys()]) connection.close('shutdown');
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const waiter of this.waiters.values()) waiter.resolve(undefined);
    this.waiters.clear();
    clearTimeout(this.receiptTimer);
    this.receiptTimer = undefined;
    try {
      await this.bus.close();
    } catch (error) {
      this.reportError(toError(error), undefined);
    }
    this.onBusState('closed', undefined);
  }
}

/**
 * The public view of a connection. A class, not an object literal with getters and
 * closures: one exists per open stream, and the literal cost about 1.4 KiB more each.
 */
class ConnectionHandle implements SseConnection {
  readonly id: string;
  readonly user: string | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly registry: Registry,
  ) {
    this.id = connection.id;
    this.user = connection.user;
  }

  get rooms(): ReadonlySet<string> {
    return this.connection.rooms;
  }

  get closed(): boolean {
    return this.connection.isClosed;
  }

  join(room: string): void {
    checkName('room', room);
    this.registry.join(this.connection, room);
  }

  leave(room: string): void {
    this.registry.leave(this.connection, room);
  }

  close(): void {
    this.connection.close('closed-by-server');
  }
}

/** Whether `value` can be a position: a string of at most 256 characters, safe as an `id:`. */
function isPosition(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= MAX_POSITION_LENGTH && !/[\r\n\0]/.test(value)
  );
}

function checkName(kind: 'user' | 'room', value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new SseError(
      'SSE_INVALID_FIELD',
      `A ${kind} must be a non-empty string of at most 256 characters.`,
      {
        details: { [kind]: typeof value === 'string' ? value.slice(0, 64) : typeof value },
      },
    );
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
