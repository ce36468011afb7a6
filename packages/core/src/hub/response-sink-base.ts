import type { SseSink } from './response-sink.js';

/** What HTTP/1.1 and HTTP/2 responses both offer for writing. */
interface WritableResponse {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
  end(): void;
  readonly writableEnded: boolean;
}

/**
 * The writing both sinks share; each protocol says how a stream is torn down and when it can
 * no longer be written to. A class rather than an object literal: one is held per open stream,
 * and a literal with a getter is a dictionary-mode object of about 1 KiB, where an instance
 * shares its methods through the prototype.
 */
export abstract class ResponseSinkBase<R extends WritableResponse> implements SseSink {
  constructor(protected readonly response: R) {}

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

  abstract destroy(): void;

  abstract get writable(): boolean;
}
