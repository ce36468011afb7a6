import { SseClientError } from './errors.js';
import type { EventStreamOptions, TransportKind } from './options.js';
import { createEventSourceTransport } from './transports/eventsource-transport.js';
import { createFetchTransport } from './transports/fetch-transport.js';
import type { Transport } from './transports/transport.js';

/** Hooks the EventSource transport needs from the stream (event types with handlers). */
export interface EventTypeSource {
  readonly eventTypes: () => Iterable<string>;
  readonly onNewEventType: (listener: (type: string) => void) => () => void;
}

const invalid = (message: string): SseClientError =>
  new SseClientError('SSE_INVALID_OPTION', message, { fatal: true });

/**
 * Picks and builds the transport for `options`.
 * @param options - the user's options.
 * @param types - where the EventSource transport learns which named events to listen for.
 * @returns the kind chosen and the transport.
 * @throws SseClientError `SSE_INVALID_OPTION` when the platform lacks what is asked for.
 */
export function resolveTransport(
  options: EventStreamOptions,
  types: EventTypeSource,
): { kind: TransportKind; transport: Transport } {
  const EventSourceCtor = options.EventSource ?? globalThis.EventSource;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const method = (options.method ?? 'GET').toUpperCase();
  const needsFetch =
    options.headers !== undefined ||
    options.body !== undefined ||
    method !== 'GET' ||
    options.credentials === 'omit';
  const wanted = options.transport ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'fetch' && wanted !== 'eventsource') {
    throw invalid(`Expected transport 'auto', 'fetch' or 'eventsource', got ${String(wanted)}.`);
  }
  // 'auto' prefers fetch wherever it can stream a body: only then does every reconnect send
  // the standard Last-Event-ID header (a new EventSource cannot), does an id-only frame move
  // the id, and is every event name received. EventSource remains for platforms without it.
  const kind: TransportKind =
    wanted === 'auto'
      ? needsFetch || EventSourceCtor === undefined || canStream(options.fetch, fetchFn)
        ? 'fetch'
        : 'eventsource'
      : wanted;

  if (kind === 'eventsource') {
    if (EventSourceCtor === undefined) {
      throw invalid(
        "transport 'eventsource' needs a global EventSource, and this runtime has none (Node 20). " +
          "Use transport 'fetch' or 'auto', or pass options.EventSource.",
      );
    }
    if (needsFetch) {
      throw invalid(
        "transport 'eventsource' cannot send headers, a body, another method or credentials 'omit'. " +
          "Use transport 'fetch' or 'auto'.",
      );
    }
    return {
      kind,
      transport: createEventSourceTransport({
        EventSource: EventSourceCtor,
        fetch: typeof fetchFn === 'function' ? fetchFn.bind(globalThis) : undefined,
        withCredentials: options.credentials === 'include',
        eventTypes: types.eventTypes,
        onNewEventType: types.onNewEventType,
      }),
    };
  }
  if (typeof fetchFn !== 'function') {
    throw invalid("transport 'fetch' needs a global fetch or options.fetch.");
  }
  return {
    kind,
    transport: createFetchTransport({
      // Bound: a detached `window.fetch` throws "Illegal invocation" in browsers.
      fetch: options.fetch ?? fetchFn.bind(globalThis),
      method,
      headers: options.headers,
      body: options.body,
      credentials: options.credentials,
    }),
  };
}

/**
 * True when `fetch` can be read as a stream: a user-supplied `fetch` is trusted to, the
 * global one needs `ReadableStream`, `Response.body` and `TextDecoder` beside it.
 */
function canStream(
  given: typeof globalThis.fetch | undefined,
  fetchFn: typeof globalThis.fetch | undefined,
): boolean {
  if (given !== undefined) return true;
  return (
    typeof fetchFn === 'function' &&
    typeof ReadableStream === 'function' &&
    typeof TextDecoder === 'function' &&
    typeof Response === 'function' &&
    'body' in Response.prototype
  );
}
