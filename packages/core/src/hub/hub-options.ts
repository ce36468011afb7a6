import { type Bus, DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../bus/bus.js';
import { SseError } from '../errors.js';
import type { AuthorizeJoin } from './cluster-control.js';
import type { PresenceOptions } from './presence.js';
import type { SseRequest } from './response-sink.js';
import type { DropPolicy } from './stream-outcomes.js';

/** What an {@link HubOptions.authorize} hook is asked about. */
export interface AuthorizeContext {
  readonly request: SseRequest;
  readonly user: string | undefined;
  readonly rooms: readonly string[];
}

/** Replay settings. */
export interface ReplayOptions {
  /** Entries kept in memory for replay. 0 disables the window. @default 1000 */
  readonly maxEntries?: number;
  /** Bytes of encoded frames kept in memory. @default 8388608 (8 MiB) */
  readonly maxBytes?: number;
  /** Age after which entries leave the window. @default 300000 (5 minutes) */
  readonly maxAgeMs?: number;
  /** Entries read from the bus per history page. @default 500 */
  readonly historyPageSize?: number;
  /** A reconnect that would replay more than this gets a reset instead. @default 10000 */
  readonly maxReplayEntries?: number;
}

/**
 * Idempotent publishing (`publish({ idempotencyKey })`). Give every instance the same values:
 * on a bus that does not deduplicate (Kafka), each instance applies them to what it delivers.
 */
export interface IdempotencyOptions {
  /**
   * How long a key is remembered: a publish with a key used this long ago or less is a
   * repeat. Long enough for your slowest retry; the broker keeps one small record per keyed
   * message for this long (a Redis key, a JetStream message id). From 1 s to 1 day.
   * @default 300000 (5 minutes)
   */
  readonly windowMs?: number;
  /**
   * Keys this instance remembers (about 200 bytes each). On a bus that deduplicates it only
   * saves broker round trips; on one that does not (Kafka) it is the filter, so it must hold
   * the keyed messages of a whole window, or the window is shorter in effect.
   * @default 10000
   */
  readonly maxKeys?: number;
}

/** Options for {@link createHub}. Every one has a production-sane default. */
export interface HubOptions {
  /** The shared log. @default createMemoryBus() (one process, no broker) */
  readonly bus?: Bus;
  /** Longest silence on a stream before a heartbeat comment; one timer for the hub. @default 15000 */
  readonly keepAliveMs?: number;
  /** `retry:` hint sent when a stream opens (client reconnect delay). @default 2000 */
  readonly retryMs?: number;
  /** Frames a connection may queue while its socket is full. @default 1000 */
  readonly maxQueueItems?: number;
  /** Bytes a connection may queue while its socket is full. @default 1048576 (1 MiB) */
  readonly maxQueueBytes?: number;
  /**
   * A stream whose socket has not drained for this long is cut (counted as a `stalled`
   * drop), even if its queue never reached its bounds: it catches half-open sockets and
   * clients that stopped reading while traffic is light. Checked by the heartbeat timer,
   * so the effective delay is up to `keepAliveMs / 2` longer. @default 60000
   */
  readonly maxStallMs?: number;
  /** What happens past the queue bounds. @default 'disconnect' */
  readonly dropPolicy?: DropPolicy;
  /** Turns `publish({ data })` into the `data:` text. @default JSON.stringify */
  readonly serializer?: (data: unknown) => string;
  /** Largest serialized payload, in UTF-8 bytes. @default 1048576 (1 MiB) */
  readonly maxPayloadBytes?: number;
  /** Replay window and history settings. */
  readonly replay?: ReplayOptions;
  /** Idempotent publishing: how long and how many keys are remembered. */
  readonly idempotency?: IdempotencyOptions;
  /** Open streams on this instance. @default Infinity */
  readonly maxConnections?: number;
  /** Open streams per user on this instance. @default Infinity */
  readonly maxConnectionsPerUser?: number;
  /** Open streams per client (see `clientKey`) on this instance; refused with 429. @default Infinity */
  readonly maxConnectionsPerClient?: number;
  /**
   * Names the client a request comes from, for `maxConnectionsPerClient` (only called when
   * that limit is set). Behind a proxy, read your trusted forwarding header here.
   * @default the socket's remote address
   */
  readonly clientKey?: (request: SseRequest) => string;
  /**
   * Refuse a stream (403) by resolving `false`. Called before headers are sent. A hook that
   * throws or rejects refuses the stream with 500 `SSE_AUTHORIZE_FAILED`: its own error never
   * reaches the client, only the hub's `error` event (as the `cause`).
   */
  readonly authorize?: (context: AuthorizeContext) => boolean | Promise<boolean>;
  /**
   * Allows or refuses a control join (`hub.control.join()`), once, on the instance that calls
   * it. With an `authorize` hook and no `authorizeJoin`, control joins are refused unless the
   * caller passes `{ trusted: true }`: a join never bypasses the app's checks unless the app
   * says so.
   */
  readonly authorizeJoin?: AuthorizeJoin;
  /**
   * Keep presence: per room, the users online on any instance (`hub.presence.users(room)`,
   * the `presence` event). Every instance of a channel must agree. @default false
   */
  readonly presence?: boolean | PresenceOptions;
  /**
   * Opt-in: hold frames for up to this many ms so that messages arriving one per event-loop
   * turn still leave in few writes (fewer system calls, more throughput, up to this much
   * added latency). 0 flushes every turn. @default 0
   */
  readonly flushWindowMs?: number;
  /** With a flush window: a socket with this many bytes pending is flushed at once. @default 16384 */
  readonly flushBytes?: number;
  /** Extra response headers on every stream (e.g. CORS). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Name of this instance in stats. @default a random id */
  readonly instanceId?: string;
}

/** {@link HubOptions} with defaults applied. */
export interface ResolvedHubOptions {
  readonly keepAliveMs: number;
  readonly retryMs: number;
  readonly maxQueueItems: number;
  readonly maxQueueBytes: number;
  readonly dropPolicy: DropPolicy;
  readonly maxStallMs: number;
  readonly serializer: (data: unknown) => string;
  readonly maxPayloadBytes: number;
  readonly replay: Required<ReplayOptions>;
  readonly idempotency: Required<IdempotencyOptions>;
  readonly maxConnections: number;
  readonly maxConnectionsPerUser: number;
  readonly maxConnectionsPerClient: number;
  readonly flushWindowMs: number;
  readonly flushBytes: number;
}

/**
 * Applies defaults and checks ranges.
 * @throws SseError `SSE_INVALID_OPTION` naming the option, the value and the range.
 */
export function resolveHubOptions(options: HubOptions): ResolvedHubOptions {
  const replay = options.replay ?? {};
  const idempotency = options.idempotency ?? {};
  const resolved: ResolvedHubOptions = {
    keepAliveMs: options.keepAliveMs ?? 15_000,
    retryMs: options.retryMs ?? 2_000,
    maxQueueItems: options.maxQueueItems ?? 1_000,
    maxQueueBytes: options.maxQueueBytes ?? 1024 * 1024,
    dropPolicy: options.dropPolicy ?? 'disconnect',
    maxStallMs: options.maxStallMs ?? 60_000,
    serializer: options.serializer ?? JSON.stringify,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    replay: {
      maxEntries: replay.maxEntries ?? 1_000,
      maxBytes: replay.maxBytes ?? 8 * 1024 * 1024,
      maxAgeMs: replay.maxAgeMs ?? 300_000,
      historyPageSize: replay.historyPageSize ?? 500,
      maxReplayEntries: replay.maxReplayEntries ?? 10_000,
    },
    idempotency: {
      windowMs: idempotency.windowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS,
      maxKeys: idempotency.maxKeys ?? 10_000,
    },
    maxConnections: options.maxConnections ?? Number.POSITIVE_INFINITY,
    maxConnectionsPerUser: options.maxConnectionsPerUser ?? Number.POSITIVE_INFINITY,
    maxConnectionsPerClient: options.maxConnectionsPerClient ?? Number.POSITIVE_INFINITY,
    flushWindowMs: options.flushWindowMs ?? 0,
    flushBytes: options.flushBytes ?? 16 * 1024,
  };
  atLeast('keepAliveMs', resolved.keepAliveMs, 100);
  atLeast('retryMs', resolved.retryMs, 0);
  atLeast('maxQueueItems', resolved.maxQueueItems, 1);
  atLeast('maxStallMs', resolved.maxStallMs, 1);
  atLeast('maxQueueBytes', resolved.maxQueueBytes, 1);
  atLeast('maxPayloadBytes', resolved.maxPayloadBytes, 1);
  atLeast('replay.maxEntries', resolved.replay.maxEntries, 0);
  atLeast('replay.maxBytes', resolved.replay.maxBytes, 0);
  atLeast('replay.maxAgeMs', resolved.replay.maxAgeMs, 0);
  atLeast('replay.historyPageSize', resolved.replay.historyPageSize, 1);
  atLeast('replay.maxReplayEntries', resolved.replay.maxReplayEntries, 0);
  atLeast('idempotency.windowMs', resolved.idempotency.windowMs, 1_000);
  atLeast('idempotency.maxKeys', resolved.idempotency.maxKeys, 1);
  if (
    resolved.idempotency.windowMs > 86_400_000 ||
    !Number.isInteger(resolved.idempotency.windowMs)
  ) {
    // An upper bound catches a unit mistake, and keeps the broker's records (one per keyed
    // message, kept for the whole window) from piling up.
    throw new SseError(
      'SSE_INVALID_OPTION',
      `idempotency.windowMs must be a whole number of ms from 1000 to 86400000 (1 day), got ${resolved.idempotency.windowMs}.`,
    );
  }
  atLeast('maxConnections', resolved.maxConnections, 1);
  atLeast('maxConnectionsPerUser', resolved.maxConnectionsPerUser, 1);
  atLeast('maxConnectionsPerClient', resolved.maxConnectionsPerClient, 1);
  atLeast('flushWindowMs', resolved.flushWindowMs, 0);
  atLeast('flushBytes', resolved.flushBytes, 1);
  if (resolved.flushWindowMs > 1000) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `flushWindowMs must be at most 1000, got ${resolved.flushWindowMs}.`,
    );
  }
  if (!['oldest', 'newest', 'disconnect'].includes(resolved.dropPolicy)) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `dropPolicy must be 'oldest', 'newest' or 'disconnect', got ${String(resolved.dropPolicy)}.`,
    );
  }
  if (typeof resolved.serializer !== 'function') {
    throw new SseError('SSE_INVALID_OPTION', 'serializer must be a function (data) => string.');
  }
  return resolved;
}

function atLeast(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `${name} must be a number >= ${min}, got ${String(value)}.`,
      {
        details: { option: name, value },
      },
    );
  }
}
