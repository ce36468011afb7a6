import { SseClientError } from '../errors.js';
import { classifyResponse, networkFailure } from '../http-failure.js';
import { LAST_EVENT_ID_PARAM } from '../protocol.js';
import type { Transport, TransportSink } from './transport.js';

/** What the EventSource transport needs; see `EventStreamOptions` for the user-facing docs. */
export interface EventSourceTransportOptions {
  readonly EventSource: typeof globalThis.EventSource;
  /** Used only to learn the status of a refused connection; absent: treat it as retryable. */
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly withCredentials: boolean;
  /** Named event types to listen for from the start (EventSource has no catch-all). */
  readonly eventTypes: () => Iterable<string>;
  /** Registers a callback run whenever a new event type gets a handler. */
  readonly onNewEventType: (listener: (type: string) => void) => () => void;
}

/**
 * Adds `lastEventId` as a query parameter: EventSource cannot set the `Last-Event-ID` header
 * on a connection it did not reconnect itself. Only this transport needs it, and only servers
 * that know the convention (`@sse/core` does) resume from it; the fetch transport sends the
 * standard header instead.
 *
 * @param url - absolute or relative (resolved against the page's location).
 * @param lastEventId - `''` for none.
 * @returns the URL to open.
 */
export function withLastEventIdParam(url: string, lastEventId: string): string {
  if (lastEventId === '') return url;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const resolved = new URL(url, base);
  resolved.searchParams.set(LAST_EVENT_ID_PARAM, lastEventId);
  return resolved.href;
}

/**
 * A transport over the platform `EventSource`. Its own reconnection is switched off (we close
 * it on the first error and reconnect with our backoff), so the behaviour matches the fetch
 * transport. EventSource hides the HTTP status of a refused connection, so when it fails we
 * ask once more with `fetch` (headers only, body cancelled) to learn whether to stop (4xx)
 * or retry (5xx/429 with `Retry-After`).
 *
 * Limits of the platform, documented in the README: only event types that have a handler (or
 * are listed in `events`) are received, and id-only frames are invisible to it.
 *
 * @param options - the platform constructor and the event types to subscribe.
 * @returns the transport.
 */
export function createEventSourceTransport(options: EventSourceTransportOptions): Transport {
  return (request, sink) => {
    const url = withLastEventIdParam(request.url, request.lastEventId);
    const source = new options.EventSource(url, { withCredentials: options.withCredentials });
    const subscribed = new Set<string>();
    let closed = false;
    let opened = false;
    // EventSource reports only the last event ID string, so an event carries its own id only
    // when that string changed since the previous event of this connection.
    let previousId = '';

    const onMessage = (message: MessageEvent<string>): void => {
      if (closed) return;
      // Events are all it shows: heartbeat comments (and the keep-alive advertisement) are
      // invisible to EventSource, so only events keep an explicit idleTimeoutMs at bay.
      sink.activity();
      const id = message.lastEventId !== previousId ? message.lastEventId : undefined;
      if (id !== undefined) {
        previousId = id;
        sink.lastEventId(id);
      }
      sink.event({ type: message.type, data: message.data, id, lastEventId: message.lastEventId });
    };
    const subscribe = (type: string): void => {
      if (subscribed.has(type)) return;
      subscribed.add(type);
      source.addEventListener(type, onMessage as EventListener);
    };
    subscribe('message');
    for (const type of options.eventTypes()) subscribe(type);
    const stopWatching = options.onNewEventType(subscribe);

    const shutdown = (): void => {
      closed = true;
      stopWatching();
      source.close();
    };

    source.onopen = (): void => {
      if (closed) return;
      opened = true;
      sink.open();
    };
    source.onerror = (): void => {
      if (closed) return;
      // After an open: a network error or the server ended the stream; the platform would
      // reconnect on its own, we do it with backoff instead. Before an open: refused, and the
      // readyState does not say why (Chromium reports a 401 like a network error), so probe.
      shutdown();
      if (opened || options.fetch === undefined) {
        sink.fail(networkFailure(request.url, new Error('EventSource reported an error')));
        return;
      }
      probe(options, url, sink);
    };
    return { close: shutdown };
  };
}

// Learns why EventSource refused: one request with the same URL and credentials mode.
function probe(options: EventSourceTransportOptions, url: string, sink: TransportSink): void {
  const fetch = options.fetch!;
  fetch(url, {
    headers: { Accept: 'text/event-stream' },
    credentials: options.withCredentials ? 'include' : 'same-origin',
    cache: 'no-store',
  }).then(
    (response) => {
      response.body?.cancel().catch(() => undefined);
      const failure = classifyResponse(response, url);
      sink.fail(
        failure ?? {
          error: new SseClientError(
            'SSE_NETWORK',
            `EventSource could not open ${url}, but a plain request succeeded. Retrying with backoff.`,
          ),
        },
      );
    },
    (error: unknown) => sink.fail(networkFailure(url, error)),
  );
}
