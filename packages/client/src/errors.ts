/**
 * Stable error codes of `@sse/client`. Match on `code`, never on the message text.
 *
 * - `SSE_HTTP_STATUS`: the server answered with a status other than 200 (see `status`).
 *   401, 403, 404 and every other 4xx except 408 and 429 are fatal; 5xx, 408 and 429 are retried.
 * - `SSE_BAD_CONTENT_TYPE`: a 200 answer that is not `text/event-stream` (fatal: retrying
 *   would hit the same misconfigured route).
 * - `SSE_NETWORK`: the request failed or the connection broke mid-stream (retried).
 * - `SSE_STREAM_ENDED`: the server ended the response normally (retried, as EventSource does).
 * - `SSE_IDLE_TIMEOUT`: nothing arrived for longer than the idle timeout (learned from the
 *   server's keep-alive advertisement, or `idleTimeoutMs`): the server or a proxy on the way
 *   stopped responding while the connection stayed open, e.g. a frozen process (retried).
 * - `SSE_PARSE_FAILED`: an event's data did not parse (the event is skipped, the stream lives).
 * - `SSE_HANDLER_THREW`: one of your handlers threw (reported, the stream lives).
 * - `SSE_RETRIES_EXHAUSTED`: `maxRetries` consecutive attempts failed (fatal).
 * - `SSE_DISCONNECTED`: the server ended the stream and asked not to come back
 *   (`sse-disconnect` with `reconnect: false`; fatal; `cause` is the server's reason).
 * - `SSE_BUFFER_OVERFLOW`: an async iterator fell `maxBufferedEvents` behind (that iterator
 *   ends with this error; the stream and its handlers go on).
 * - `SSE_STORAGE_FAILED`: `storage.getItem`/`setItem` threw (e.g. quota); the stream goes on.
 * - `SSE_INVALID_OPTION`: an option was out of range (thrown by `createEventStream`).
 */
export type SseClientErrorCode =
  | 'SSE_HTTP_STATUS'
  | 'SSE_BAD_CONTENT_TYPE'
  | 'SSE_NETWORK'
  | 'SSE_STREAM_ENDED'
  | 'SSE_IDLE_TIMEOUT'
  | 'SSE_PARSE_FAILED'
  | 'SSE_HANDLER_THREW'
  | 'SSE_RETRIES_EXHAUSTED'
  | 'SSE_DISCONNECTED'
  | 'SSE_BUFFER_OVERFLOW'
  | 'SSE_STORAGE_FAILED'
  | 'SSE_INVALID_OPTION';

/** Options for {@link SseClientError}. */
export interface SseClientErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** HTTP status, for `SSE_HTTP_STATUS` (and `SSE_BAD_CONTENT_TYPE`: 200). */
  readonly status?: number;
  /** True when the stream stopped because of this error and will not reconnect. @default false */
  readonly fatal?: boolean;
}

// A registered symbol, not an `instanceof` check, so that two copies of this package in one
// bundle still recognise each other's errors.
const BRAND: unique symbol = Symbol.for('@sse/client.SseClientError') as never;

/**
 * The one error type `@sse/client` reports: through `stream.on('error', …)`, `stream.error`,
 * the async iterator (fatal errors only) and `createEventStream` (invalid options).
 *
 * `@sse/client` has no runtime dependency (it runs in browsers), so this is its own class
 * rather than `SseError` from `@sse/core`; the codes follow the same conventions.
 *
 * @example
 * ```ts
 * stream.on('error', (err) => {
 *   if (err.fatal && err.status === 401) redirectToLogin();
 * });
 * ```
 */
export class SseClientError extends Error {
  /** Stable machine-readable code. */
  readonly code: SseClientErrorCode;
  /** HTTP status of the answer that caused it, when there was one. */
  readonly status: number | undefined;
  /** True when the stream is now closed for good because of this error. */
  readonly fatal: boolean;

  constructor(code: SseClientErrorCode, message: string, options: SseClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SseClientError';
    this.code = code;
    this.status = options.status;
    this.fatal = options.fatal ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `value` is an {@link SseClientError}, also across duplicate copies of this package.
 * @param value - anything caught.
 * @param code - optionally, the code it must have.
 * @returns whether `value` is such an error.
 */
export function isSseClientError(
  value: unknown,
  code?: SseClientErrorCode,
): value is SseClientError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as SseClientError).code === code;
}
