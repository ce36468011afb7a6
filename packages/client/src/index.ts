/**
 * `@sse/client`: a typed Server-Sent Events client for browsers and Node, with backoff and
 * jitter, Last-Event-ID resume, de-duplication and reset events. Zero runtime dependencies.
 * @module
 */

export type { SseClientErrorCode, SseClientErrorOptions } from './errors.js';
export { isSseClientError, SseClientError } from './errors.js';
export type { EventStream } from './event-stream.js';
export { createEventStream } from './event-stream.js';
export type {
  EventHandler,
  EventMap,
  EventStreamOptions,
  LastEventIdStorage,
  LifecycleHandlers,
  ReconnectInfo,
  ResetInfo,
  StreamMessage,
  StreamMessageOf,
  StreamState,
  TransportKind,
} from './options.js';
export type {
  EventStreamParser,
  ParsedEvent,
  ParserCallbacks,
} from './parser/event-stream-parser.js';
export { createEventStreamParser } from './parser/event-stream-parser.js';
