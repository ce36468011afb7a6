import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { SseError } from '../errors.js';

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
 * Sends the SSE headers at once and wraps the response in a {@link SseSink}.
 * Also switches off Nagle's algorithm and socket timeouts on HTTP/1.1, because an SSE
 * stream is long-lived and latency-sensitive by design.
 */
export function openResponseSink(
  request: SseRequest,
  response: SseResponse,
  events: SinkEvents,
  extraHeaders?: Readonly<Record<string, string>>,
): SseSink {
  const http2 = request.httpVersionMajor === 2;
  const res = response as ServerResponse;
  if (!http2) {
    const socket = (request as IncomingMessage).socket;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.setKeepAlive(true);
  }
  res.writeHead(200, streamHeaders(http2, extraHeaders));
  res.flushHeaders();
  res.on('drain', events.drain);
  res.on('close', events.close);
  return new ResponseSink(response);
}

/**
 * A response as an {@link SseSink}. A class rather than an object literal: one is held per
 * open stream, and a literal with a getter is a dictionary-mode object of about 1 KiB,
 * where an instance shares its methods through the prototype.
 */
class ResponseSink implements SseSink {
  constructor(private readonly response: SseResponse) {}

  write(chunk: Buffer): boolean {
    return (this.response as ServerResponse).write(chunk);
  }

  writev(chunks: readonly Buffer[]): boolean {
    const res = this.response as ServerResponse;
    res.cork();
    let accepted = true;
    for (const chunk of chunks) accepted = res.write(chunk);
    res.uncork();
    return accepted;
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  destroy(): void {
    // On HTTP/1.1 a reset, not a FIN: a FIN would wait behind everything the stalled client
    // never read, holding that memory in the kernel and telling the client nothing.
    const socket = (this.response as ServerResponse).socket as
      | (Socket & { resetAndDestroy?: () => void })
      | null;
    if (this.response instanceof ServerResponse && socket?.resetAndDestroy && !socket.destroyed)
      socket.resetAndDestroy();
    else (this.response as ServerResponse).destroy();
  }

  get writable(): boolean {
    return !isResponseGone(this.response);
  }
}

/**
 * Answers a refused stream with the error's HTTP status and a JSON body
 * `{ error: code, message }`; adds `Retry-After` to 429 and 503. Does nothing when headers
 * were already sent.
 */
export function writeRefusal(response: SseResponse, error: SseError): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (error.status === 503 || error.status === 429) headers['retry-after'] = '5';
  (response as ServerResponse).writeHead(error.status, headers);
  response.end(JSON.stringify({ error: error.code, message: error.message }));
}

/**
 * Whether a response can no longer be written to. HTTP/2 compatibility responses have no
 * `destroyed` of their own, so their stream is asked.
 */
export function isResponseGone(response: SseResponse): boolean {
  if (response.writableEnded) return true;
  const stream = (response as Http2ServerResponse).stream as { destroyed?: boolean } | undefined;
  if (stream && typeof stream === 'object' && 'destroyed' in stream)
    return stream.destroyed === true;
  return (response as ServerResponse).destroyed === true;
}
