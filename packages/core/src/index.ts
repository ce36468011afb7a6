/**
 * `@sse/core`: scalable Server-Sent Events for Node.js with zero runtime dependencies.
 * @module
 */
export { MAX_POSITION_LENGTH } from './bus/bus.js';
export { createMemoryBus, createMemoryLog } from './bus/memory-bus.js';
export { SseError, isSseError, toError } from './errors.js';

export type {
  Bus,
  BusCapabilities,
  BusEntry,
  BusListener,
  BusState,
  HistoryMissReason,
  HistoryResult,
} from './bus/bus.js';
export type { MemoryBusOptions, MemoryLog } from './bus/memory-bus.js';
export type { SseErrorCode, SseErrorOptions } from './errors.js';
