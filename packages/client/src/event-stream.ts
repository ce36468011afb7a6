import type { SseClientError } from './errors.js';
import type { AnyHandler, HandlerRegistry } from './handler-registry.js';
import { createHandlerRegistry } from './handler-registry.js';
import type { ConnectionFailure } from './http-failure.js';
import { type HubEventSink, handleHubEvent } from './hub-events.js';
import { createIdStore, type IdStore } from './id-store.js';
import { withIdleWatchdog } from './idle-watchdog.js';
import type { MessageQueue } from './message-queue.js';
import { createMessageQueue } from './message-queue.js';
import {
  disconnected,
  parseFailed,
  requestRefused,
  retriesExhausted,
  toMessage,
} from './messages.js';
import type {
  EventHandler,
  EventMap,
  EventStreamOptions,
  LifecycleHandlers,
  StreamMessageOf,
  StreamState,
  TransportKind,
} from './options.js';
import type { ParsedEvent } from './parser/event-stream-parser.js';
import { DISCONNECT_EVENT, POSITION_EVENT, RESET_EVENT } from './protocol.js';
import type { RecentIds } from './recent-ids.js';
import { createRecentIds } from './recent-ids.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import { createReconnectPolicy } from './reconnect-policy.js';
import { resolveTransport } from './resolve-transport.js';
import type { Settings } from './settings.js';
import { resolveSettings } from './settings.js';
import type { GuardedTransport, TransportConnection } from './transports/transport.js';

/**
 * A typed Server-Sent Events stream; create one with {@link createEventStream}.
 * @typeParam Events - the data type of each server event name.
 */
export interface EventStream<Events extends EventMap = EventMap>
  extends AsyncIterable<StreamMessageOf<Events>> {
  /** The current state. */
  readonly state: StreamState;
  /** The last event ID received (`''` for none); sent on every reconnect. */
  readonly lastEventId: string;
  /** The fatal error that closed the stream, if one did. */
  readonly error: SseClientError | undefined;
  /** The transport in use. */
  readonly transport: TransportKind;
  /**
   * Subscribes to a lifecycle event (`state`, `error`, `reset`, `reconnecting`).
   * @returns a function that unsubscribes.
   */
  on<K extends keyof LifecycleHandlers>(type: K, handler: LifecycleHandlers[K]): () => void;
  /**
   * Subscribes to a server event; `data` is parsed (JSON by default).
   * @returns a function that unsubscribes.
   */
  on<K extends keyof Events & string>(type: K, handler: EventHandler<Events, K>): () => void;
  /** Unsubscribes a handler added with `on`. */
  off(type: string, handler: AnyHandler): void;
  /** Stops the stream for good: no reconnect, iterators finish. Idempotent. */
  close(): void;
}

