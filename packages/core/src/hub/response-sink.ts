import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { SseError } from '../errors.js';
import { Http1Sink } from './http1-sink.js';
import { Http2Sink } from './http2-sink.js';

/** An HTTP/1.1 or HTTP/2 (compatibility API) request. */
export type SseRequest = IncomingMessage | Http2ServerRequest;
/** An HTTP/1.1 or HTTP/2 (compatibility API) response. */
export type SseResponse = ServerResponse | Http2ServerResponse;

/**
 * The few things the hub needs from a response: the framework-neutral seam that the
 * bindings translate to.
 */
export interface SseSink {
  /** Writes bytes; `false` means the socket buffer is full: wait for `onDrain`. */
  write(chunk: Buffer): boolean;
  /** Writes several buffers as one gathered write, without joining them (optional). */
  writev?(chunks: readonly Buffer[]): boolean;
  /** Ends the response cleanly. */
  end(): void;
  /** Tears the stream down at once (a client that stopped reading). */
  destroy(): void;
  /** Whether the response can still be written to. */
  readonly writable: boolean;
}

/** Callbacks a sink reports to; registered once per connection. */
export interface SinkEvents {
  drain(): void;
  close(): void;
}

/** Headers for an SSE response. `Connection` is added on HTTP/1.1 only (illegal on HTTP/2). */
export function streamHeaders(
  http2: boolean,
  extra?: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    ...extra,
  };
  if (!http2) headers.connection = 'keep-alive';
  return headers;
}

/**
 * Sends the SSE headers at once and wraps the response in the {@link SseSink} for its
 * protocol ({@link Http1Sink} or {@link Http2Sink}).
 */
export function openResponseSink(
  response: SseResponse,
  events: SinkEvents,
  extraHeaders?: Readonly<Record<string, string>>,
): SseSink {
  if (isHttp2(response)) return Http2Sink.open(response, events, streamHeaders(true, extraHeaders));
  return Http1Sink.open(response, events, streamHeaders(false, extraHeaders));
}

/**
 * Answers a refused stream with the error's HTTP status and a JSON body
 * `{ error: code, message }` (a 204 has no body); adds `Retry-After` to 429 and 503. Does nothing
 * when headers were already sent.
 */
export function writeRefusal(response: SseResponse, error: SseError): void {
  if (response.headersSent) return;
  if (error.status === 204) {
    // No body with a 204: the status alone tells an EventSource to stop reconnecting.
    if (isHttp2(response)) response.writeHead(204);
    else response.writeHead(204);
    response.end();
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (error.status === 503 || error.status === 429) headers['retry-after'] = '5';
  if (isHttp2(response)) response.writeHead(error.status, headers);
  else response.writeHead(error.status, headers);
  response.end(JSON.stringify({ error: error.code, message: error.message }));
}

/**
 * Whether a response can no longer be written to. HTTP/2 compatibility responses have no
 * `destroyed` of their own, so their stream is asked.
 */
export function isResponseGone(response: SseResponse): boolean {
  if (response.writableEnded) return true;
  if (isHttp2(response)) return response.stream.destroyed;
  return response.destroyed;
}

/**
 * Whether a response is HTTP/2's: it has a `stream`, an HTTP/1.1 one never does. Asked of the
 * object rather than with `instanceof`, which would load `node:http2` in every process (about
 * 15 ms and 40 M instructions at startup) just to answer "no".
 */
function isHttp2(response: SseResponse): response is Http2ServerResponse {
  return 'stream' in response;
}
