import type { EventStreamParser } from './event-stream-parser.js';

/**
 * Reads a response body to its end, decoding UTF-8 incrementally into `parser`.
 *
 * `ignoreBOM: true` keeps a BOM in the decoded text so that the parser, which drops exactly
 * one, sees it; `stream: true` holds back a multi-byte character split across chunks.
 *
 * @param body - the response body.
 * @param parser - receives the decoded text.
 * @param onChunk - called for every chunk read, before it is parsed (the idle watchdog's
 *   sign of life: a heartbeat comment dispatches nothing but is still a chunk).
 * @returns resolves when the server ends the body; rejects when the connection breaks or
 *   the read is aborted.
 */
export async function readBody(
  body: ReadableStream<Uint8Array>,
  parser: EventStreamParser,
  onChunk?: () => void,
): Promise<void> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}
