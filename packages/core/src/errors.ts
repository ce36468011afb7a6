/**
 * Stable error codes. Match on `code`, never on the message text.
 *
 * - `SSE_FRAME_INJECTION`: an `event`, `id` or comment contained CR/LF (or NUL in `id`).
 * - `SSE_INVALID_FIELD`: a frame field had the wrong type or shape (e.g. `retry` not digits).
 * - `SSE_PAYLOAD_TOO_LARGE`: the serialized data exceeded `maxPayloadBytes`.
 * - `SSE_SERIALIZE_FAILED`: the serializer threw or did not return a string.
 * - `SSE_INVALID_TARGET`: `publish({ to })` named no valid target.
 * - `SSE_BUS_UNAVAILABLE`: the broker could not accept the message (down, timed out).
 * - `SSE_BUS_CLOSED`: the bus or hub was closed.
 * - `SSE_BUS_PROTOCOL`: the broker delivered something that is not a valid entry.
 * - `SSE_SHUTTING_DOWN`: the hub no longer accepts connections or publishes.
 * - `SSE_TOO_MANY_CONNECTIONS`: a per-user or hub connection limit was reached.
 * - `SSE_FORBIDDEN` / `SSE_UNAUTHORIZED`: an authorize hook refused the connection.
 * - `SSE_INVALID_LAST_EVENT_ID`: a `Last-Event-ID` was malformed (reported, never thrown at clients).
 * - `SSE_INVALID_OPTION`: a constructor option was out of range.
 * - `SSE_AUTHORIZE_FAILED`: the authorize hook threw or rejected (an application bug, answered
 *   500; the hook's own error is the `cause`, reported through the hub's `error` event only).
 * - `SSE_LISTENER_FAILED`: a listener of a hub event threw (reported, never changes what happened).
 * - `SSE_INTERNAL`: an unexpected failure while opening a stream (answered 500).
 * - `SSE_BANNED`: the user was disconnected with `reconnect: false` and may not come back yet
 *   (answered 204, which per the spec stops an `EventSource` from reconnecting).
 */
export type SseErrorCode =
  | 'SSE_FRAME_INJECTION'
  | 'SSE_INVALID_FIELD'
  | 'SSE_PAYLOAD_TOO_LARGE'
  | 'SSE_SERIALIZE_FAILED'
  | 'SSE_INVALID_TARGET'
  | 'SSE_BUS_UNAVAILABLE'
  | 'SSE_BUS_CLOSED'
  | 'SSE_BUS_PROTOCOL'
  | 'SSE_SHUTTING_DOWN'
  | 'SSE_TOO_MANY_CONNECTIONS'
  | 'SSE_FORBIDDEN'
  | 'SSE_UNAUTHORIZED'
  | 'SSE_INVALID_LAST_EVENT_ID'
  | 'SSE_INVALID_OPTION'
  | 'SSE_AUTHORIZE_FAILED'
  | 'SSE_LISTENER_FAILED'
  | 'SSE_INTERNAL'
  | 'SSE_BANNED';

/** HTTP status a binding should answer with when `connect` fails with this code. */
const HTTP_STATUS: Partial<Record<SseErrorCode, number>> = {
  SSE_SHUTTING_DOWN: 503,
  SSE_BUS_UNAVAILABLE: 503,
  SSE_BUS_CLOSED: 503,
  SSE_TOO_MANY_CONNECTIONS: 429,
  SSE_FORBIDDEN: 403,
  SSE_UNAUTHORIZED: 401,
  SSE_BANNED: 204,
};

// A registered symbol (not a class identity check) so that two copies of @sse/core in one
// node_modules tree still recognise each other's errors.
const SSE_ERROR_BRAND: unique symbol = Symbol.for('@sse/core.SseError') as never;

/** Options for {@link SseError}. */
export interface SseErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Extra machine-readable facts (field name, sizes, limits). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type every `@sse/*` package throws or rejects with.
 *
 * @example
 * ```ts
 * try { await hub.publish({ data: huge }); }
 * catch (err) { if (isSseError(err) && err.code === 'SSE_PAYLOAD_TOO_LARGE') shrink(); }
 * ```
 */
export class SseError extends Error {
  /** Stable machine-readable code. */
  readonly code: SseErrorCode;
  /** Extra machine-readable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;
  /** HTTP status a binding answers with when this error stops a connection. */
  readonly status: number;

  constructor(code: SseErrorCode, message: string, options: SseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SseError';
    this.code = code;
    this.details = options.details ?? {};
    this.status = HTTP_STATUS[code] ?? 500;
    Object.defineProperty(this, SSE_ERROR_BRAND, { value: true });
  }
}

/**
 * True when `value` is an {@link SseError}, also across duplicate copies of this package.
 * @param value - anything caught.
 * @param code - optionally, the code it must have.
 */
export function isSseError(value: unknown, code?: SseErrorCode): value is SseError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[SSE_ERROR_BRAND] !== true) return false;
  return code === undefined || (value as SseError).code === code;
}

/** Wraps anything thrown into an Error, so that nothing rejects with a non-Error. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : `Non-error thrown: ${String(value)}`);
}
