/**
 * The broker seam. A bus is a shared, ordered log per channel: every member of a channel
 * receives every entry exactly once, in the same order, with the same position.
 * Envelope encoding, replay windows, addressing and ids live in the hub, once; a bus only
 * appends, delivers, reports its state and (optionally) reads back from a position.
 *
 * Implementing a bus: implement {@link Bus}; resolve `start()` with the log's position at the
 * moment the subscription began ({@link BusStart}); call `listener.entry()` for every entry in
 * log order; resolve `publish()` with the position only after the broker accepted the entry;
 * encode an epoch into positions so that a position is never reused after the broker lost
 * its data; call `listener.gap()` whenever entries may have been missed; run
 * `runBusConformance()` from `@sse/core/testing` against it.
 *
 * Idempotent publishing is optional: a bus whose broker can refuse a repeated key sets
 * `deduplicates: true` and implements `publishOnce()`; for any other bus the hub drops
 * repeated keys itself (see {@link BusCapabilities.deduplicates}).
 * @module
 */

/** One log entry as a bus delivers it. */
export interface BusEntry {
  /**
   * Where the entry sits in the channel's log, unique and never reused (it carries the
   * bus's epoch). It becomes the SSE `id:` of the frame, so it must be at most
   * {@link MAX_POSITION_LENGTH} characters and contain no CR, LF or NUL.
   */
  readonly position: string;
  /** The payload exactly as given to {@link Bus.publish}. */
  readonly payload: string;
}

/** Longest position a bus may produce (and longest `Last-Event-ID` the hub accepts). */
export const MAX_POSITION_LENGTH = 256;

/** Longest idempotency key `hub.publish()` and `Bus.publishOnce()` accept. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** How long an idempotency key is remembered when nobody says: 5 minutes. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000;

/** Connection state of a bus, reported through {@link BusListener.status}. */
export type BusState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/**
 * What a bus calls back into. The hub implements it (every member, always); a bus never
 * needs more. Whoever else starts a bus (a test, a tool) passes all four too.
 */
export interface BusListener {
  /** Called once per entry, in log order. Never called after `close()` resolved. */
  entry(entry: BusEntry): void;
  /** Called when the bus's connection state changes; `error` says why, when known. */
  status(state: BusState, error?: Error): void;
  /**
   * Called when entries may have been lost between the last delivered entry and the next
   * one (a non-retaining bus that was disconnected, an epoch change, retention that trimmed
   * unread entries). The hub then tells every client to refetch its state instead of leaving
   * a silent gap, and no longer replays across that point.
   *
   * @param reason - why, for logs and the `sse-reset` event.
   * @param resumeAt - when the bus knows it: a position after which it delivers every entry
   *   again (the last position before the first entry that will follow). Clients are given it
   *   as their new id, so a reconnect right after the reset can be resumed without a second
   *   reset.
   */
  gap(reason: string, resumeAt?: string): void;
  /**
   * Called when something failed that delivery survived: a cleanup that left a resource
   * behind (a consumer group, a connection), a replacement that will be retried. The hub
   * reports it as an `error` event, so nothing a bus drops is silent.
   */
  error(error: Error): void;
}

/** What {@link Bus.start} resolves with. */
export interface BusStart {
  /**
   * The log's position when this member's subscription began: the newest entry's position,
   * or, while the log is empty, an origin in the bus's own format that carries its epoch.
   * Every entry the member delivers comes after it, with none missing in between, and
   * `readAfter` / `comparePositions` accept it like any entry's position.
   *
   * The hub gives it to fresh streams as their first id: a stream opened on an empty log
   * still has a position from which a reconnect is resumed, or told of a gap.
   */
  readonly position: string;
}

/** Why a bus could not read history from a position. */
export type HistoryMissReason =
  /** The position has the right shape but is not (or no longer) in the log. */
  | 'unknown-position'
  /** The position is from an earlier epoch of the broker (data was lost or recreated). */
  | 'epoch-mismatch'
  /** The entries right after the position were trimmed by retention. */
  | 'trimmed'
  /** The position is not of this bus's format at all. */
  | 'malformed';

/** Result of {@link Bus.readAfter}. */
export type HistoryResult =
  | { readonly ok: true; readonly entries: readonly BusEntry[] }
  | { readonly ok: false; readonly reason: HistoryMissReason };

/** Static facts about a bus that the hub and the conformance suite rely on. */
export interface BusCapabilities {
  /** `readAfter` can reach entries older than the hub's in-memory window. */
  readonly retainsHistory: boolean;
  /**
   * The broker itself refuses a repeated idempotency key within the window, so a repeat never
   * enters the log: the bus implements {@link BusBase.publishOnce}. Absent or `false`, the hub
   * appends keyed entries with `publish()` and every instance drops an entry whose key it
   * already delivered within the window (which cannot cover an instance that started between
   * the two appends). @default false
   */
  readonly deduplicates?: boolean;
}

