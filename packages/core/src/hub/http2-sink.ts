import type { Http2ServerResponse } from 'node:http2';
import type { SinkEvents } from './response-sink.js';
import { ResponseSinkBase } from './response-sink-base.js';

/**
 * An HTTP/2 response (the compatibility API) as an `SseSink`: one stream of a shared
 * connection, so tearing it down never touches the socket.
 */
export class Http2Sink extends ResponseSinkBase<Http2ServerResponse> {
  /** Sends the headers at once and wraps the response. */
  static open(
    response: Http2ServerResponse,
    events: SinkEvents,
    headers: Record<string, string>,
  ): Http2Sink {
    // On HTTP/2, writeHead sends the HEADERS frame at once: nothing to flush.
    response.writeHead(200, headers);
    response.on('drain', events.drain);
    response.on('close', events.close);
    return new Http2Sink(response);
  }

  destroy(): void {
    this.response.destroy();
  }

  get writable(): boolean {
    return !this.response.writableEnded && !this.response.stream.destroyed;
  }
}
