import type { SseClientError } from './errors.js';

/** Declares the data type of each server event name, e.g. `{ message: Chat; typing: { user: string } }`. */
export type EventMap = Record<string, unknown>;

/** `connecting` (first attempt or waiting to retry), `open` (receiving), `closed` (for good). */
export type StreamState = 'connecting' | 'open' | 'closed';

/** Which transport carries the stream. */
export type TransportKind = 'eventsource' | 'fetch';

/** A server event as delivered to handlers and the async iterator. */
export interface StreamMessage<T = unknown, K extends string = string> {
  /** The event name (`event:` field, `"message"` by default). */
  readonly type: K;
  /** The data, parsed by `parse` (JSON by default). */
  readonly data: T;
  /** The raw `data:` text, joined with LF. */
  readonly rawData: string;
  /** This frame's own `id:`, or undefined when it had none. */
  readonly id: string | undefined;
  /** The stream's last event ID after this frame. */
  readonly lastEventId: string;
}

/** The data of the server's `sse-reset` event, surfaced as `on('reset', …)`. */
export interface ResetInfo {
  /** Why the server could not prove continuity (e.g. `"too-old"`, `"unknown-id"`). */
  readonly reason: string;
}

/** The data of the server's `sse-disconnect` event, surfaced as `on('disconnect', …)`. */
export interface DisconnectInfo {
  /** Why the server ended the stream. */
  readonly reason: string;
  /** `false`: the server asked not to come back; the stream closes for good. */
  readonly reconnect: boolean;
}

/** Reported by `on('reconnecting', …)` before each wait. */
export interface ReconnectInfo {
  /** 1 for the first retry after a failure or drop, then 2, 3, … until an open. */
  readonly attempt: number;
  /** How long the stream waits before this attempt, in ms. */
  readonly delayMs: number;
  /** What ended the previous attempt. */
  readonly error: SseClientError;
}

/** The union of the messages an `Events` map declares, plus the server's reset event. */
export type StreamMessageOf<Events extends EventMap> =
  | { [K in keyof Events & string]: StreamMessage<Events[K], K> }[keyof Events & string]
  | StreamMessage<ResetInfo, 'sse-reset'>;

/** Handlers for the stream's own (lifecycle) events. These names are reserved. */
export interface LifecycleHandlers {
  /** The state changed. */
  state: (state: StreamState) => void;
  /** Something went wrong; `error.fatal` says whether the stream stopped. */
  error: (error: SseClientError) => void;
  /** The server sent `sse-reset`: events may have been missed, refetch your state. */
  reset: (info: ResetInfo, message: StreamMessage<ResetInfo, 'sse-reset'>) => void;
  /** A retry is scheduled. */
  reconnecting: (info: ReconnectInfo) => void;
  /**
   * The server ended the stream on purpose (`sse-disconnect`), e.g. a logout on another device.
   * With `reconnect: false` the stream then closes for good (`error` is `SSE_DISCONNECTED`).
   */
  disconnect: (info: DisconnectInfo) => void;
}

/** A handler for server event `K` of `Events`. */
export type EventHandler<Events extends EventMap, K extends keyof Events & string> = (
  data: Events[K],
  message: StreamMessage<Events[K], K>,
) => void;

