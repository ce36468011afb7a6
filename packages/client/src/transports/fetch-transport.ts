import { classifyResponse, endedFailure, networkFailure } from '../http-failure.js';
import { createEventStreamParser } from '../parser/event-stream-parser.js';
import { readBody } from '../parser/read-body.js';
import { parseKeepAlive } from '../protocol.js';
import type { Transport } from './transport.js';

/** What the fetch transport needs; see `EventStreamOptions` for the user-facing docs. */
export interface FetchTransportOptions {
  readonly fetch: typeof globalThis.fetch;
  readonly method: string;
  readonly headers: HeadersInit | (() => HeadersInit | Promise<HeadersInit>) | undefined;
  readonly body: BodyInit | (() => BodyInit | Promise<BodyInit>) | undefined;
  readonly credentials: RequestCredentials | undefined;
}

/**
 * A transport over `fetch` and a streamed body, parsed by our own spec parser. The default
 * wherever fetch can stream: it sends the standard `Last-Event-ID` header on every reconnect,
 * sees id-only frames and every event name, reads the HTTP status, can send headers,
 * another method and a body, and sees every byte (heartbeats and the server's keep-alive
 * advertisement included), which the idle watchdog needs.
 *
 * @param options - the request shape.
 * @returns the transport.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  return (request, sink) => {
    const abort = new AbortController();
    let closed = false;
    const fail: typeof sink.fail = (failure) => {
      if (closed) return;
      closed = true;
      abort.abort();
      sink.fail(failure);
    };

    const run = async (): Promise<void> => {
      // Functions are called per attempt so a refreshed token is picked up on reconnect.
      const given =
        typeof options.headers === 'function' ? await options.headers() : options.headers;
      const headers = new Headers(given);
      headers.set('Accept', 'text/event-stream');
      if (request.lastEventId !== '') {
        headers.set('Last-Event-ID', utf8ByteString(request.lastEventId));
      }
      const body = typeof options.body === 'function' ? await options.body() : options.body;
      const init: RequestInit = {
        method: options.method,
        headers,
        cache: 'no-store',
        signal: abort.signal,
      };
      if (body !== undefined) init.body = body;
      if (options.credentials !== undefined) init.credentials = options.credentials;

      let response: Response;
      try {
        response = await options.fetch(request.url, init);
      } catch (error) {
        fail(networkFailure(request.url, error));
        return;
      }
      const refused = classifyResponse(response, request.url);
      if (refused !== undefined || response.body === null) {
        // Release the connection: nobody reads this body.
        response.body?.cancel().catch(() => undefined);
        fail(refused ?? networkFailure(request.url, new Error('the response has no body')));
        return;
      }
      if (closed) return;
      sink.open();
      // The keep-alive advertisement counts only as the body's first line. Whatever the parser
      // reports first decides, once, whether this server advertises (see protocol.ts): it
      // reports comments and `retry:` as their lines arrive, other fields at the frame's end.
      let firstLineSeen = false;
      const firstLine = (keepAliveMs: number | undefined): void => {
        if (firstLineSeen || closed) return;
        firstLineSeen = true;
        sink.keepAlive(keepAliveMs);
      };
      const parser = createEventStreamParser(
        {
          onEvent: (event) => {
            firstLine(undefined);
            if (!closed) sink.event(event);
          },
          onLastEventId: (id) => {
            firstLine(undefined);
            if (!closed) sink.lastEventId(id);
          },
          onRetry: (ms) => {
            firstLine(undefined);
            if (!closed) sink.retry(ms);
          },
          onComment: (text) => firstLine(parseKeepAlive(text)),
        },
        request.lastEventId,
      );
      const alive = (): void => {
        if (!closed) sink.activity();
      };
      try {
        await readBody(response.body, parser, alive);
      } catch (error) {
        fail(networkFailure(request.url, error));
        return;
      }
      fail(endedFailure(request.url));
    };

    run().catch((error: unknown) => fail(networkFailure(request.url, error)));
    return {
      close(): void {
        closed = true;
        abort.abort();
      },
    };
  };
}

/**
 * A header value is a byte string: `Headers` throws on a character above U+00FF and sends
 * U+0080–U+00FF as single Latin-1 bytes. EventSource sends the id's UTF-8 bytes, so do the same
 * (one char per byte), or a non-ASCII id would fail every reconnect or arrive garbled.
 *
 * @param text - the last event id.
 * @returns `text` itself when ASCII, else its UTF-8 bytes as a byte string.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model
 */
export function utf8ByteString(text: string): string {
  if (!/[\u0080-\uffff]/.test(text)) return text;
  let bytes = '';
  for (const byte of new TextEncoder().encode(text)) bytes += String.fromCharCode(byte);
  return bytes;
}
