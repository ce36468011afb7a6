import type { ServerResponse } from 'node:http';
import type { SinkEvents, SseSink } from './response-sink.js';

/**
 * An HTTP/1.1 response as an {@link SseSink}. A class rather than an object literal: one is
 * held per open stream, and a literal with a getter is a dictionary-mode object of about
 * 1 KiB, where an instance shares its methods through the prototype.
 */
export class Http1Sink implements SseSink {
  constructor(private readonly response: ServerResponse) {}

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