/** Where the last event id is kept across page loads: `sessionStorage`, `localStorage`, yours. */
export interface LastEventIdStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Options of `createEventStream`. Every one is optional. */
export interface EventStreamOptions {
  /**
   * `auto` uses `fetch` wherever it can stream a response body (every current browser, Node
   * 20+, a `fetch` you pass), so reconnects send the standard `Last-Event-ID` header and
   * id-only frames move the id. It falls back to the platform `EventSource` only where fetch
   * cannot stream. `'eventsource'` forces the platform EventSource, with its limits: the id
   * rides a `lastEventId` query parameter, id-only frames are invisible, only named events
   * with a handler (or in `events`) arrive. Cross-origin, the `Last-Event-ID` header of
   * `fetch` needs the server to allow it in the CORS preflight.
   * @default 'auto'
   */
  readonly transport?: 'auto' | TransportKind;
  /** HTTP method (fetch transport). @default 'GET' */
  readonly method?: string;
  /** Request headers (fetch transport); a function is called before every attempt (token refresh). */
  readonly headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /** Request body (fetch transport); a function is called before every attempt. */
  readonly body?: BodyInit | (() => BodyInit | Promise<BodyInit>);
  /**
   * Cookies and HTTP auth. `'include'` also sets EventSource's `withCredentials`.
   * @default the platform's: 'same-origin'
   */
  readonly credentials?: RequestCredentials;
  /**
   * How `data` is turned into the handler's value: `'json'` (`JSON.parse`), `'text'` (as is) or
   * your function. A parse failure reports `SSE_PARSE_FAILED` and skips that event.
   * @default 'json'
   */
  readonly parse?: 'json' | 'text' | ((data: string, type: string) => unknown);
  /** Resume from this id (wins over `storage`). @default '' or the stored id */
  readonly lastEventId?: string;
  /** Keeps the last event id across page reloads, e.g. `sessionStorage`. @default none */
  readonly storage?: LastEventIdStorage;
  /** Key under which `storage` keeps the id. @default `"@sse/client:last-event-id:" + url` */
  readonly storageKey?: string;
  /**
   * Backoff base when the server sent no `retry:`, in ms; at least 500, the floor under every
   * reconnect delay (a server's `retry:` below it is raised to it).
   * @default 1000
   */
  readonly initialDelayMs?: number;
  /** Ceiling of the exponential backoff, in ms (a server `retry:` above it still wins). @default 30000 */
  readonly maxDelayMs?: number;
  /**
   * Ceiling of the wait after a 502, 503 or 504 during the first minute of an outage, in ms:
   * something (a proxy, a load balancer) answers for a server that is away for now, as in a
   * rolling restart, so the client keeps asking at this pace instead of backing off toward
   * `maxDelayMs`, and is back within about this long once the proxy forwards again. It caps a
   * server's `retry:` too; a `Retry-After` still sets the earliest retry. After a minute of
   * failures in a row the ordinary backoff applies. At least 500.
   * @default 2000 (or `initialDelayMs` when larger)
   */
  readonly maxGatewayDelayMs?: number;
  /**
   * Read-idle watchdog: an attempt on which nothing arrives for this long (not even a
   * heartbeat comment, not even the response headers) is closed and retried, reported as
   * `SSE_IDLE_TIMEOUT`. It catches a frozen server, whose kernel keeps the connection open.
   * Left out, it is learned: 1.5 × the keep-alive the server advertises in its first line
   * (`: sse-keep-alive=15000`, which `@sse/core` sends: 22.5 s by default), raised to 1000 ms;
   * a server that advertises nothing gets no watchdog. `0` turns it off; a number (≥ 1000)
   * fixes it and ignores the advertisement. The `'eventsource'` transport sees no comments: it
   * learns nothing, and only events count as activity for a fixed timeout.
   * @default learned from the server, none when it advertises nothing
   */
  readonly idleTimeoutMs?: number;
  /**
   * Consecutive failed attempts before giving up with `SSE_RETRIES_EXHAUSTED`. A connection
   * that ends before delivering an event (and within 5 s) counts as failed.
   * @default Infinity
   */
  readonly maxRetries?: number;
  /** How many recent ids to remember for de-duplication; 0 turns it off. @default 1000 */
  readonly dedupeWindow?: number;
  /**
   * Named events to receive from the start with the EventSource transport, which has no
   * catch-all: types with an `on()` handler are added automatically. @default []
   */
  readonly events?: readonly string[];
  /** Events an async iterator may hold before it fails with `SSE_BUFFER_OVERFLOW`. @default 10000 */
  readonly maxBufferedEvents?: number;
  /** Closes the stream when aborted. */
  readonly signal?: AbortSignal;
  /** Uniform random numbers in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** An `EventSource` constructor to use instead of the global one. */
  readonly EventSource?: typeof globalThis.EventSource;
}
