import type { ServerResponse } from 'node:http';
import type { SinkEvents } from './response-sink.js';
import { ResponseSinkBase } from './response-sink-base.js';

/** An HTTP/1.1 response as an `SseSink`. */
export class Http1Sink extends ResponseSinkBase<ServerResponse> {
  /**
   * Sends the headers at once and wraps the response. Also switches off Nagle's algorithm and
   * socket timeouts, because an SSE stream is long-lived and latency-sensitive by design.
   */
  static open(
    response: ServerResponse,
    events: SinkEvents,
    headers: Record<string, string>,
  ): Http1Sink {
    const socket = response.socket;
    socket?.setNoDelay(true);
    socket?.setTimeout(0);
    socket?.setKeepAlive(true);
    response.writeHead(200, headers);
    response.flushHeaders();
    response.on('drain', events.drain);
    response.on('close', events.close);
    return new Http1Sink(response);
  }

  destroy(): void {
    // A reset, not a FIN: a FIN would wait behind everything the stalled client never read,
    // holding that memory in the kernel and telling the client nothing.
    const socket = this.response.socket;
    if (socket && !socket.destroyed) socket.resetAndDestroy();
    else this.response.destroy();
  }

  get writable(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }
}
