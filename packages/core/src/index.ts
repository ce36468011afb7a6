/**
 * `@sse/core`: scalable Server-Sent Events for Node.js with zero runtime dependencies.
 * @module
 */

export type {
  Bus,
  BusAppend,
  BusBase,
  BusCapabilities,
  BusEntry,
  BusListener,
  BusPublishOptions,
  BusStart,
  BusStartOptions,
  BusState,
  FleetingBus,
  HistoryMissReason,
  HistoryResult,
  RetainingBus,
} from './bus/bus.js';
export {
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_POSITION_LENGTH,
} from './bus/bus.js';
export {
  asBusError,
  BusGuard,
  busUnavailable,
  checkIdempotencyKey,
  idempotencyWindowOf,
  withDeadline,
} from './bus/kit/index.js';
export type { MemoryBusOptions, MemoryLog, MemoryLogOptions } from './bus/memory-bus.js';
export { createMemoryBus, createMemoryLog } from './bus/memory-bus.js';
export type { SseErrorCode, SseErrorOptions } from './errors.js';
export { isSseError, SseError, toError } from './errors.js';
export type {
  AuthorizeJoin,
  ControlReceipt,
  DisconnectOptions,
  DisconnectTarget,
  JoinOptions,
  MembershipTarget,
} from './hub/cluster-control.js';
export { ClusterControl } from './hub/cluster-control.js';
export type { ShutdownOptions } from './hub/graceful-shutdown.js';
export { createHub, Hub } from './hub/hub.js';
export type { ConnectOptions, PublishMessage, PublishReceipt } from './hub/hub-api.js';
export type { HubEvents, SseConnection } from './hub/hub-events.js';
export type {
  AuthorizeContext,
  HubOptions,
  IdempotencyOptions,
  ReplayOptions,
} from './hub/hub-options.js';
export type { HubStats } from './hub/hub-stats.js';
export type { PresenceChange, PresenceOptions } from './hub/presence.js';
export type { SseRequest, SseResponse, SseSink } from './hub/response-sink.js';
export { streamHeaders, writeRefusal } from './hub/response-sink.js';
export type { StreamAccess } from './hub/serve-stream.js';
export { serveStream } from './hub/serve-stream.js';
export type { DisconnectReason, DropPolicy, DropReason } from './hub/stream-outcomes.js';
export type { Target } from './hub/target.js';
export {
  KEEP_ALIVE_COMMENT,
  POSITION_EVENT,
  RESET_EVENT,
  SHUTDOWN_EVENT,
} from './wire/control-events.js';
export type { FrameFields } from './wire/frame-encoder.js';
export {
  assertSingleLine,
  encodeComment,
  encodeFrame,
  encodeFrameText,
} from './wire/frame-encoder.js';
export type { LastEventIdResult, LastEventIdSource } from './wire/last-event-id.js';
export { checkLastEventId, readLastEventId } from './wire/last-event-id.js';
