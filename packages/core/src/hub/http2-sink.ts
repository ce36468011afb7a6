import type { Http2ServerResponse } from 'node:http2';
import type { SinkEvents, SseSink } from './response-sink.js';

/**
 * An HTTP/2 response (the compatibility API) as an {@link SseSink}: one stream of a shared
 * connection, so closing it never touches the socket. A class for the same reason as
 * `Http1Sink`: one per open stream.
 */
export class Http2Sink implements SseSink {
  constructor(private readonly response: Http2ServerResponse) {}

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

  write(chunk: Buffer): boolean {
    return this.response.write(chunk);
  }

  writev(chunks: readonly Buffer[]): boolean {
    const response = this.response;
    response.cork();
    let accepted = true;
    for (const chunk of chunks) accepted = response.write(chunk);
    response.uncork();
    return accepted;
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  destroy(): void {
    this.response.stream.destroy();
  }

  get writable(): boolean {
    return !this.response.writableEnded && !this.response.stream.destroyed;
  }
}