/** What the hub tells a bus when it starts it. Every field is optional for other callers. */
export interface BusStartOptions {
  /**
   * How long an idempotency key is remembered, in ms: a `publishOnce()` with a key already
   * used this long ago or less is a repeat. A bus that `deduplicates` configures its broker
   * with it (an expiry, a duplicate window). @default DEFAULT_IDEMPOTENCY_WINDOW_MS
   */
  readonly idempotencyWindowMs?: number;
}

/** Options of one {@link BusBase.publishOnce}. */
export interface BusPublishOptions {
  /**
   * The idempotency key: at most {@link MAX_IDEMPOTENCY_KEY_LENGTH} characters of
   * `A–Z a–z 0–9 _ - . : /` (see `checkIdempotencyKey`). Unique per channel.
   */
  readonly key: string;
}

/** What {@link BusBase.publishOnce} resolves with. */
export interface BusAppend {
  /** The position of the entry that holds the key: the new one, or the first one for a repeat. */
  readonly position: string;
  /** `true` when nothing was appended because the key was used within the window. */
  readonly duplicate: boolean;
}

/** What every bus has; see {@link Bus}. */
export interface BusBase extends BusCapabilities {
  /** Short name for stats and health checks, e.g. `memory`, `redis-streams`. */
  readonly kind: string;
  /**
   * Connects and subscribes. Once it resolves, every entry appended afterwards (by any
   * member) is delivered to `listener`. Call once. Resolves with the log's position when
   * the subscription began (see {@link BusStart}).
   * @param listener - what to report entries, state, gaps and errors to.
   * @param options - what the hub passes (the idempotency window); older buses may ignore it.
   * @throws SseError `SSE_BUS_UNAVAILABLE` (as a rejection) when the broker cannot be
   *   reached within the bus's connect timeout.
   */
  start(listener: BusListener, options?: BusStartOptions): Promise<BusStart>;
  /**
   * Appends `payload`. Resolves with its position only after the broker accepted it.
   * Rejects with `SSE_BUS_CLOSED` after `close()`, and with `SSE_BUS_UNAVAILABLE`
   * (within a bounded time) when the broker is down. Never hangs forever.
   */
  publish(payload: string): Promise<string>;
  /**
   * Only on a bus that `deduplicates`: appends `payload` unless an entry with the same
   * `options.key` was appended within the window (by any member), in one atomic step on the
   * broker. A repeat appends nothing and resolves with the first entry's position and
   * `duplicate: true`, so a publish retried after an ambiguous failure (a timeout after the
   * broker accepted it) is delivered once and keeps its id. Rejects like {@link publish}.
   *
   * A separate method rather than an option of `publish()`, so that `publish()` keeps
   * resolving with a plain position for every caller and every existing bus.
   */
  publishOnce?(payload: string, options: BusPublishOptions): Promise<BusAppend>;
  /**
   * Orders two positions of this bus: negative when `a` comes first, 0 when equal,
   * positive when `a` comes later; `undefined` when they cannot be compared (another epoch,
   * another partition, malformed). Lets the hub drop live entries that a reconnecting client
   * already got from history while this instance's subscription lags behind the broker.
   * Optional; without it, such an entry can reach the client twice (clients de-duplicate by id).
   */
  comparePositions?(a: string, b: string): number | undefined;
  /** Unsubscribes and disconnects what the bus itself opened. Idempotent. */
  close(): Promise<void>;
}

/** A bus that keeps history beyond the hub's window (Redis Streams, JetStream, Kafka). */
export interface RetainingBus extends BusBase {
  readonly retainsHistory: true;
  /**
   * Reads at most `limit` entries strictly after `position`, in log order. An empty list
   * means `position` is the head. Rejects with `SSE_BUS_UNAVAILABLE` when the broker cannot
   * answer (the hub then resets the stream that asked).
   */
  readAfter(position: string, limit: number): Promise<HistoryResult>;
}

/** A bus that keeps nothing beyond the hub's window (the in-process bus, Redis pub/sub). */
export interface FleetingBus extends BusBase {
  readonly retainsHistory: false;
  readonly readAfter?: undefined;
}

/**
 * A shared ordered log for one channel. See the module docs for the contract. The type
 * says what the hub relies on: a bus that retains history reads it.
 *
 * @example
 * ```ts
 * const bus = createMemoryBus();
 * await bus.start({
 *   entry: (e) => console.log(e.position, e.payload),
 *   status: () => {},
 *   gap: () => {},
 *   error: () => {},
 * });
 * const position = await bus.publish('hello');
 * ```
 */
export type Bus = RetainingBus | FleetingBus;
