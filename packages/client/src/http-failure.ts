import { parseRetryAfter } from './backoff.js';
import { SseClientError } from './errors.js';

/** Why a connection attempt or a live connection ended, and whether to try again. */
export interface ConnectionFailure {
  /** What to report. `error.fatal` is true when the stream must stop. */
  readonly error: SseClientError;
  /** A server-imposed minimum wait (`Retry-After`), in ms. */
  readonly retryAfterMs?: number | undefined;
  /**
   * A 502, 503 or 504: something answered for a server that is away for now (a proxy whose
   * upstreams restart, a server shutting down). Quick and cheap to answer, and usually short,
   * so the backoff stops growing early (see `maxGatewayDelayMs`), unlike a refused connection.
   */
  readonly gateway?: boolean | undefined;
}

/** Statuses by which a reachable proxy or server says "not now, soon". */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Decides what a response means before its body is read.
 * - 200 with `text/event-stream`: `undefined` (open the stream).
 * - 200 with another type: fatal `SSE_BAD_CONTENT_TYPE`.
 * - 5xx, 408, 429: retryable `SSE_HTTP_STATUS`, honouring `Retry-After`; 502, 503 and 504
 *   are marked `gateway`.
 * - 204 and every other status: fatal `SSE_HTTP_STATUS` (204 is the spec's "stop reconnecting").
 *
 * @param response - the status and headers that arrived.
 * @param url - the requested URL, for the message.
 * @returns a failure, or `undefined` when the stream may be read.
 */
export function classifyResponse(
  response: Pick<Response, 'status' | 'headers'>,
  url: string,
): ConnectionFailure | undefined {
  const { status } = response;
  if (status === 200) {
    const type = response.headers.get('content-type') ?? '';
    if (type.split(';')[0]?.trim().toLowerCase() === 'text/event-stream') return undefined;
    return {
      error: new SseClientError(
        'SSE_BAD_CONTENT_TYPE',
        `Expected "text/event-stream" from ${url}, got "${type || 'no content type'}": the URL ` +
          'probably points at a page or an API route that is not an SSE endpoint.',
        { status, fatal: true },
      ),
    };
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  const error = new SseClientError(
    'SSE_HTTP_STATUS',
    `Expected status 200 from ${url}, got ${status}. ` +
      (retryable
        ? 'Retrying with backoff.'
        : 'Not retrying: fix the request (credentials, URL) and open a new stream.'),
    { status, fatal: !retryable },
  );
  if (!retryable) return { error };
  return {
    error,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
    gateway: GATEWAY_STATUSES.has(status),
  };
}

/**
 * A failure for a request that never got an answer or a connection that broke mid-stream.
 * @param url - the requested URL, for the message.
 * @param cause - what the platform threw.
 * @returns a retryable failure.
 */
export function networkFailure(url: string, cause: unknown): ConnectionFailure {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return {
    error: new SseClientError(
      'SSE_NETWORK',
      `The connection to ${url} failed (${detail}). Retrying with backoff.`,
      { cause },
    ),
  };
}

/**
 * A failure for a stream the server ended normally (EventSource reconnects after those too).
 * @param url - the requested URL, for the message.
 * @returns a retryable failure.
 */
export function endedFailure(url: string): ConnectionFailure {
  return {
    error: new SseClientError(
      'SSE_STREAM_ENDED',
      `The server ended the stream from ${url}. Reconnecting with the last event id.`,
    ),
  };
}
