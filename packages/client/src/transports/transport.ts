import type { ConnectionFailure } from '../http-failure.js';
import type { ParsedEvent } from '../parser/event-stream-parser.js';

/** What the stream asks a transport to open: one connection attempt. */
export interface TransportRequest {
  /** The URL as the user gave it. */
  readonly url: string;
  /** The last event ID to resume from; `''` for none. */
  readonly lastEventId: string;
}

/**
 * Where a transport reports. After `fail` it must report nothing more for this attempt; the
 * stream also ignores calls from an attempt it has already closed.
 */
export interface TransportSink {
  /** The server accepted the stream (status 200, `text/event-stream`). */
  open(): void;
  /** A frame with data arrived. */
  event(event: ParsedEvent): void;
  /** The last event ID string changed (including by an id-only frame). */
  lastEventId(id: string): void;
  /** The server sent `retry:`. */
  retry(ms: number): void;
  /**
   * Bytes arrived (any: a heartbeat comment counts). Called once per chunk read, so it must be
   * cheap: the idle watchdog only notes the time.
   */
  activity(): void;
  /**
   * What the first line of this connection's body said about the server's heartbeat: the
   * advertised keep-alive in ms, or `undefined` when that line was something else. Called at
   * most once per connection; transports that cannot see comments never call it.
   */
  keepAlive(ms: number | undefined): void;
  /** The attempt failed or the open stream ended; `failure.error.fatal` says whether to stop. */
  fail(failure: ConnectionFailure): void;
}

/**
 * What the stream itself receives from an attempt: the sink without the signs of life, which
 * stop at the idle watchdog (see `withIdleWatchdog`).
 */
export type StreamSink = Omit<TransportSink, 'activity' | 'keepAlive'>;

/** One live attempt; `close` aborts it without reporting anything. */
export interface TransportConnection {
  close(): void;
}

/** Opens one connection attempt. */
export type Transport = (request: TransportRequest, sink: TransportSink) => TransportConnection;

/** Opens one connection attempt guarded by the idle watchdog: what the stream calls. */
export type GuardedTransport = (request: TransportRequest, sink: StreamSink) => TransportConnection;