class EventStreamImpl<Events extends EventMap> implements EventStream<Events> {
  readonly transport: TransportKind;
  #state: StreamState = 'connecting';
  #lastEventId: string;
  #error: SseClientError | undefined;
  readonly #url: string;
  readonly #settings: Settings;
  readonly #open: GuardedTransport;
  readonly #handlers: HandlerRegistry = createHandlerRegistry();
  readonly #queues = new Set<MessageQueue<StreamMessageOf<Events>>>();
  readonly #recent: RecentIds;
  readonly #ids: IdStore;
  #connection: TransportConnection | undefined;
  readonly #reconnect: ReconnectPolicy;
  #attemptSeq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string | URL, options: EventStreamOptions) {
    this.#url = String(url);
    this.#settings = resolveSettings(this.#url, options);
    this.#recent = createRecentIds(this.#settings.dedupeWindow);
    this.#ids = createIdStore(this.#settings, (error) => this.#emit('error', error));
    this.#reconnect = createReconnectPolicy(this.#settings);
    const { kind, transport } = resolveTransport(options, {
      eventTypes: () => [
        ...this.#settings.events,
        RESET_EVENT,
        POSITION_EVENT,
        DISCONNECT_EVENT,
        ...this.#handlers.serverTypes(),
      ],
      onNewEventType: (watcher) => this.#handlers.watchTypes(watcher),
    });
    this.transport = kind;
    this.#open = withIdleWatchdog(transport, {
      idleTimeoutMs: this.#settings.idleTimeoutMs,
      url: this.#url,
    });
    this.#lastEventId = options.lastEventId ?? this.#ids.read();
    const { signal } = options;
    if (signal?.aborted) {
      this.#state = 'closed';
      return;
    }
    signal?.addEventListener('abort', () => this.close(), { once: true });
    // Start on the next microtask so handlers attached right after creation see 'open'.
    queueMicrotask(() => {
      if (this.#state !== 'closed') this.#connect();
    });
  }

  get state(): StreamState {
    return this.#state;
  }
  get lastEventId(): string {
    return this.#lastEventId;
  }
  get error(): SseClientError | undefined {
    return this.#error;
  }

  on(type: string, handler: AnyHandler): () => void {
    this.#handlers.on(type, handler);
    return () => this.off(type, handler);
  }

  off(type: string, handler: AnyHandler): void {
    this.#handlers.off(type, handler);
  }

  close(): void {
    this.#finish(undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamMessageOf<Events>> {
    const queue = createMessageQueue<StreamMessageOf<Events>>(
      this.#settings.maxBufferedEvents,
      // Leaving a `for await` loop closes the stream, as it does for a ReadableStream.
      () => this.close(),
    );
    if (this.#state === 'closed') queue.end(this.#error);
    else this.#queues.add(queue);
    return queue;
  }

  #connect(): void {
    this.#timer = undefined;
    const attempt = ++this.#attemptSeq;
    const live = (): boolean => attempt === this.#attemptSeq && this.#state !== 'closed';
    try {
      this.#connection = this.#open(
        { url: this.#url, lastEventId: this.#lastEventId },
        {
          open: () => live() && this.#onOpen(),
          event: (event) => live() && this.#onEvent(event),
          lastEventId: (id) => live() && this.#setLastEventId(id),
          retry: (ms) => live() && this.#reconnect.retry(ms),
          fail: (failure) => live() && this.#onFail(failure),
        },
      );
    } catch (cause) {
      // The platform refused the request outright (e.g. EventSource with a malformed URL).
      const error = requestRefused(this.#url, cause);
      this.#emit('error', error);
      this.#finish(error);
    }
  }

  #onOpen(): void {
    // Not yet a success: only an event (or staying open) resets the backoff, see ReconnectPolicy.
    this.#reconnect.opened();
    this.#setState('open');
  }

  #onFail(failure: ConnectionFailure): void {
    this.#connection = undefined;
    const { error } = failure;
    this.#emit('error', error);
    if (this.#isClosed()) return; // an error handler closed the stream
    if (error.fatal) {
      this.#finish(error);
      return;
    }
    const plan = this.#reconnect.next(failure);
    if (plan === undefined) {
      const exhausted = retriesExhausted(this.#url, this.#reconnect.failures, error);
      this.#emit('error', exhausted);
      this.#finish(exhausted);
      return;
    }
    const { attempt, delayMs } = plan;
    this.#setState('connecting');
    if (this.#isClosed()) return; // a handler closed the stream
    this.#emit('reconnecting', { attempt, delayMs, error });
    if (this.#isClosed()) return;
    this.#timer = setTimeout(() => this.#connect(), delayMs);
  }

  #onEvent(event: ParsedEvent): void {
    if (handleHubEvent(event, this.#hubEvents)) return;
    if (event.id && !this.#recent.add(event.id)) return;
    // A new event of the app's: this connection works, whatever happens to its data below.
    this.#reconnect.progressed();
    let data: unknown;
    try {
      data = this.#settings.parse(event.data, event.type);
    } catch (cause) {
      this.#emit('error', parseFailed(event, cause));
      return;
    }
    const message = toMessage(event, data);
    this.#emit(event.type, data, message);
    this.#pushToQueues(message as StreamMessageOf<Events>);
  }

  readonly #hubEvents: HubEventSink = {
    remember: (id) => this.#recent.add(id),
    reset: (info, message) => {
      this.#emit('reset', info, message);
      this.#pushToQueues(message as StreamMessageOf<Events>);
    },
    disconnect: (info) => {
      this.#emit('disconnect', info);
      if (info.reconnect || this.#isClosed()) return;
      const error = disconnected(this.#url, info);
      this.#emit('error', error);
      this.#finish(error);
    },
  };

  #pushToQueues(message: StreamMessageOf<Events>): void {
    for (const queue of this.#queues) queue.push(message);
  }

  #setLastEventId(id: string): void {
    this.#lastEventId = id;
    this.#ids.save(id);
  }

  // A method, not an inline comparison: handlers may close the stream between two checks.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: StreamState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit('state', state);
  }

  #finish(error: SseClientError | undefined): void {
    if (this.#state === 'closed') return;
    this.#error = error;
    this.#attemptSeq += 1; // late reports from the current attempt are now ignored
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connection?.close();
    this.#connection = undefined;
    this.#setState('closed');
    for (const queue of this.#queues) queue.end(error);
    this.#queues.clear();
    this.#handlers.clear();
  }

  #emit(type: string, ...args: unknown[]): void {
    this.#handlers.emit(type, ...args);
  }
}

/**
 * Opens a typed Server-Sent Events stream that reconnects with backoff and full jitter,
 * resumes from the last event id, drops repeated ids and surfaces the server's `sse-reset`.
 *
 * @typeParam Events - the data type of each event name, e.g. `{ message: Chat }`.
 * @param url - the SSE endpoint (relative URLs resolve against the page).
 * @param options - transport, request, parsing, backoff and persistence; see {@link EventStreamOptions}.
 * @returns the stream, already connecting.
 * @throws SseClientError `SSE_INVALID_OPTION` for out-of-range options or a transport the
 *   runtime lacks.
 * @example
 * ```ts
 * type Events = { message: { text: string }; typing: { user: string } };
 * const stream = createEventStream<Events>('/events', { storage: sessionStorage });
 * stream.on('message', (data) => render(data.text));
 * stream.on('reset', () => refetchEverything());
 * stream.on('state', (state) => setBadge(state));
 * ```
 */
export function createEventStream<Events extends EventMap = EventMap>(
  url: string | URL,
  options: EventStreamOptions = {},
): EventStream<Events> {
  return new EventStreamImpl<Events>(url, options);
}
